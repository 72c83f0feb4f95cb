using Mail2Sms.Core.Text;
using Mail2Sms.Smpp;

namespace Mail2Sms.Core.Tests.Text;

public sealed class LookAlikesTests
{
    [Theory]
    [InlineData("\u2018quoted\u2019", "'quoted'")]
    [InlineData("\u201Cquoted\u201D", "\"quoted\"")]
    [InlineData("\u201Elow\u201C", "\"low\"")]
    [InlineData("\u00ABguillemets\u00BB", "\"guillemets\"")]
    [InlineData("it\u2019s", "it's")]
    [InlineData("9\u20135", "9-5")]
    [InlineData("wait\u2014what", "wait-what")]
    [InlineData("minus \u22123", "minus -3")]
    [InlineData("non\u2011breaking hyphen", "non-breaking hyphen")]
    [InlineData("and so on\u2026", "and so on...")]
    [InlineData("10\u00A0km", "10 km")]
    [InlineData("narrow\u202Fno-break", "narrow no-break")]
    [InlineData("em\u2003space", "em space")]
    [InlineData("ideographic\u3000space", "ideographic space")]
    [InlineData("tab\there", "tab here")]
    [InlineData("zero\u200Bwidth", "zerowidth")]
    [InlineData("word\u2060joiner", "wordjoiner")]
    [InlineData("\uFEFFbyte order mark", "byte order mark")]
    [InlineData("soft\u00ADhyphen", "softhyphen")]
    [InlineData("a\u200Db", "ab")]
    [InlineData("a\u200Cb", "ab")]
    public void A_look_alike_becomes_its_GSM_equivalent(string text, string expected)
    {
        var replaced = LookAlikes.Replace(text);

        Assert.Equal(expected, replaced);
        Assert.True(GsmAlphabet.CanEncode(replaced));
    }

    [Fact]
    public void A_text_without_look_alikes_is_returned_as_the_same_instance()
    {
        var text = "Plain text, \u20AC5 and \u00E7a and \uD83D\uDE00";
        Assert.Same(text, LookAlikes.Replace(text));
    }

    [Fact]
    public void An_Outlook_sentence_stays_in_GSM_after_replacement()
    {
        var sms = SmsText.From("Don\u2019t forget: \u201CServer\u00A0down\u201D \u2013 call me\u2026");

        Assert.Equal("Don't forget: \"Server down\" - call me...", sms.Text);
        Assert.Equal(SmsEncoding.Gsm7, sms.Encoding);
    }

    [Theory]
    [InlineData("\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "family: man, woman, girl")]
    [InlineData("\u2764\uFE0F\u200D\uD83D\uDD25", "heart on fire")]
    [InlineData("\uD83D\uDC4D\uD83C\uDFFD\u200D\u2642", "ZWJ after a skin tone")]
    [InlineData("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", "Persian word with a zero-width non-joiner")]
    [InlineData("\u0915\u094D\u200D\u0937", "Devanagari half form with a zero-width joiner")]
    public void A_joiner_between_characters_that_are_not_GSM_is_kept(string text, string what)
    {
        // Dropping it cannot save the GSM encoding (its neighbours need UCS-2) and would change
        // what the recipient sees: a family emoji would arrive as three people.
        Assert.True(text == LookAlikes.Replace(text), what);
    }

    [Fact]
    public void A_joiner_beside_a_GSM_character_is_dropped()
    {
        Assert.Equal("a\uD83D\uDE00", LookAlikes.Replace("a\u200D\uD83D\uDE00"));
        Assert.Equal("\uD83D\uDE00a", LookAlikes.Replace("\uD83D\uDE00\u200Da"));
        Assert.Equal("\uD83D\uDE00", LookAlikes.Replace("\u200D\uD83D\uDE00"));
        Assert.Equal("\uD83D\uDE00", LookAlikes.Replace("\uD83D\uDE00\u200D"));
    }

    [Fact]
    public void A_zero_width_space_between_emoji_is_still_dropped()
    {
        Assert.Equal("\uD83D\uDE00\uD83D\uDE00", LookAlikes.Replace("\uD83D\uDE00\u200B\uD83D\uDE00"));
    }

    [Fact]
    public void Characters_outside_GSM_that_are_not_look_alikes_are_kept()
    {
        Assert.Null(LookAlikes.ReplacementOf('\u00E7'));
        Assert.Null(LookAlikes.ReplacementOf('`'));
        Assert.Null(LookAlikes.ReplacementOf('\uFE0F'));
        Assert.Equal("\u00E7a va", LookAlikes.Replace("\u00E7a va"));
    }
}

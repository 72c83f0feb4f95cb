using Mail2Sms.Core.Text;

namespace Mail2Sms.Core.Tests.Text;

public sealed class SmsTextTests
{
    private const string Euro = "\u20AC";
    private const string Zhe = "\u0436"; // Cyrillic zhe: one UCS-2 unit, not GSM
    private const string Grin = "\uD83D\uDE00"; // an emoji: a surrogate pair, two UCS-2 units
    private const string Family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67";
    private const string AustralianFlag = "\uD83C\uDDE6\uD83C\uDDFA";

    private static string Repeat(string s, int count) => string.Concat(Enumerable.Repeat(s, count));

    [Theory]
    [InlineData("Hello", SmsEncoding.Gsm7, 5)]
    [InlineData("Server down \u00C7", SmsEncoding.Gsm7, 13)]
    [InlineData("\u20AC5 {x}", SmsEncoding.Gsm7, 9)]
    [InlineData("a\r\nb", SmsEncoding.Gsm7, 3)]
    [InlineData("form\ffeed", SmsEncoding.Gsm7, 10)]
    [InlineData("\u00C7a va", SmsEncoding.Gsm7, 5)]
    [InlineData("\u00E7a va", SmsEncoding.Ucs2, 5)]
    [InlineData("caf\u00E1", SmsEncoding.Ucs2, 4)]
    [InlineData("`code`", SmsEncoding.Ucs2, 6)]
    [InlineData("Hi \uD83D\uDE00", SmsEncoding.Ucs2, 5)]
    [InlineData("\u041F\u0440\u0438\u0432\u0435\u0442", SmsEncoding.Ucs2, 6)]
    [InlineData("\u2018smart\u2019 \u2013 quotes\u2026", SmsEncoding.Gsm7, 19)]
    [InlineData("", SmsEncoding.Gsm7, 0)]
    public void The_encoding_is_GSM_when_every_character_is_GSM_else_UCS2(string text, SmsEncoding encoding, int units)
    {
        var sms = SmsText.From(text);

        Assert.Equal(encoding, sms.Encoding);
        Assert.Equal(units, sms.Units);
    }

    [Theory]
    [InlineData("Server\u0000 23\u0007 down\u001B", "Server 23 down")]
    [InlineData("line one\r\nline two\rthree", "line one\nline twothree")]
    [InlineData("del\u007F and c1\u0085\u009F", "del and c1")]
    [InlineData("tab\there", "tab here")]
    [InlineData("form\ffeed kept", "form\ffeed kept")]
    public void Control_characters_never_reach_the_SMS_LF_and_form_feed_stay_and_tab_is_a_space(string text, string sent)
    {
        var sms = SmsText.From(text);

        Assert.Equal(sent, sms.Text);
        Assert.Equal(SmsEncoding.Gsm7, sms.Encoding);
        Assert.Equal(sent, SmsText.FirstSmsOf(text).Text);
    }

    [Fact]
    public void A_text_of_only_control_characters_is_blank()
    {
        Assert.True(Mail2Sms.Core.Mail.BodyLines.IsBlank(SmsText.From("\0\0\u0001\r").Text));
        Assert.True(Mail2Sms.Core.Mail.BodyLines.IsBlank("\0\u0002"));
    }

    [Fact]
    public void A_euro_in_UCS2_text_takes_one_unit_not_two()
    {
        var sms = SmsText.From(Euro + Zhe);

        Assert.Equal(SmsEncoding.Ucs2, sms.Encoding);
        Assert.Equal(2, sms.Units);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    [InlineData(460, 4)]
    [InlineData(765, 5)]
    [InlineData(1836, 12)]
    [InlineData(1837, 13)]
    public void GSM_text_takes_160_septets_in_one_SMS_and_153_per_part(int length, int parts)
    {
        var sms = SmsText.From(new string('a', length));

        Assert.Equal(SmsEncoding.Gsm7, sms.Encoding);
        Assert.Equal(parts, sms.PartCount);
        Assert.Equal(parts, sms.SplitParts().Count);
    }

    [Theory]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    [InlineData(201, 3)]
    [InlineData(202, 4)]
    [InlineData(765, 12)]
    public void UCS2_text_takes_70_units_in_one_SMS_and_67_per_part(int length, int parts)
    {
        var sms = SmsText.From(Repeat(Zhe, length));

        Assert.Equal(SmsEncoding.Ucs2, sms.Encoding);
        Assert.Equal(parts, sms.PartCount);
        Assert.Equal(parts, sms.SplitParts().Count);
    }

    [Theory]
    [InlineData("a", 160, 1)]
    [InlineData("a", 161, 2)]
    [InlineData("a", 304, 2)]
    [InlineData("a", 305, 3)]
    [InlineData("a", 456, 3)]
    [InlineData("a", 457, 4)]
    [InlineData(Zhe, 70, 1)]
    [InlineData(Zhe, 71, 2)]
    [InlineData(Zhe, 132, 2)]
    [InlineData(Zhe, 133, 3)]
    [InlineData(Zhe, 198, 3)]
    [InlineData(Zhe, 199, 4)]
    public void With_16_bit_references_a_part_holds_152_septets_or_66_units(string character, int length, int parts)
    {
        var sms = SmsText.From(Repeat(character, length), PartSizes.SixteenBitReference);

        Assert.Equal(parts, sms.PartCount);
        Assert.All(sms.SplitParts().SkipLast(1), p => Assert.Equal(character == "a" ? 152 : 66, p.Length));
    }

    [Fact]
    public void A_full_GSM_split_gives_parts_of_153_septets()
    {
        var parts = SmsText.From(new string('a', 307)).SplitParts();

        Assert.Equal([153, 153, 1], parts.Select(p => p.Length));
    }

    [Fact]
    public void A_euro_at_the_153rd_septet_moves_whole_to_the_next_part()
    {
        var sms = SmsText.From(new string('a', 152) + Euro + new string('b', 10));

        var parts = sms.SplitParts();
        Assert.Equal(164, sms.Units);
        Assert.Equal(2, sms.PartCount);
        Assert.Equal(new string('a', 152), parts[0]);
        Assert.Equal(Euro + new string('b', 10), parts[1]);
    }

    [Fact]
    public void A_euro_that_ends_exactly_at_153_septets_stays_in_the_part()
    {
        var parts = SmsText.From(new string('a', 151) + Euro + new string('b', 10)).SplitParts();

        Assert.Equal(new string('a', 151) + Euro, parts[0]);
        Assert.Equal(new string('b', 10), parts[1]);
    }

    [Fact]
    public void Eighty_euros_fit_one_SMS_and_eighty_one_need_two()
    {
        Assert.Equal(1, SmsText.From(Repeat(Euro, 80)).PartCount);

        var parts = SmsText.From(Repeat(Euro, 81)).SplitParts();
        Assert.Equal([76, 5], parts.Select(p => p.Length));
    }

    [Fact]
    public void Extension_characters_can_add_a_part_where_plain_ones_would_not()
    {
        // 306 septets: two parts of 153 would hold them, but the euro at septets 153-154 moves.
        var text = new string('a', 152) + Euro + new string('b', 152);

        var sms = SmsText.From(text);
        Assert.Equal(306, sms.Units);
        Assert.Equal(3, sms.PartCount);
    }

    [Fact]
    public void An_emoji_at_the_67th_unit_moves_whole_to_the_next_part()
    {
        var sms = SmsText.From(Repeat(Zhe, 66) + Grin + Repeat(Zhe, 10));

        var parts = sms.SplitParts();
        Assert.Equal(78, sms.Units);
        Assert.Equal(2, sms.PartCount);
        Assert.Equal(Repeat(Zhe, 66), parts[0]);
        Assert.Equal(Grin + Repeat(Zhe, 10), parts[1]);
    }

    [Fact]
    public void Thirty_five_emoji_fit_one_SMS_and_thirty_six_need_two()
    {
        Assert.Equal(1, SmsText.From(Repeat(Grin, 35)).PartCount);

        var parts = SmsText.From(Repeat(Grin, 36)).SplitParts();
        Assert.Equal([66, 6], parts.Select(p => p.Length));
    }

    [Fact]
    public void A_long_UCS2_message_may_be_split_inside_a_family_emoji_but_never_inside_a_surrogate_pair()
    {
        // The family is 8 units (3 pairs, 2 joiners); concatenated parts are reassembled before display.
        var parts = SmsText.From(Repeat(Zhe, 63) + Family + Repeat(Zhe, 10)).SplitParts();

        Assert.Equal(Repeat(Zhe, 63) + "\uD83D\uDC68\u200D", parts[0]);
        Assert.Equal("\uD83D\uDC69\u200D\uD83D\uDC67" + Repeat(Zhe, 10), parts[1]);
    }

    [Fact]
    public void A_single_SMS_is_not_split()
    {
        var sms = SmsText.From("Server down");

        Assert.Equal(1, sms.PartCount);
        Assert.Equal(["Server down"], sms.SplitParts());
    }

    [Fact]
    public void An_empty_text_is_one_empty_SMS()
    {
        var sms = SmsText.From("");

        Assert.Equal(1, sms.PartCount);
        Assert.Equal([""], sms.SplitParts());
    }

    [Fact]
    public void Look_alikes_are_replaced_before_counting()
    {
        // 160 ellipses become 480 dots: 4 GSM parts, where 160 ellipses would be 3 UCS-2 parts.
        var sms = SmsText.From(Repeat("\u2026", 160));

        Assert.Equal(SmsEncoding.Gsm7, sms.Encoding);
        Assert.Equal(480, sms.Units);
        Assert.Equal(4, sms.PartCount);
    }

    [Fact]
    public void The_sizes_used_are_kept_with_the_text()
    {
        Assert.Same(PartSizes.EightBitReference, SmsText.From("x").Sizes);
        Assert.Same(PartSizes.SixteenBitReference, SmsText.From("x", PartSizes.SixteenBitReference).Sizes);
        Assert.Equal("x", SmsText.From("x").ToString());
    }

    [Theory]
    [InlineData("Hello", 5)]
    [InlineData(Euro, 1)]
    [InlineData(Grin, 1)]
    [InlineData(AustralianFlag, 1)]
    [InlineData(Family, 1)]
    [InlineData("\uD83D\uDC4D\uD83C\uDFFD", 1)]
    [InlineData("1\uFE0F\u20E3", 1)]
    [InlineData("\u2764\uFE0F\u200D\uD83D\uDD25", 1)]
    [InlineData("e\u0301", 1)]
    [InlineData("a\r\nb", 3)]
    [InlineData("\u20AC5 " + Grin + " " + AustralianFlag, 6)]
    [InlineData("", 0)]
    public void Characters_are_counted_as_a_person_counts_them(string text, int characters)
    {
        Assert.Equal(characters, SmsText.From(text).Characters);
    }

    [Fact]
    public void FirstSmsOf_cuts_GSM_text_at_160_septets()
    {
        var sms = SmsText.FirstSmsOf(new string('a', 200));

        Assert.Equal(new string('a', 160), sms.Text);
        Assert.Equal(SmsEncoding.Gsm7, sms.Encoding);
        Assert.Equal(1, sms.PartCount);
    }

    [Fact]
    public void FirstSmsOf_leaves_out_an_extension_character_that_does_not_fit_whole()
    {
        var sms = SmsText.FirstSmsOf(new string('a', 159) + Euro + "bcd");

        Assert.Equal(new string('a', 159), sms.Text);
        Assert.Equal(159, sms.Units);
    }

    [Fact]
    public void FirstSmsOf_keeps_an_extension_character_that_ends_at_160_septets()
    {
        var sms = SmsText.FirstSmsOf(new string('a', 158) + Euro + "bcd");

        Assert.Equal(new string('a', 158) + Euro, sms.Text);
        Assert.Equal(160, sms.Units);
    }

    [Fact]
    public void FirstSmsOf_cuts_UCS2_text_at_70_units()
    {
        var sms = SmsText.FirstSmsOf(Repeat(Zhe, 100));

        Assert.Equal(Repeat(Zhe, 70), sms.Text);
        Assert.Equal(SmsEncoding.Ucs2, sms.Encoding);
    }

    [Fact]
    public void FirstSmsOf_leaves_out_an_emoji_that_does_not_fit_whole()
    {
        var sms = SmsText.FirstSmsOf(Repeat(Zhe, 69) + Grin + Zhe);

        Assert.Equal(Repeat(Zhe, 69), sms.Text);
        Assert.Equal(69, sms.Units);
    }

    [Fact]
    public void FirstSmsOf_keeps_an_emoji_that_ends_at_70_units()
    {
        var sms = SmsText.FirstSmsOf(Repeat(Zhe, 68) + Grin + Zhe);

        Assert.Equal(Repeat(Zhe, 68) + Grin, sms.Text);
        Assert.Equal(70, sms.Units);
    }

    [Fact]
    public void FirstSmsOf_keeps_the_longer_GSM_beginning_before_a_late_UCS2_character()
    {
        // 100 GSM characters fit one GSM SMS; going on to the zhe would allow only 70 UCS-2 units.
        var sms = SmsText.FirstSmsOf(new string('a', 100) + Zhe + new string('b', 100));

        Assert.Equal(new string('a', 100), sms.Text);
        Assert.Equal(SmsEncoding.Gsm7, sms.Encoding);
    }

    [Fact]
    public void FirstSmsOf_goes_UCS2_when_that_holds_more_of_the_text()
    {
        var sms = SmsText.FirstSmsOf(new string('a', 50) + Repeat(Zhe, 100));

        Assert.Equal(new string('a', 50) + Repeat(Zhe, 20), sms.Text);
        Assert.Equal(SmsEncoding.Ucs2, sms.Encoding);
        Assert.Equal(70, sms.Units);
    }

    [Fact]
    public void FirstSmsOf_counts_a_euro_as_one_unit_once_the_text_is_UCS2()
    {
        var sms = SmsText.FirstSmsOf(Repeat(Euro, 60) + Repeat(Zhe, 20));

        Assert.Equal(Repeat(Euro, 60) + Repeat(Zhe, 10), sms.Text);
        Assert.Equal(SmsEncoding.Ucs2, sms.Encoding);
    }

    [Fact]
    public void FirstSmsOf_replaces_look_alikes_before_cutting()
    {
        var sms = SmsText.FirstSmsOf("\u201CAlert\u201D" + Repeat("\u2026", 60));

        Assert.Equal("\"Alert\"" + new string('.', 153), sms.Text);
        Assert.Equal(SmsEncoding.Gsm7, sms.Encoding);
    }

    [Theory]
    [InlineData("Short alert")]
    [InlineData("Caf\u00E9 \u00E7a \uD83D\uDE00")]
    [InlineData("")]
    public void FirstSmsOf_keeps_a_text_that_fits_whole(string text)
    {
        Assert.Equal(text, SmsText.FirstSmsOf(text).Text);
    }
}

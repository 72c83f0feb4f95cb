using FsCheck.Xunit;
using Mail2Sms.Core.Text;
using Mail2Sms.Smpp;

namespace Mail2Sms.Core.Tests.Text;

[Properties(Arbitrary = [typeof(TextArbitraries)], MaxTest = 300)]
public sealed class SmsTextProperties
{
    [Property]
    public void Pack_then_unpack_gives_any_septets_back(Septets septets)
    {
        var packed = GsmAlphabet.Pack(septets.Value);

        Assert.Equal(((septets.Value.Length * 7) + 7) / 8, packed.Length);
        Assert.Equal(septets.Value, GsmAlphabet.Unpack(packed, septets.Value.Length));
    }

    [Property]
    public void Encode_then_decode_gives_any_GSM_text_back(GsmText text)
    {
        var septets = GsmAlphabet.Encode(text.Value);

        Assert.Equal(GsmAlphabet.CountSeptets(text.Value), septets.Length);
        Assert.All(septets, s => Assert.InRange(s, 0, 0x7F));
        Assert.Equal(text.Value, GsmAlphabet.Decode(septets));
        Assert.Equal(text.Value, GsmAlphabet.Decode(GsmAlphabet.Unpack(GsmAlphabet.Pack(septets), septets.Length)));
    }

    [Property]
    public void Parts_rejoin_to_the_text_and_their_number_is_the_part_count(MixedText text, PartSizes sizes)
    {
        var sms = SmsText.From(text.Value, sizes);
        var parts = sms.SplitParts();

        Assert.Equal(sms.PartCount, parts.Count);
        Assert.Equal(sms.Text, string.Concat(parts));
    }

    [Property]
    public void The_same_holds_for_any_string_even_with_lone_surrogates(string? text, PartSizes sizes)
    {
        var sms = SmsText.From(text ?? "", sizes);
        var parts = sms.SplitParts();

        Assert.Equal(sms.PartCount, parts.Count);
        Assert.Equal(sms.Text, string.Concat(parts));
        Assert.All(parts, p => Assert.True(sms.Encoding == SmsEncoding.Ucs2 || GsmAlphabet.CanEncode(p)));
        for (var i = 1; i < parts.Count; i++)
        {
            Assert.False(char.IsHighSurrogate(parts[i - 1][^1]) && char.IsLowSurrogate(parts[i][0]), $"a surrogate pair split before part {i + 1}");
        }
    }

    [Property]
    public void Every_part_fits_its_limit(MixedText text, PartSizes sizes)
    {
        var sms = SmsText.From(text.Value, sizes);
        var parts = sms.SplitParts();
        var limit = Limit(sms, parts.Count);

        Assert.All(parts, p => Assert.InRange(Size(sms, p), 0, limit));
        Assert.Equal(sms.Units, parts.Sum(p => Size(sms, p)));
    }

    [Property]
    public void No_part_splits_a_surrogate_pair(MixedText text, PartSizes sizes)
    {
        var parts = SmsText.From(text.Value, sizes).SplitParts();

        Assert.All(parts.SkipLast(1), p => Assert.False(char.IsHighSurrogate(p[^1]), $"a part ends with a high surrogate: {SampleTexts.Escaped(p)}"));
        Assert.All(parts.Skip(1), p => Assert.False(char.IsLowSurrogate(p[0]), $"a part starts with a low surrogate: {SampleTexts.Escaped(p)}"));
    }

    [Property]
    public void No_part_splits_an_extension_character(MixedText text, PartSizes sizes)
    {
        var sms = SmsText.From(text.Value, sizes);
        if (sms.Encoding != SmsEncoding.Gsm7)
        {
            return;
        }

        // Each part encodes on its own to exactly its share of the whole: no escape is left without its septet.
        var parts = sms.SplitParts();
        var partSeptets = parts.Select(p => GsmAlphabet.Encode(p)).ToList();
        Assert.Equal(GsmAlphabet.Encode(sms.Text), partSeptets.SelectMany(s => s));
        Assert.All(partSeptets, s => Assert.False(s.Length > 0 && s[^1] == GsmAlphabet.Escape, "a part ends with a lone escape"));
    }

    [Property]
    public void A_part_before_another_is_full_or_one_short_when_the_next_character_takes_two(MixedText text, PartSizes sizes)
    {
        var sms = SmsText.From(text.Value, sizes);
        var parts = sms.SplitParts();
        var limit = Limit(sms, parts.Count);

        for (var i = 0; i + 1 < parts.Count; i++)
        {
            var size = Size(sms, parts[i]);
            var next = parts[i + 1];
            var nextTakesTwo = sms.Encoding == SmsEncoding.Gsm7
                ? GsmAlphabet.IsExtension(next[0])
                : next.Length > 1 && char.IsSurrogatePair(next[0], next[1]);
            Assert.True(size == limit || (size == limit - 1 && nextTakesTwo),
                $"part {i + 1} of {parts.Count} holds {size} of {limit}; the next begins {SampleTexts.Escaped(next[..Math.Min(2, next.Length)])}");
        }
    }

    [Property]
    public void The_part_count_is_the_units_over_the_part_size_when_nothing_takes_two(MixedText text, PartSizes sizes)
    {
        var sms = SmsText.From(text.Value, sizes);
        var (single, perPart) = sms.Encoding == SmsEncoding.Gsm7
            ? (sizes.SingleSeptets, sizes.PartSeptets)
            : (sizes.SingleUnits, sizes.PartUnits);
        var expected = sms.Units <= single ? 1 : (sms.Units + perPart - 1) / perPart;
        var anyTakesTwo = sms.Encoding == SmsEncoding.Gsm7
            ? sms.Text.Any(GsmAlphabet.IsExtension)
            : sms.Text.Any(char.IsHighSurrogate);

        if (anyTakesTwo)
        {
            // A part may fall one short, never more, so the count lies between the two ceilings.
            var most = sms.Units <= single ? 1 : (sms.Units + perPart - 2) / (perPart - 1);
            Assert.InRange(sms.PartCount, expected, most);
        }
        else
        {
            Assert.Equal(expected, sms.PartCount);
        }
    }

    [Property]
    public void FirstSmsOf_gives_the_longest_beginning_that_fits_one_SMS(MixedText text, PartSizes sizes)
    {
        var plain = LookAlikes.Replace(text.Value);
        var first = SmsText.FirstSmsOf(text.Value, sizes);

        Assert.Equal(1, first.PartCount);
        Assert.StartsWith(first.Text, plain, StringComparison.Ordinal);
        Assert.InRange(first.Units, 0, first.Encoding == SmsEncoding.Gsm7 ? sizes.SingleSeptets : sizes.SingleUnits);
        if (first.Text.Length == plain.Length)
        {
            return;
        }

        // One more character (a whole surrogate pair) overflows one SMS in either encoding, or adds
        // nothing that would be sent (a joiner left dangling at the end is dropped).
        var end = first.Text.Length;
        var width = end + 1 < plain.Length && char.IsSurrogatePair(plain[end], plain[end + 1]) ? 2 : 1;
        var longer = SmsText.From(plain[..(end + width)], sizes);
        Assert.True(longer.PartCount > 1 || longer.Text == first.Text,
            $"{SampleTexts.Escaped(longer.Text)} fits one SMS too ({longer.Encoding}, {longer.Units})");
    }

    [Property]
    public void FirstSmsOf_never_splits_a_surrogate_pair_or_an_extension_character(MixedText text)
    {
        var first = SmsText.FirstSmsOf(text.Value);

        Assert.False(first.Text.Length > 0 && char.IsHighSurrogate(first.Text[^1]));
        Assert.True(first.Encoding == SmsEncoding.Ucs2 || GsmAlphabet.CanEncode(first.Text));
    }

    [Property]
    public void Look_alike_replacement_is_done_once_for_all(MixedText text)
    {
        var once = LookAlikes.Replace(text.Value);

        Assert.Equal(once, LookAlikes.Replace(once));
        Assert.Equal(once, SmsText.From(text.Value).Text);
        for (var i = 0; i < once.Length; i++)
        {
            var kept = once[i] is '\u200C' or '\u200D' && i > 0 && i + 1 < once.Length
                && GsmAlphabet.SeptetsOf(once[i - 1]) == 0 && GsmAlphabet.SeptetsOf(once[i + 1]) == 0;
            Assert.True(kept || LookAlikes.ReplacementOf(once[i]) is null, $"U+{(int)once[i]:X4} left at {i}");
        }
    }

    [Property]
    public void The_encoding_is_GSM_exactly_when_the_replaced_text_can_be_encoded(MixedText text)
    {
        var sms = SmsText.From(text.Value);

        Assert.Equal(GsmAlphabet.CanEncode(sms.Text), sms.Encoding == SmsEncoding.Gsm7);
        Assert.Equal(sms.Encoding == SmsEncoding.Gsm7 ? GsmAlphabet.CountSeptets(sms.Text) : sms.Text.Length, sms.Units);
        Assert.InRange(sms.Characters, sms.Text.Length == 0 ? 0 : 1, sms.Text.Length);
    }

    private static int Limit(SmsText sms, int partCount) => (sms.Encoding, partCount) switch
    {
        (SmsEncoding.Gsm7, 1) => sms.Sizes.SingleSeptets,
        (SmsEncoding.Gsm7, _) => sms.Sizes.PartSeptets,
        (_, 1) => sms.Sizes.SingleUnits,
        _ => sms.Sizes.PartUnits,
    };

    private static int Size(SmsText sms, string part) =>
        sms.Encoding == SmsEncoding.Gsm7 ? GsmAlphabet.CountSeptets(part) : part.Length;
}

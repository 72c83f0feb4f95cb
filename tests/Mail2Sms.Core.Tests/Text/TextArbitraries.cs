using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Mail2Sms.Core.Text;

namespace Mail2Sms.Core.Tests.Text;

/// <summary>A text that mixes GSM, extension characters, look-alikes, BMP characters outside GSM and emoji.</summary>
public sealed record MixedText(string Value)
{
    public override string ToString() => $"\"{SampleTexts.Escaped(Value)}\" ({Value.Length} units)";
}

/// <summary>A text of GSM 03.38 characters only, basic and extension.</summary>
public sealed record GsmText(string Value)
{
    public override string ToString() => $"\"{SampleTexts.Escaped(Value)}\"";
}

/// <summary>Unpacked septets, each 0..0x7F.</summary>
public sealed record Septets(byte[] Value)
{
    public override string ToString() => Convert.ToHexString(Value);
}

/// <summary>The FsCheck arbitraries of the text properties.</summary>
public static class TextArbitraries
{
    private static Gen<string> PieceOf((int Weight, string[] Pool)[] pools) =>
        Gen.Frequency(pools.Select(p => (p.Weight, Gen.Elements(p.Pool))));

    private static readonly Gen<int> Lengths = Gen.Frequency(
        (3, Gen.Choose(0, 1000)),
        (1, Gen.Elements(SampleTexts.BoundaryLengths)));

    private static Gen<string> TextOf(Gen<string> piece) =>
        Lengths.SelectMany(count => piece.ListOf(count)).Select(string.Concat);

    // Shorter texts first: halves, then each text element left out.
    private static IEnumerable<string> Shrink(string text)
    {
        if (text.Length == 0)
        {
            yield break;
        }

        var elements = StringInfo.ParseCombiningCharacters(text);
        if (elements.Length > 1)
        {
            var middle = elements[elements.Length / 2];
            yield return text[..middle];
            yield return text[middle..];
        }

        if (elements.Length <= 200)
        {
            for (var i = 0; i < elements.Length; i++)
            {
                var end = i + 1 < elements.Length ? elements[i + 1] : text.Length;
                yield return text[..elements[i]] + text[end..];
            }
        }
    }

    public static Arbitrary<MixedText> MixedText() =>
        Arb.From(
            Gen.Elements(SampleTexts.Profiles).SelectMany(profile => TextOf(PieceOf(profile.Pools))).Select(s => new MixedText(s)),
            text => Shrink(text.Value).Select(s => new MixedText(s)));

    public static Arbitrary<GsmText> GsmText() =>
        Arb.From(
            TextOf(Gen.Frequency(
                (4, Gen.Elements(SampleTexts.GsmBasic)),
                (1, Gen.Elements(SampleTexts.GsmExtension)))).Select(s => new GsmText(s)),
            text => Shrink(text.Value).Select(s => new GsmText(s)));

    public static Arbitrary<Septets> Septets() =>
        Arb.From(
            Gen.Choose(0, 1200).SelectMany(n => Gen.Choose(0, 0x7F).Select(b => (byte)b).ArrayOf(n)).Select(a => new Septets(a)),
            septets => septets.Value.Length == 0
                ? []
                : new[] { septets.Value[..(septets.Value.Length / 2)], septets.Value[1..] }.Select(a => new Septets(a)));

    public static Arbitrary<PartSizes> Sizes() =>
        Arb.From(Gen.Elements(PartSizes.EightBitReference, PartSizes.SixteenBitReference));
}

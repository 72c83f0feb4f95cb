using System.Globalization;
using Mail2Sms.Smpp;

namespace Mail2Sms.Core.Text;

/// <summary>How the text of an SMS travels.</summary>
public enum SmsEncoding
{
    /// <summary>GSM 03.38 default alphabet, 7-bit septets (data_coding 0).</summary>
    Gsm7,
    /// <summary>UCS-2, UTF-16 code units (data_coding 8).</summary>
    Ucs2,
}

/// <summary>
/// How much one SMS and one part of a long SMS hold. Parts carry a user data header, so they hold
/// less than a single SMS: 153 septets or 67 units with 8-bit references, 152 or 66 with 16-bit ones.
/// </summary>
/// <param name="SingleSeptets">Septets of an SMS that is not split.</param>
/// <param name="PartSeptets">Septets of one part of a long SMS.</param>
/// <param name="SingleUnits">UCS-2 units of an SMS that is not split.</param>
/// <param name="PartUnits">UCS-2 units of one part of a long SMS.</param>
public sealed record PartSizes(int SingleSeptets, int PartSeptets, int SingleUnits, int PartUnits)
{
    /// <summary>Septets of one part; at least 2, so an extension character always fits.</summary>
    public int PartSeptets { get; init; } = PartSeptets >= 2 ? PartSeptets
        : throw new ArgumentOutOfRangeException(nameof(PartSeptets), "A part holds at least 2 septets.");

    /// <summary>UCS-2 units of one part; at least 2, so a surrogate pair always fits.</summary>
    public int PartUnits { get; init; } = PartUnits >= 2 ? PartUnits
        : throw new ArgumentOutOfRangeException(nameof(PartUnits), "A part holds at least 2 units.");

    /// <summary>Concatenation with an 8-bit reference (UDH IEI 0x00, 6 octets): 160/153 septets, 70/67 units.</summary>
    public static PartSizes EightBitReference { get; } = new(160, 153, 70, 67);

    /// <summary>Concatenation with a 16-bit reference (UDH IEI 0x08, 7 octets): 160/152 septets, 70/66 units.</summary>
    public static PartSizes SixteenBitReference { get; } = new(160, 152, 70, 66);
}

/// <summary>
/// The text of one SMS, decided: look-alikes replaced, its encoding, its size in septets or units,
/// and the parts it is split into.
/// </summary>
public sealed class SmsText
{
    private SmsText(string text, SmsEncoding encoding, int units, PartSizes sizes)
    {
        Text = text;
        Encoding = encoding;
        Units = units;
        Sizes = sizes;
        PartCount = CountParts(text, encoding, units, sizes);
    }

    /// <summary>The text as it will be sent.</summary>
    public string Text { get; }

    /// <summary>GSM 7-bit when every character is in GSM 03.38, else UCS-2.</summary>
    public SmsEncoding Encoding { get; }

    /// <summary>Septets (GSM) or UTF-16 units (UCS-2) of the whole text.</summary>
    public int Units { get; }

    /// <summary>The part sizes the text was counted with.</summary>
    public PartSizes Sizes { get; }

    /// <summary>Number of SMS parts; each costs one credit.</summary>
    public int PartCount { get; }

    /// <summary>Characters as a person counts them: one per grapheme, an emoji or <c>€</c> included.</summary>
    public int Characters => CountCharacters(Text);

    /// <summary>Decides the encoding and size of <paramref name="text"/> after replacing its look-alikes.</summary>
    public static SmsText From(string text, PartSizes? sizes = null)
    {
        sizes ??= PartSizes.EightBitReference;
        var plain = LookAlikes.Replace(text);
        var septets = GsmAlphabet.CountSeptets(plain);
        return septets >= 0
            ? new SmsText(plain, SmsEncoding.Gsm7, septets, sizes)
            : new SmsText(plain, SmsEncoding.Ucs2, plain.Length, sizes);
    }

    /// <summary>
    /// The longest beginning of <paramref name="text"/> (look-alikes replaced) that fits one SMS:
    /// 160 septets while the text is GSM, else 70 UCS-2 units. An extension character or a
    /// surrogate pair that does not fit whole is left out whole.
    /// </summary>
    public static SmsText FirstSmsOf(string text, PartSizes? sizes = null)
    {
        sizes ??= PartSizes.EightBitReference;
        var plain = LookAlikes.Replace(text);
        var gsmLength = GsmPrefixLength(plain, sizes.SingleSeptets, out var stoppedAtNonGsm);
        if (!stoppedAtNonGsm || gsmLength >= sizes.SingleUnits)
        {
            return From(plain[..gsmLength], sizes);
        }

        var ucs2Length = Math.Min(plain.Length, sizes.SingleUnits);
        if (ucs2Length < plain.Length && char.IsHighSurrogate(plain[ucs2Length - 1]))
        {
            ucs2Length--;
        }

        return From(plain[..ucs2Length], sizes);
    }

    private static int GsmPrefixLength(string text, int maxSeptets, out bool stoppedAtNonGsm)
    {
        var septets = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var cost = GsmAlphabet.SeptetsOf(text[i]);
            if (cost == 0)
            {
                stoppedAtNonGsm = true;
                return i;
            }

            if (septets + cost > maxSeptets)
            {
                stoppedAtNonGsm = false;
                return i;
            }

            septets += cost;
        }

        stoppedAtNonGsm = false;
        return text.Length;
    }

    /// <summary>
    /// Splits the text into the parts it is sent as: as many characters as fit, never splitting an
    /// extension character (escape and septet stay in one part) or a surrogate pair, so a part may
    /// fall one septet or unit short of full.
    /// </summary>
    public IReadOnlyList<string> SplitParts()
    {
        var parts = new List<string>(PartCount);
        WalkParts(Text, Encoding, Units, Sizes, parts);
        return parts;
    }

    private static int CountParts(string text, SmsEncoding encoding, int units, PartSizes sizes) =>
        WalkParts(text, encoding, units, sizes, parts: null);

    // One walk both counts and (when asked) cuts, so the credit cost is always the number of parts sent.
    private static int WalkParts(string text, SmsEncoding encoding, int units, PartSizes sizes, List<string>? parts)
    {
        var (single, limit) = encoding == SmsEncoding.Gsm7
            ? (sizes.SingleSeptets, sizes.PartSeptets)
            : (sizes.SingleUnits, sizes.PartUnits);
        if (units <= single)
        {
            parts?.Add(text);
            return 1;
        }

        var count = 1;
        var start = 0;
        var used = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var width = encoding == SmsEncoding.Gsm7 ? GsmAlphabet.SeptetsOf(text[i]) : Ucs2WidthAt(text, i);
            if (used + width > limit)
            {
                parts?.Add(text[start..i]);
                count++;
                start = i;
                used = 0;
            }

            used += width;
            if (encoding == SmsEncoding.Ucs2 && width == 2)
            {
                i++;
            }
        }

        parts?.Add(text[start..]);
        return count;
    }

    private static int Ucs2WidthAt(string text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;

    /// <summary>Characters as a person counts them (extended grapheme clusters).</summary>
    public static int CountCharacters(string text) => new StringInfo(text).LengthInTextElements;

    /// <inheritdoc />
    public override string ToString() => Text;
}

namespace Mail2Sms.Core.Tests.Text;

/// <summary>
/// The characters that SMS text mixes in real mail: the GSM 03.38 tables (written out from 3GPP
/// TS 23.038, independently of the code under test), the look-alikes that Outlook and phones
/// insert, BMP characters outside GSM, and emoji from a single pair to a ZWJ family. Used by the
/// FsCheck generators and, with a seeded <see cref="Random"/>, by the cross-check.
/// </summary>
internal static class SampleTexts
{
    /// <summary>Septets 0x00..0x7F of the default alphabet, row by row; 0x1B is the escape.</summary>
    public static readonly string[] BasicRows =
    [
        "@\u00A3$\u00A5\u00E8\u00E9\u00F9\u00EC\u00F2\u00C7\n\u00D8\u00F8\r\u00C5\u00E5",
        "\u0394_\u03A6\u0393\u039B\u03A9\u03A0\u03A8\u03A3\u0398\u039E\u001B\u00C6\u00E6\u00DF\u00C9",
        " !\"#\u00A4%&'()*+,-./",
        "0123456789:;<=>?",
        "\u00A1ABCDEFGHIJKLMNO",
        "PQRSTUVWXYZ\u00C4\u00D6\u00D1\u00DC\u00A7",
        "\u00BFabcdefghijklmno",
        "pqrstuvwxyz\u00E4\u00F6\u00F1\u00FC\u00E0",
    ];

    /// <summary>The extension table: character and the septet that follows the escape.</summary>
    public static readonly (char Character, byte Septet)[] ExtensionTable =
    [
        ('\f', 0x0A), ('^', 0x14), ('{', 0x28), ('}', 0x29), ('\\', 0x2F),
        ('[', 0x3C), ('~', 0x3D), (']', 0x3E), ('|', 0x40), ('\u20AC', 0x65),
    ];

    /// <summary>The 127 characters of the basic table (the escape left out), one per string.</summary>
    public static readonly string[] GsmBasic =
        string.Concat(BasicRows).Where((_, septet) => septet != 0x1B).Select(c => c.ToString()).ToArray();

    public static readonly string[] GsmExtension = ExtensionTable.Select(e => e.Character.ToString()).ToArray();

    /// <summary>Plain letters, digits and spaces, so that most generated text reads like text.</summary>
    public static readonly string[] Plain =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789      .,".Select(c => c.ToString()).ToArray();

    public static readonly string[] LineBreaks = ["\n", "\r\n", "\r"];

    public static readonly string[] LookAlike =
    [
        "\u2018", "\u2019", "\u201C", "\u201D", "\u201E", "\u00AB", "\u00BB", "\u2013", "\u2014", "\u2212",
        "\u2026", "\u00A0", "\u202F", "\u2003", "\t", "\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD",
    ];

    public static readonly string[] BmpOutsideGsm =
    [
        "\u00E7", "\u00E1", "\u00EA", "\u00C0", "`", "\u00B0", "\u00A2", "\u00A9", "\u0436", "\u041F",
        "\u4E2D", "\u6587", "\u0627", "\u05D0", "\u03B1", "\u0915", "\u094D", "\u0301", "\u2764", "\uFE0F",
        "\u2126", "\u0E01",
    ];

    public static readonly string[] Emoji =
    [
        "\uD83D\uDE00", "\uD83D\uDC4D", "\uD83D\uDD25", "\uD83D\uDE80", "\uD83D\uDCA9", "\uD834\uDD1E",
        "\uD83D\uDC4D\uD83C\uDFFD", // thumbs up, medium skin tone
        "\uD83C\uDDE6\uD83C\uDDFA", // flag of Australia
        "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", // family
        "\u2764\uFE0F\u200D\uD83D\uDD25", // heart on fire
        "1\uFE0F\u20E3", // keycap one
        "\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08", // rainbow flag
    ];

    /// <summary>How a text mixes the pools: each pool with its weight.</summary>
    public static readonly (string Name, (int Weight, string[] Pool)[] Pools)[] Profiles =
    [
        ("plain GSM", [(20, Plain), (2, GsmBasic), (1, LineBreaks)]),
        ("GSM with extension characters", [(10, Plain), (3, GsmBasic), (3, GsmExtension), (1, LineBreaks)]),
        ("GSM with look-alikes", [(10, Plain), (2, GsmBasic), (1, GsmExtension), (3, LookAlike)]),
        ("GSM with a rare outsider", [(200, Plain), (20, GsmBasic), (10, GsmExtension), (10, LookAlike), (1, BmpOutsideGsm), (1, Emoji)]),
        ("everything", [(4, Plain), (2, GsmBasic), (2, GsmExtension), (2, LookAlike), (2, BmpOutsideGsm), (2, Emoji), (1, LineBreaks)]),
        ("mostly BMP outside GSM", [(2, Plain), (1, GsmExtension), (10, BmpOutsideGsm), (1, LookAlike)]),
        ("mostly emoji", [(3, Plain), (1, GsmExtension), (1, BmpOutsideGsm), (8, Emoji), (1, LookAlike)]),
    ];

    /// <summary>Piece counts at and around the part boundaries (in units of a one-unit piece).</summary>
    public static readonly int[] BoundaryLengths =
    [
        .. Enumerable.Range(65, 8), .. Enumerable.Range(130, 8), .. Enumerable.Range(150, 14),
        .. Enumerable.Range(198, 6), .. Enumerable.Range(302, 8), .. Enumerable.Range(455, 8),
    ];

    /// <summary>A text drawn with <paramref name="random"/>: one profile, then up to 1000 pieces of it.</summary>
    public static string Next(Random random)
    {
        var (_, pools) = Profiles[random.Next(Profiles.Length)];
        var count = random.Next(4) == 0
            ? BoundaryLengths[random.Next(BoundaryLengths.Length)]
            : random.Next(1001);
        var total = pools.Sum(p => p.Weight);
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var pick = random.Next(total);
            foreach (var (weight, pool) in pools)
            {
                if (pick < weight)
                {
                    text.Append(pool[random.Next(pool.Length)]);
                    break;
                }

                pick -= weight;
            }
        }

        return text.ToString();
    }

    /// <summary>A text for a failure message: every character outside printable ASCII as \uXXXX.</summary>
    public static string Escaped(string text) =>
        string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}"));
}

using System.Text;
using System.Text.Json;
using Mail2Sms.Core.Text;
using Mail2Sms.Smpp;
using Mail2Sms.Tests.Shared;
using Xunit.Abstractions;

namespace Mail2Sms.Core.Tests.Text;

/// <summary>
/// Checks encoding, size and part count against an independent implementation: Twilio's
/// message-segment-calculator (npm <c>sms-segments-calculator</c>, pinned in <c>node/package-lock.json</c>),
/// installed with <c>npm ci</c> on first use next to the copied <c>node/segments.js</c>. The calculator
/// is fed our text after look-alike replacement, a documented step of ours.
/// </summary>
public sealed class NodeSegmentsCrossCheckTests(ITestOutputHelper output)
{
    private const int Seed = 20_260_316;
    private const int CorpusSize = 5_000;
    private const string Zhe = "\u0436";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string NodeFolder => Path.Combine(AppContext.BaseDirectory, "node");

    private static string Repeat(string s, int count) => string.Concat(Enumerable.Repeat(s, count));

    /// <summary>
    /// Where the calculator and we part ways, on purpose. The calculator never splits a grapheme
    /// cluster (it cuts the text into graphemes first and fills parts with whole ones); we keep only
    /// surrogate pairs whole (FORMATS.md "Sizes and parts"), as 3GPP TS 23.040 asks no more: the
    /// parts of a concatenated SMS are joined again before the phone shows the text, so a cluster
    /// cut across two parts arrives whole. Keeping clusters whole would cost the sender extra parts
    /// (credits) for nothing, and a long cluster could never be sent at all.
    /// </summary>
    public static readonly KnownDifference[] KnownDifferences =
    [
        new("a ZWJ family emoji (8 units) across the first part boundary",
            Repeat(Zhe, 63) + "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67" + Repeat(Zhe, 60), OurParts: 2, CalculatorParts: 3),
        new("a flag (two regional indicators, 4 units) across the first part boundary",
            Repeat(Zhe, 65) + "\uD83C\uDDE6\uD83C\uDDFA" + Repeat(Zhe, 64), OurParts: 2, CalculatorParts: 3),
        new("an emoji with a skin tone (4 units) across the first part boundary",
            Repeat(Zhe, 65) + "\uD83D\uDC4D\uD83C\uDFFD" + Repeat(Zhe, 64), OurParts: 2, CalculatorParts: 3),
        new("a keycap (digit, variation selector, enclosing keycap) across the first part boundary",
            Repeat(Zhe, 66) + "1\uFE0F\u20E3" + Repeat(Zhe, 65), OurParts: 2, CalculatorParts: 3),
        new("a letter and its combining accent across the first part boundary",
            Repeat(Zhe, 66) + "e\u0301" + Repeat(Zhe, 66), OurParts: 2, CalculatorParts: 3),
    ];

    /// <summary>Boundary cases where both must give the same answer.</summary>
    public static readonly (string Name, string Text)[] BoundaryCases =
    [
        ("empty", ""),
        ("160 GSM", new string('a', 160)),
        ("161 GSM", new string('a', 161)),
        ("306 GSM", new string('a', 306)),
        ("307 GSM", new string('a', 307)),
        ("80 euros", Repeat("\u20AC", 80)),
        ("81 euros", Repeat("\u20AC", 81)),
        ("a euro at the 153rd septet", new string('a', 152) + "\u20AC" + new string('b', 152)),
        ("a form feed at the 153rd septet", new string('a', 152) + "\f" + new string('b', 152)),
        ("CRLF line breaks", Repeat("line\r\n", 40)),
        ("70 UCS-2", Repeat(Zhe, 70)),
        ("71 UCS-2", Repeat(Zhe, 71)),
        ("134 UCS-2", Repeat(Zhe, 134)),
        ("135 UCS-2", Repeat(Zhe, 135)),
        ("an emoji at the 67th unit", Repeat(Zhe, 66) + "\uD83D\uDE00" + Repeat(Zhe, 67)),
        ("35 emoji", Repeat("\uD83D\uDE00", 35)),
        ("36 emoji", Repeat("\uD83D\uDE00", 36)),
        ("a euro in UCS-2 text", Repeat("\u20AC", 70) + Zhe),
        ("look-alikes that leave GSM text", Repeat("\u201CAlert\u201D \u2013 disk full\u2026 ", 8)),
        ("c cedilla, small and capital", "\u00C7a va? \u00E7a va."),
    ];

    [Fact]
    public async Task The_calculator_agrees_on_encoding_size_and_parts_at_the_boundaries()
    {
        var results = await CountWithCalculatorAsync(BoundaryCases.Select(c => SmsText.From(c.Text).Text));

        Assert.All(BoundaryCases.Zip(results), pair =>
        {
            var ((name, text), theirs) = pair;
            var ours = SmsText.From(text);
            Assert.True(Agrees(ours, theirs), $"{name}: ours {Describe(ours)}, calculator {theirs}");
        });
    }

    [Fact]
    public async Task Every_BMP_character_alone_has_the_same_encoding_and_size_in_both()
    {
        var characters = Enumerable.Range(0, char.MaxValue + 1)
            .Where(c => !char.IsSurrogate((char)c))
            .Select(c => ((char)c).ToString())
            .ToList();

        var results = await CountWithCalculatorAsync(characters.Select(c => SmsText.From(c).Text));

        var disagreements = characters.Zip(results)
            .Where(pair => !Agrees(SmsText.From(pair.First), pair.Second))
            .Select(pair => $"U+{(int)pair.First[0]:X4}: ours {Describe(SmsText.From(pair.First))}, calculator {pair.Second}")
            .ToList();
        Assert.Empty(disagreements);
    }

    [Fact]
    public async Task Each_known_difference_is_what_it_says()
    {
        var results = await CountWithCalculatorAsync(KnownDifferences.Select(d => SmsText.From(d.Text).Text));

        Assert.All(KnownDifferences.Zip(results), pair =>
        {
            var (known, theirs) = pair;
            var ours = SmsText.From(known.Text);
            Assert.Equal(SmsEncoding.Ucs2, ours.Encoding);
            Assert.Equal("UCS-2", theirs.Encoding);
            Assert.Equal(ours.Units * 16, theirs.Bits);
            Assert.True(known.OurParts == ours.PartCount, $"{known.Name}: we count {ours.PartCount} parts");
            Assert.True(known.CalculatorParts == theirs.Segments, $"{known.Name}: the calculator counts {theirs.Segments} parts");
            Assert.True(IsExplainedByWholeClusters(ours, theirs), $"{known.Name}: not explained by a cluster kept whole");
        });
    }

    [Fact]
    public async Task Five_thousand_generated_texts_agree_but_for_the_known_differences()
    {
        var random = new Random(Seed);
        var corpus = Enumerable.Range(0, CorpusSize).Select(_ => SampleTexts.Next(random)).ToList();
        var ours = corpus.Select(text => SmsText.From(text)).ToList();

        var results = await CountWithCalculatorAsync(ours.Select(sms => sms.Text));

        var agreed = 0;
        var clustersKeptWhole = new List<string>();
        var unexplained = new List<string>();
        for (var i = 0; i < corpus.Count; i++)
        {
            var (sms, theirs) = (ours[i], results[i]);
            if (Agrees(sms, theirs))
            {
                agreed++;
            }
            else if (IsExplainedByWholeClusters(sms, theirs))
            {
                clustersKeptWhole.Add($"#{i}: ours {sms.PartCount}, calculator {theirs.Segments}");
            }
            else
            {
                unexplained.Add($"#{i} \"{SampleTexts.Escaped(sms.Text)}\": ours {Describe(sms)}, calculator {theirs}");
            }
        }

        output.WriteLine($"{CorpusSize} texts (seed {Seed}): {ours.Count(s => s.Encoding == SmsEncoding.Gsm7)} GSM, "
            + $"{ours.Count(s => s.Encoding == SmsEncoding.Ucs2)} UCS-2, {ours.Count(s => s.PartCount == 1)} single SMS, up to {ours.Max(s => s.PartCount)} parts.");
        output.WriteLine($"{agreed} agree; {clustersKeptWhole.Count} differ only because the calculator keeps a grapheme cluster whole.");
        foreach (var line in clustersKeptWhole.Take(20))
        {
            output.WriteLine($"  {line}");
        }

        Assert.Empty(unexplained);
        Assert.Equal(CorpusSize, agreed + clustersKeptWhole.Count);
    }

    private static bool Agrees(SmsText ours, CalculatorResult theirs) =>
        theirs.Encoding == (ours.Encoding == SmsEncoding.Gsm7 ? "GSM-7" : "UCS-2")
        && theirs.Bits == ours.Units * (ours.Encoding == SmsEncoding.Gsm7 ? 7 : 16)
        && theirs.Segments == ours.PartCount;

    private static string Describe(SmsText sms) => $"{sms.Encoding}, {sms.Units} units, {sms.PartCount} parts";

    /// <summary>
    /// True when the only difference is the part count, the calculator's count is what our own
    /// splitting gives once its multi-code-point grapheme clusters are kept whole, and one of those
    /// clusters does straddle a boundary between our parts.
    /// </summary>
    private static bool IsExplainedByWholeClusters(SmsText ours, CalculatorResult theirs)
    {
        if (theirs.Encoding != (ours.Encoding == SmsEncoding.Gsm7 ? "GSM-7" : "UCS-2")
            || theirs.Bits != ours.Units * (ours.Encoding == SmsEncoding.Gsm7 ? 7 : 16)
            || theirs.Segments <= ours.PartCount)
        {
            return false;
        }

        var boundaries = new HashSet<int>();
        var offset = 0;
        foreach (var part in ours.SplitParts())
        {
            offset += part.Length;
            boundaries.Add(offset);
        }

        var straddles = theirs.Clusters.Any(c => Enumerable.Range(c[0] + 1, c[1] - 1).Any(boundaries.Contains));
        return straddles && PartsKeepingClustersWhole(ours, theirs.Clusters) == theirs.Segments;
    }

    // Our splitting rule, with each given cluster taken as one piece that cannot be split.
    private static int PartsKeepingClustersWhole(SmsText sms, int[][] clusters)
    {
        var gsm = sms.Encoding == SmsEncoding.Gsm7;
        var (single, limit) = gsm ? (sms.Sizes.SingleSeptets, sms.Sizes.PartSeptets) : (sms.Sizes.SingleUnits, sms.Sizes.PartUnits);
        if (sms.Units <= single)
        {
            return 1;
        }

        var clusterAt = clusters.ToDictionary(c => c[0], c => c[1]);
        var text = sms.Text;
        var (parts, used) = (1, 0);
        for (var i = 0; i < text.Length;)
        {
            var length = clusterAt.TryGetValue(i, out var clusterLength) ? clusterLength
                : i + 1 < text.Length && char.IsSurrogatePair(text[i], text[i + 1]) ? 2 : 1;
            var width = gsm ? GsmAlphabet.CountSeptets(text.AsSpan(i, length)) : length;
            if (used + width > limit)
            {
                parts++;
                used = 0;
            }

            used += width;
            i += length;
        }

        return parts;
    }

    private static async Task<IReadOnlyList<CalculatorResult>> CountWithCalculatorAsync(IEnumerable<string> texts)
    {
        Assert.True(File.Exists(Path.Combine(NodeFolder, "segments.js")), $"segments.js was not copied to {NodeFolder}");
        await NodePackages.EnsureInstalledAsync(NodeFolder, "sms-segments-calculator");

        var input = new StringBuilder();
        var count = 0;
        foreach (var text in texts)
        {
            input.Append(JsonSerializer.Serialize(text)).Append('\n');
            count++;
        }

        var (exitCode, stdout, stderr) = await NodePackages.RunAsync(NodeFolder, "node", ["segments.js"], input.ToString(), TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, $"node segments.js failed ({exitCode}):\n{stderr}");
        var results = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<CalculatorResult>(line, Json)!)
            .ToList();
        Assert.True(results.Count == count, $"node segments.js answered {results.Count} of {count} texts:\n{stderr}");
        return results;
    }

    /// <summary>A text on which the calculator and we count differently, and how each counts it.</summary>
    public sealed record KnownDifference(string Name, string Text, int OurParts, int CalculatorParts)
    {
        public override string ToString() => Name;
    }

    /// <summary>One answer of <c>segments.js</c>.</summary>
    public sealed record CalculatorResult(string Encoding, int Segments, int Bits, int[][] Clusters)
    {
        public override string ToString() => $"{Encoding}, {Bits} bits, {Segments} parts";
    }
}

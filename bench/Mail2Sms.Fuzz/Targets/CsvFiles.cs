using System.Text;
using Mail2Sms.Core.Formats;
using MimeKit;

namespace Mail2Sms.Fuzz;

/// <summary>
/// The <c>csv</c> target: a CSV file mutated from real exports (the attachments of the format 4 fixtures
/// and a few of each kind Excel, Sheets and PowerShell write), read whole by <see cref="CsvRows"/>,
/// which must hold its own bounds for every row.
/// </summary>
internal static class CsvFiles
{
    private static readonly byte[][] Samples = [.. new[]
    {
        "Number,Message\r\n0412345678,Server 23 is down\r\n0412345679,\"Rack 4, shelf 2\"\r\n",
        "0412345678;Server 23, rack 4\r\n6,14091E+11;text\r\n",
        "\"Mobile\",\"Text\"\n\"+61 412 345 678\",\"line one\nline two with \"\"quotes\"\"\"\n,,,,\n",
        "61412345678,hi,note in column C,,\n61412345679,second\n\n\n",
    }.Select(Encoding.UTF8.GetBytes),
        [0xEF, 0xBB, 0xBF, .. "0412345678,Café ünïcode 😀\r\n"u8],
        [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("\"Number\"\t\"Message\"\r\n\"0412345678\",\"UTF-16 from Export-Csv\"\r\n")],
        [.. "0412345678,caf"u8, 0xE9, .. " na"u8, 0xEF, .. "ve "u8, 0x80, .. " Windows-1252\r\n"u8]];

    private static readonly byte[][] Tokens = [.. new[]
    {
        "\"", "\"\"", ",", ";", "\r\n", "\n", "\r", "\0", " ", "\t", "0412345678", "+61412345678", "6,14091E+11", "\"0412345678\",\"hi\"\r\n",
        ",,,,,,,,,,,,,,,,,,,,", "[SENDER]", "PW=secret", "=cmd|' /C calc'!A0", "😀", "\uFEFF",
    }.Select(Encoding.UTF8.GetBytes),
        [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0xFE, 0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]];

    /// <summary>The target; <paramref name="fixtures"/> is the folder of <c>.eml</c> fixtures whose CSV attachments join the seeds.</summary>
    public static FuzzTarget Target(string? fixtures)
    {
        var seeds = Seeds(fixtures);
        return new FuzzTarget("csv", random => Generate(random, seeds), Read);
    }

    /// <summary>The built-in samples and the CSV attachments of the <c>.eml</c> files in <paramref name="fixtures"/>.</summary>
    public static IReadOnlyList<byte[]> Seeds(string? fixtures) => [.. Samples, .. Attachments(fixtures)];

    /// <summary>Reads every row and checks the bounds <see cref="CsvRows"/> promises.</summary>
    public static void Read(byte[] file)
    {
        using var rows = CsvRows.Open(new MemoryStream(file, writable: false));
        var line = 0;
        foreach (var row in rows.ReadAll())
        {
            if (row.Line <= line)
            {
                throw new FuzzInvariantException($"row line {row.Line} does not follow line {line}");
            }

            line = row.Line;
            if (row.Fields.Count > CsvRows.MaxFields || row.Fields.Any(f => f.Length > CsvRows.MaxFieldLength))
            {
                throw new FuzzInvariantException($"row on line {row.Line} holds {row.Fields.Count} fields, the longest {row.Fields.Max(f => f.Length)} characters");
            }

            _ = row.IsBlank;
        }
    }

    private static IEnumerable<byte[]> Attachments(string? fixtures)
    {
        if (fixtures is null || !Directory.Exists(fixtures))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(fixtures, "*.eml").Order(StringComparer.Ordinal))
        {
            foreach (var part in MimeMessage.Load(file).Attachments.OfType<MimePart>()
                .Where(p => p.FileName?.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) == true))
            {
                using var content = new MemoryStream();
                part.Content?.DecodeTo(content);
                yield return content.ToArray();
            }
        }
    }

    /// <summary>A malformed CSV file: a mutated seed, rows of random fields, or a seed in another encoding.</summary>
    public static byte[] Generate(Random random, IReadOnlyList<byte[]> seeds)
    {
        var seed = seeds[random.Next(seeds.Count)];
        return random.Next(10) switch
        {
            < 7 => Mutations.Havoc(random, seed, seeds, Tokens),
            7 or 8 => Rows(random),
            _ => Reencoded(random, seed),
        };
    }

    private static byte[] Rows(Random random)
    {
        var file = new List<byte>();
        var rows = random.Next(16) == 0 ? random.Next(5_000) : random.Next(50);
        for (var r = 0; r < rows; r++)
        {
            var fields = random.Next(16) == 0 ? random.Next(100) : random.Next(4);
            for (var f = 0; f < fields; f++)
            {
                var quoted = random.Next(3) == 0;
                if (quoted)
                {
                    file.Add((byte)'"');
                }

                file.AddRange(Tokens[random.Next(Tokens.Length)]);
                if (quoted)
                {
                    file.Add((byte)'"');
                }

                file.Add(random.Next(20) == 0 ? (byte)';' : (byte)',');
            }

            file.AddRange(random.Next(3) switch { 0 => "\r\n"u8, 1 => "\n"u8, _ => "\r"u8 });
        }

        return [.. file];
    }

    private static byte[] Reencoded(Random random, byte[] seed)
    {
        var text = Encoding.UTF8.GetString(seed);
        var (bom, encoding) = random.Next(3) switch
        {
            0 => (new byte[] { 0xFF, 0xFE }, Encoding.Unicode),
            1 => ([0xFE, 0xFF], Encoding.BigEndianUnicode),
            _ => ([], Encoding.Latin1),
        };
        byte[] file = [.. bom, .. encoding.GetBytes(text)];
        // An odd length cuts a UTF-16 file mid-character.
        return random.Next(2) == 0 && file.Length > 0 ? file[..^1] : file;
    }
}

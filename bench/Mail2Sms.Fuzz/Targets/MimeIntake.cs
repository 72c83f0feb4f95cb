using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using MimeKit;

namespace Mail2Sms.Fuzz;

/// <summary>
/// The <c>mime-intake</c> target: an email mutated from the fixture corpus (byte havoc, deep nesting,
/// long folded headers, odd charsets and transfer encodings, a malformed CSV for bulksms@), parsed with
/// MimeKit and decided by intake as <c>serve</c> does: <see cref="SenderFacts.Read"/>, then
/// <see cref="IntakeRules.Decide"/>. An input is one envelope line (tab-separated: MAIL FROM, RCPT TO
/// list, account ID, country, relaxed, max parts, 16-bit references, answers a reply) and the email,
/// so a saved input replays alone.
/// </summary>
internal static partial class MimeIntake
{
    private static readonly string[] GatewayDomains = ["mail.completesms.net"];

    private static readonly string[] Charsets =
        ["utf-7", "ucs-2", "utf-16", "utf-32", "iso-2022-jp", "gb18030", "x-unknown", "", "windows-1252", "utf-8\0", "iso-8859-1'en'", "\"", "big5"];

    private static readonly string[] TransferEncodings = ["base64", "quoted-printable", "x-uuencode", "binhex", "7bit", "8bit", "binary", "x-bogus", ""];

    private static readonly byte[][] Tokens = [.. new[]
    {
        "\r\n", "\r\n\r\n", "\n", "--", "--b0--\r\n", "\r\n--b0\r\n", "Content-Type: multipart/mixed; boundary=\"b0\"\r\n", "Content-Type: message/rfc822\r\n",
        "Content-Transfer-Encoding: base64\r\n", "Content-Transfer-Encoding: quoted-printable\r\n", "=?utf-8?B?", "=?iso-8859-1?Q?=E9?=", "?=",
        "charset=utf-7", "=\r\n", "=FF", "=F0=9F", "begin 644 a.csv\r\n", "filename*0*=utf-8''%E9", "Content-Disposition: attachment; filename=\"CI00123456161223151959.csv\"\r\n",
        "\r\n\t", "\r\n ", "> ", "-- \r\n", "From: ", "Sender: ", "Resent-From: <>\r\n", "Auto-Submitted: auto-replied\r\n", "<html><body>", "&nbsp;", "&#x1F600;",
        "[SENDER]\r\nID=CI00123456\r\nPW=secret\r\n", "X-Cellphone: 0412345678\r\n", "[1]\r\nName=a\r\nNumber=0412345678\r\nMessage=hi\r\n", "SMS:", "\0", "\u200B", "😀",
        "0412345678,hi\r\n", "\"",
    }.Select(Encoding.UTF8.GetBytes)];

    /// <summary>A fixture email with the envelope and account it is received for.</summary>
    private sealed record Seed(string EnvelopeLine, byte[] Email);

    /// <summary>The target, seeded with every <c>.eml</c> and its <c>.json</c> in <paramref name="fixtures"/>.</summary>
    public static FuzzTarget Target(string fixtures)
    {
        var seeds = Seeds(fixtures);
        if (seeds.Count == 0)
        {
            throw new ArgumentException($"no .eml fixtures in {fixtures}", nameof(fixtures));
        }

        var emails = seeds.Select(s => s.Email).ToList();
        var recipients = seeds.SelectMany(s => s.EnvelopeLine.Split('\t')[1].Split(',')).Distinct(StringComparer.Ordinal).ToList();
        var csvFiles = CsvFiles.Seeds(fixtures);
        return new FuzzTarget("mime-intake", random => Generate(random, seeds, emails, recipients, csvFiles), Run);
    }

    /// <summary>Parses the email and decides it; only MimeKit's <see cref="FormatException"/> (not an email at all) is an expected outcome.</summary>
    public static void Run(byte[] input)
    {
        var newline = Array.IndexOf(input, (byte)'\n');
        var fields = Encoding.UTF8.GetString(input, 0, newline).Split('\t');
        var envelope = new Envelope(fields[0], fields[1].Split(','));
        var account = new Account(fields[2], fields[3].Length == 0 ? null : fields[3], fields[4] == "1",
            int.Parse(fields[5], CultureInfo.InvariantCulture), fields[6] == "1" ? PartSizes.SixteenBitReference : PartSizes.EightBitReference);
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(new MemoryStream(input, newline + 1, input.Length - newline - 1, writable: false));
        }
        catch (FormatException)
        {
            // serve answers such an email 451 (GatewayMessageStore): the sender is told, nothing else happens.
            return;
        }

        var facts = SenderFacts.Read(message, envelope, GatewayDomains);
        var decision = IntakeRules.Decide(facts, account, fields[7] == "1");
        _ = decision switch
        {
            Rejection rejection => rejection.Reasons.Sum(r => r.Text.Length),
            Acceptance acceptance => acceptance.Messages.Sum(m => m.Text.Text.Length) + acceptance.Failures.Sum(f => f.ToString().Length),
            _ => throw new FuzzInvariantException($"intake decided neither to accept nor to reject: {decision}"),
        };
    }

    private static List<Seed> Seeds(string fixtures)
    {
        var seeds = new List<Seed>();
        foreach (var eml in Directory.EnumerateFiles(fixtures, "*.eml").Order(StringComparer.Ordinal))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(eml, ".json")));
            var spec = json.RootElement;
            var envelope = spec.GetProperty("envelope");
            var account = spec.TryGetProperty("account", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
            string Field(string name, string fallback) => account.ValueKind == JsonValueKind.Object && account.TryGetProperty(name, out var v)
                ? v.ValueKind switch { JsonValueKind.True => "1", JsonValueKind.False => "0", JsonValueKind.Null => string.Empty, _ => v.ToString() }
                : fallback;
            var line = string.Join('\t',
                envelope.GetProperty("mailFrom").GetString(),
                string.Join(',', envelope.GetProperty("rcptTo").EnumerateArray().Select(r => r.GetString())),
                Field("id", "CI00123456"), Field("country", "AU"), Field("relaxed", "0"), Field("maxParts", "12"), Field("sixteenBitReferences", "0"),
                spec.TryGetProperty("answersGatewayReply", out var answers) && answers.GetBoolean() ? "1" : "0");
            seeds.Add(new Seed(line, File.ReadAllBytes(eml)));
        }

        return seeds;
    }

    private static byte[] Generate(Random random, List<Seed> seeds, List<byte[]> emails, List<string> recipients, IReadOnlyList<byte[]> csvFiles)
    {
        var seed = seeds[random.Next(seeds.Count)];
        var envelopeLine = seed.EnvelopeLine;
        if (random.Next(5) == 0)
        {
            // Another mix of the corpus's recipients: several formats in one email, or gateway and ordinary ones.
            var fields = envelopeLine.Split('\t');
            fields[1] = string.Join(',', Enumerable.Range(0, 1 + random.Next(3)).Select(_ => recipients[random.Next(recipients.Count)]));
            envelopeLine = string.Join('\t', fields);
        }

        var email = (Environment.GetEnvironmentVariable("S") is { } st ? int.Parse(st, CultureInfo.InvariantCulture) : random.Next(10)) switch
        {
            < 6 => Mutations.Havoc(random, seed.Email, emails, Tokens),
            6 => DeepNesting(random, seed.Email),
            7 => LongFoldedHeader(random, seed.Email),
            8 => OddCharsets(random, seed.Email),
            _ => BulkCsv(random, csvFiles),
        };
        return [.. Encoding.UTF8.GetBytes(envelopeLine), (byte)'\n', .. email];
    }

    // Multiparts or attached emails nested around the fixture's body, now and then past MimeKit's depth limit of 1,024.
    private static byte[] DeepNesting(Random random, byte[] email)
    {
        var depth = random.Next(32) == 0 ? random.Next(2000) : random.Next(50);
        var rfc822 = random.Next(3) == 0;
        var text = new StringBuilder("From: jane.citizen@example.com.au\r\nSubject: nested\r\nMIME-Version: 1.0\r\n");
        for (var d = 0; d < depth; d++)
        {
            text.Append(rfc822
                ? "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n"
                : string.Create(CultureInfo.InvariantCulture, $"Content-Type: multipart/mixed; boundary=\"b{d}\"\r\n\r\n--b{d}\r\n"));
        }

        var bytes = new List<byte>(Encoding.ASCII.GetBytes(text.ToString()));
        bytes.AddRange(email);
        for (var d = depth - 1; d >= 0 && !rfc822 && random.Next(50) != 0; d--)
        {
            bytes.AddRange(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\r\n--b{d}--\r\n")));
        }

        return [.. bytes];
    }

    // A header folded over thousands of lines, up to about the 256 KB header section serve accepts.
    private static byte[] LongFoldedHeader(Random random, byte[] email)
    {
        string[] names = ["Subject", "From", "To", "Sender", "Resent-From", "Content-Type", "References", "In-Reply-To", "X-Cellphone"];
        string[] words = ["word", "=?utf-8?B?8J+YgA==?=", "=?iso-8859-1?Q?caf=E9?=", "<id@example.com>", "jane@example.com,", "\"quoted, name\"", "(comment", ")", "=?x?Q?", ";", "boundary=\"x\""];
        var header = new StringBuilder(names[random.Next(names.Length)]).Append(':');
        var folds = random.Next(32) == 0 ? random.Next(20_000) : random.Next(500);
        for (var i = 0; i < folds && header.Length < 256 * 1024; i++)
        {
            header.Append(random.Next(4) == 0 ? "\r\n\t" : " ").Append(words[random.Next(words.Length)]);
        }

        return [.. Encoding.UTF8.GetBytes(header.Append("\r\n").ToString()), .. email];
    }

    [GeneratedRegex(@"charset=""?[^"";\r\n]*""?", RegexOptions.IgnoreCase)]
    private static partial Regex Charset();

    [GeneratedRegex(@"Content-Transfer-Encoding:[^\r\n]*", RegexOptions.IgnoreCase)]
    private static partial Regex TransferEncoding();

    // The fixture with its charsets and transfer encodings swapped for odd, unknown or wrong ones, and an encoded-word subject.
    private static byte[] OddCharsets(Random random, byte[] email)
    {
        var text = Encoding.Latin1.GetString(email);
        text = Charset().Replace(text, _ => $"charset=\"{Charsets[random.Next(Charsets.Length)]}\"");
        text = TransferEncoding().Replace(text, _ => $"Content-Transfer-Encoding: {TransferEncodings[random.Next(TransferEncodings.Length)]}");
        var run = Mutations.Run(random, [(byte)random.Next(256)]);
        var garbage = Convert.ToBase64String(run.AsSpan(0, Math.Min(4096, run.Length)));
        text = $"Subject: =?{Charsets[random.Next(Charsets.Length)]}?{(random.Next(2) == 0 ? 'B' : 'Q')}?{garbage}?=\r\n" + text;
        return Encoding.Latin1.GetBytes(text);
    }

    // A bulksms@ email whose attachment is a malformed CSV, so the CSV reader is reached through intake.
    private static byte[] BulkCsv(Random random, IReadOnlyList<byte[]> csvFiles)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Jane Citizen", "jane.citizen@example.com.au"));
        message.To.Add(new MailboxAddress(string.Empty, "bulksms@mail.completesms.net"));
        message.Subject = "Bulk";
        var attachment = new MimePart("text", "csv")
        {
            FileName = "CI00123456161223151959.csv",
            Content = new MimeContent(new MemoryStream(CsvFiles.Generate(random, csvFiles))),
            ContentTransferEncoding = random.Next(2) == 0 ? ContentEncoding.Base64 : ContentEncoding.QuotedPrintable,
        };
        message.Body = new Multipart("mixed") { new TextPart("plain") { Text = "[SENDER]\r\nID=CI00123456\r\nPW=Bulk!2026\r\n" }, attachment };
        using var output = new MemoryStream();
        message.WriteTo(output);
        return output.ToArray();
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using Mail2Sms.Core.Formats;
using Mail2Sms.Core.Mail;
using Mail2Sms.Core.Numbers;
using Mail2Sms.Core.Text;

namespace Mail2Sms.Core.Intake;

/// <summary>
/// Step two of intake: with the sender authenticated against an account, decides what the email
/// means: a rejection with every reason, or the SMS to send and the failures to report.
/// </summary>
public static partial class IntakeRules
{
    /// <summary>The longest message of formats 2, 3 and 4, in characters as a person counts them.</summary>
    public const int MaxCharacters = 765;

    /// <summary>The most <c>[n]</c> entries of one format 2 email.</summary>
    public const int MaxEntries = 50;

    /// <summary>The most failures of one email listed (in the report, the store and the reply) unless configured otherwise; the rest are counted.</summary>
    public const int DefaultMaxListedFailures = 1000;

    /// <summary>Decides what the email means for <paramref name="account"/>.</summary>
    /// <param name="facts">What step one read.</param>
    /// <param name="account">The authenticated sender's account.</param>
    /// <param name="answersGatewayReply">True when the email answers one of the gateway's reply emails (format 1 then sends only the new text).</param>
    /// <param name="maxListedFailures">The most failures listed; those past it are only counted (<see cref="Acceptance.FailureCount"/>).</param>
    public static IntakeDecision Decide(SenderFacts facts, Account account, bool answersGatewayReply = false, int maxListedFailures = DefaultMaxListedFailures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxListedFailures, 1);
        if (facts.Rejection is { } rejection)
        {
            return new Rejection(rejection);
        }

        // RCPT TO keeps one format per transaction (RecipientAdmission); should two reach DATA, the
        // sending server is asked to try again rather than any recipient being lost.
        var others = facts.Recipients.Where(r => r.Kind == RecipientKind.Sms && r.Format != facts.Format).ToList();
        if (others.Count > 0)
        {
            return new Rejection(others.Select(o => Reasons.Create(ReasonCode.MixedFormats,
                $"{o.Address} asks for another format than the rest of this email: send it in an email of its own.")).ToList());
        }

        var batch = new SmsBatch(account, maxListedFailures);
        var body = new ArraySegment<string>(facts.SenderBlockReading.Rest);
        string? csvFileName = null;
        var refusal = facts.Format switch
        {
            EmailFormat.Mobile => ReadSingle(facts, body, answersGatewayReply, batch),
            EmailFormat.Entries => ReadEntries(facts, body, batch),
            EmailFormat.Cellphones => ReadCellphones(body, batch),
            EmailFormat.Csv => ReadCsv(facts, batch, out csvFileName),
            _ => Reasons.Create(ReasonCode.UnknownMailbox, "The email has no recipient that asks for an SMS."),
        };
        return refusal is null ? batch.Finish(csvFileName) : new Rejection(refusal);
    }

    private static Reason SenderBlockNotFirst { get; } = Reasons.Create(ReasonCode.SenderBlockNotFirst,
        "The [SENDER] block must be the first lines of the body; a [SENDER] line elsewhere is refused so that a password never travels in an SMS.");

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    private static Reason? ReadSingle(SenderFacts facts, ArraySegment<string> body, bool answersGatewayReply, SmsBatch batch)
    {
        var subject = facts.Content.Subject;
        var bodyText = string.Join(' ', BodyLines.WithoutQuotedHistory(BodyLines.WithoutSignature(body)));
        var text = facts.IsForwarded ? $"{facts.Author}: {subject}"
            : answersGatewayReply ? bodyText
            : $"{subject} {bodyText}";
        if (SenderBlock.Mentions(text))
        {
            return SenderBlockNotFirst;
        }

        var sms = SmsText.FirstSmsOf(WhiteSpace().Replace(text, " ").Trim(), batch.Account.Sizes);
        if (BodyLines.IsBlank(sms.Text))
        {
            return Reasons.Create(ReasonCode.EmptyMessage,
                "The email has no subject and no body text: write the SMS in the subject, the body or both.");
        }

        foreach (var recipient in facts.Recipients.Where(r => r.Format == EmailFormat.Mobile))
        {
            batch.Add(ShortText.Cut(recipient.LocalPart, ShortText.MaxWritten), recipient.LocalPart, null, sms);
        }

        return null;
    }

    private static Reason? ReadEntries(SenderFacts facts, ArraySegment<string> body, SmsBatch batch)
    {
        if (!facts.Content.Subject.StartsWith("SMS:", StringComparison.OrdinalIgnoreCase))
        {
            return Reasons.Create(ReasonCode.SubjectNotSms,
                $"Mail to smsgateway@ must have a subject that begins with SMS: (this one is '{facts.Content.Subject}').");
        }

        var entries = Format2Entry.ReadAll(BodyLines.WithoutSignature(body));
        if (entries.Count == 0)
        {
            return Reasons.Create(ReasonCode.NoEntries,
                "The body holds no [1] entry: write each SMS as [n], then Name=, Number= and Message= lines.");
        }

        if (entries.Count > MaxEntries)
        {
            return Reasons.Format(ReasonCode.TooManyEntries,
                $"The email holds {entries.Count} entries; at most {MaxEntries} are allowed in one email: split them over several emails.");
        }

        if (entries.Any(e => e.Message is { } m && SenderBlock.Mentions(m)))
        {
            return SenderBlockNotFirst;
        }

        foreach (var entry in entries)
        {
            if (entry.Repeated is { } key)
            {
                batch.Fail(entry.Label, Reasons.Create(ReasonCode.EntryMalformed,
                    $"The entry has {key}= twice: write one Name=, Number= and Message= for each [n]."));
            }
            else if (entry.Number is null or "")
            {
                batch.Fail(entry.Label, Reasons.Create(ReasonCode.MissingNumber, "The entry has no Number= line."));
            }
            else if (entry.Message is null or "")
            {
                batch.Fail(entry.Label, Reasons.Create(ReasonCode.MissingMessage, "The entry has no Message= text."));
            }
            else if (batch.CheckText(entry.Label, entry.Message) is { } text)
            {
                batch.Add(entry.Label, entry.Number, entry.Name, text);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^\s*X-Cellphone\s*:(.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex Cellphone();

    private static Reason? ReadCellphones(ArraySegment<string> body, SmsBatch batch)
    {
        var lines = BodyLines.WithoutQuotedHistory(BodyLines.WithoutSignature(body));
        var i = 0;
        while (i < lines.Count && BodyLines.IsBlank(lines[i]))
        {
            i++;
        }

        var numbers = new List<string>();
        for (; i < lines.Count && Cellphone().Match(lines[i]) is { Success: true } match; i++)
        {
            numbers.Add(match.Groups[1].Value.Trim());
        }

        if (numbers.Count == 0)
        {
            return Reasons.Create(ReasonCode.NoCellphones,
                "Mail to smsmail@ must begin with one or more X-Cellphone: <number> lines, then one blank line, then the message.");
        }

        var blanks = 0;
        for (; i < lines.Count && BodyLines.IsBlank(lines[i]); i++)
        {
            blanks++;
        }

        if (i < lines.Count && Cellphone().IsMatch(lines[i]))
        {
            return Reasons.Create(ReasonCode.CellphoneLayout,
                "There must be no blank line between the X-Cellphone: lines.");
        }

        if (blanks != 1 && i < lines.Count)
        {
            return Reasons.Format(ReasonCode.CellphoneLayout,
                $"There must be exactly one blank line between the X-Cellphone: list and the message; there are {blanks}.");
        }

        var text = BodyLines.JoinLines(lines.Skip(i));
        if (SenderBlock.Mentions(text))
        {
            return SenderBlockNotFirst;
        }

        if (batch.Problem(text, out var sms, "The message after the X-Cellphone: list") is { } problem)
        {
            return problem;
        }

        foreach (var number in numbers)
        {
            batch.Add(ShortText.Cut(number, ShortText.MaxWritten), number, null, sms);
        }

        return null;
    }

    private static Reason? ReadCsv(SenderFacts facts, SmsBatch batch, out string? fileName)
    {
        fileName = null;
        var files = facts.Content.Attachments.Where(a => a.FileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)).ToList();
        if (files.Count != 1)
        {
            return Reasons.Format(ReasonCode.CsvAttachmentCount,
                $"Mail to bulksms@ must carry exactly one attachment whose name ends in .csv; this one carries {files.Count}.");
        }

        fileName = files[0].FileName;
        if (CsvFileName.Check(fileName, batch.Account.Id) is { } misnamed)
        {
            return misnamed;
        }

        using var rows = CsvRows.Open(files[0].OpenRead());
        var first = true;
        var any = false;
        foreach (var row in rows.ReadAll())
        {
            if (row.IsBlank)
            {
                continue;
            }

            var header = first && row.Problem is null && IsHeading(row.Field(0));
            first = false;
            if (header)
            {
                continue;
            }

            any = true;
            // The number as written names the row's recipient whatever failed, the number or the text.
            var where = row.Field(0).Length > 0
                ? string.Create(CultureInfo.InvariantCulture, $"line {row.Line}, number {ShortText.Cut(row.Field(0), ShortText.MaxWritten)}")
                : string.Create(CultureInfo.InvariantCulture, $"line {row.Line}");
            var message = BodyLines.JoinLines(BodyLines.Split(row.Field(1)));
            if (row.Problem is { } problem)
            {
                batch.Fail(where, Reasons.Create(ReasonCode.CsvRowUnreadable, $"The row cannot be read: {problem}."));
            }
            else if (row.Field(0).Length == 0)
            {
                batch.Fail(where, Reasons.Create(ReasonCode.MissingNumber, "Column 1 holds no number."));
            }
            else if (SenderBlock.Mentions(message))
            {
                return SenderBlockNotFirst;
            }
            else if (batch.CheckText(where, message) is { } text)
            {
                batch.Add(where, row.Field(0), null, text);
            }
        }

        return any ? null : Reasons.Create(ReasonCode.CsvNoRows,
            $"{fileName} holds no row to send: put the number in column 1 and the message in column 2.");
    }

    // A first row whose column 1 is a word (Number, Mobile1, "Phone no.") is a header; a number with a
    // typo (0412345678x) or an empty column 1 is a row whose failure is reported.
    private static bool IsHeading(string column1) =>
        column1.Length > 0 && !PhoneNumberRules.LooksLikeNumber(column1) && column1.Count(char.IsAsciiDigit) < 5;
}

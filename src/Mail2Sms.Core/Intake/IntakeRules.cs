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

    /// <summary>Decides what the email means for <paramref name="account"/>.</summary>
    /// <param name="facts">What step one read.</param>
    /// <param name="account">The authenticated sender's account.</param>
    /// <param name="answersGatewayReply">True when the email answers one of the gateway's reply emails (format 1 then sends only the new text).</param>
    public static IntakeDecision Decide(SenderFacts facts, Account account, bool answersGatewayReply = false)
    {
        if (facts.Rejection is { } rejection)
        {
            return new Rejection(rejection);
        }

        var batch = new SmsBatch(account);
        foreach (var other in facts.Recipients.Where(r => r.Kind == RecipientKind.Sms && r.Format != facts.Format))
        {
            batch.Fail(other.Address, Reasons.Create(ReasonCode.MixedFormats,
                $"{other.Address} asks for another format than the rest of this email: send it in an email of its own."));
        }

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
        var bodyText = string.Join(' ', BodyLines.WithoutQuotedHistory(BodyLines.WithoutSignature(body)));
        if (SenderBlock.Mentions(bodyText))
        {
            return SenderBlockNotFirst;
        }

        var subject = facts.Content.Subject;
        var text = facts.IsForwarded ? $"{facts.Author}: {subject}"
            : answersGatewayReply ? bodyText
            : $"{subject} {bodyText}";
        text = WhiteSpace().Replace(text, " ").Trim();
        if (text.Length == 0)
        {
            return Reasons.Create(ReasonCode.EmptyMessage,
                "The email has no subject and no body text: write the SMS in the subject, the body or both.");
        }

        var sms = SmsText.FirstSmsOf(text, batch.Account.Sizes);
        foreach (var recipient in facts.Recipients.Where(r => r.Format == EmailFormat.Mobile))
        {
            batch.Add(recipient.LocalPart, recipient.LocalPart, null, sms);
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

        var highest = entries.Max(e => e.Index);
        if (entries.Count > MaxEntries || highest > MaxEntries)
        {
            return Reasons.Format(ReasonCode.TooManyEntries,
                $"The email holds {entries.Count} entries (up to [{highest}]); at most {MaxEntries} are allowed in one email: split them over several emails.");
        }

        if (entries.Any(e => e.Message is { } m && SenderBlock.Mentions(m)) || Format2Entry.StrayText(body).Any(SenderBlock.Mentions))
        {
            return SenderBlockNotFirst;
        }

        foreach (var entry in entries)
        {
            if (entry.Number is null or "")
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

        var text = JoinLines(lines.Skip(i));
        if (SenderBlock.Mentions(text))
        {
            return SenderBlockNotFirst;
        }

        if (batch.Problem(text) is { } problem)
        {
            return text.Length == 0
                ? Reasons.Create(ReasonCode.EmptyMessage, "The message must be 1 to 765 characters; it is empty.")
                : problem with { Text = problem.Text.Replace("The message", "The message after the X-Cellphone: list", StringComparison.Ordinal) };
        }

        var sms = SmsText.From(text, batch.Account.Sizes);
        foreach (var number in numbers)
        {
            batch.Add(number, number, null, sms);
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

            // A first row whose column 1 is text (Number, Mobile1, "Phone no.") is a header; an empty one is a row missing its number.
            var header = first && row.Problem is null && row.Field(0).Length > 0 && !PhoneNumberRules.LooksLikeNumber(row.Field(0));
            first = false;
            if (header)
            {
                continue;
            }

            any = true;
            var where = $"line {row.Line}";
            var message = JoinLines(BodyLines.Split(row.Field(1)));
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

    /// <summary>Lines trimmed at both ends, leading and trailing blank lines dropped, joined with LF.</summary>
    internal static string JoinLines(IEnumerable<string> lines)
    {
        var trimmed = lines.Select(l => l.Trim()).ToList();
        var start = trimmed.FindIndex(l => l.Length > 0);
        if (start < 0)
        {
            return string.Empty;
        }

        var end = trimmed.FindLastIndex(l => l.Length > 0);
        return string.Join('\n', trimmed.GetRange(start, end - start + 1));
    }
}

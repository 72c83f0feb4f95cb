using Mail2Sms.Core.Delivery;

namespace Mail2Sms.Gateway.Storage;

/// <summary>The SMS search as every provider asks it: optional parts blank when not given, matched in lower case, one page and one more.</summary>
/// <param name="Sender">Part of the sender's address, lower case.</param>
/// <param name="Since">The first moment of the first day.</param>
/// <param name="Until">The first moment after the last day.</param>
/// <param name="Account">The account, any case.</param>
/// <param name="Status">The status, lower case.</param>
/// <param name="Digits">A run of the number's digits, leading zeros dropped, so a national 0412 345 678 finds 61412345678.</param>
/// <param name="Text">Part of the text, subject or name, lower case.</param>
/// <param name="Take">How many rows to read: a page and one more, to tell whether a next page exists.</param>
/// <param name="Skip">How many rows the earlier pages hold.</param>
internal sealed record SmsSearchFilter(string? Sender, DateTimeOffset? Since, DateTimeOffset? Until, string? Account, string? Status, string? Digits, string? Text, int Take, long Skip)
{
    public static SmsSearchFilter Of(SmsSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        var digits = search.Number is null ? null : new string([.. search.Number.Where(char.IsAsciiDigit)]).TrimStart('0');
        return new SmsSearchFilter(
            Blank(search.Sender)?.ToLowerInvariant(),
            search.From is { } from ? new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
            search.To is { } to && to < DateOnly.MaxValue ? new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
            Blank(search.AccountId),
            Blank(search.Status)?.ToLowerInvariant(),
            Blank(digits),
            Blank(search.Text)?.ToLowerInvariant(),
            IDashboardQueries.PageSize + 1,
            (Math.Max(search.Page, 1) - 1L) * IDashboardQueries.PageSize);
    }

    /// <summary>Part of a refused email's sender, trimmed and lower case, or null for any.</summary>
    public static string? SenderOfRejections(string? sender) => string.IsNullOrWhiteSpace(sender) ? null : sender.Trim().ToLowerInvariant();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>The rows every provider reads for the dashboard, and how they become its records.</summary>
internal static class DashboardRows
{
    /// <summary>The first moment of today (UTC), from which the overview counts today's SMS.</summary>
    public static DateTimeOffset StartOfDay(DateTimeOffset now) => new(now.UtcDateTime.Date, TimeSpan.Zero);

    /// <summary>The chart's window: <paramref name="hours"/> back from the end of the current minute.</summary>
    public static (DateTimeOffset From, DateTimeOffset Until) PerMinuteWindow(DateTimeOffset now, int hours)
    {
        var until = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(1);
        return (until.AddHours(-hours), until);
    }

    /// <summary>The overview from the census (the queue as <c>/metrics</c> reads it) and the rest of its figures.</summary>
    public static DashboardOverview Overview(SmsCensus census, IEnumerable<StatusCount> today, long accounts, long credits, IReadOnlyList<RefusedRecipient> refused) =>
        new(census.ByStatus[SmsStatus.Queued.Word()], census.OldestQueuedAt, [.. today], accounts, credits, refused);

    /// <summary>The census from the counts by status (every status there, at 0 when none is), those due and the oldest queued.</summary>
    public static SmsCensus Census(IEnumerable<StatusCount> counts, long due, DateTimeOffset? oldestQueuedAt)
    {
        var byStatus = SmsCensus.Statuses.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        foreach (var count in counts)
        {
            byStatus[count.Status] = count.Count;
        }

        return new SmsCensus(byStatus, due, oldestQueuedAt);
    }

    /// <summary>A refused email from its row: <c>rejected_emails.recipients</c> holds the RCPT TO addresses comma-separated (<see cref="RecipientsColumn"/>).</summary>
    public static RejectedEmail Rejection(long id, DateTimeOffset receivedAt, string? accountId, string? messageId, string? originator, string mailFrom, string? clientIp,
        string recipients, string subject, string reason, string reply) =>
        new(accountId, messageId, originator, mailFrom, clientIp, recipients.Split(", "), subject, reason, reply) { Id = id, ReceivedAt = receivedAt };

    /// <summary>How <c>rejected_emails.recipients</c> holds a refused email's RCPT TO addresses.</summary>
    public static string RecipientsColumn(IEnumerable<string> recipients) => string.Join(", ", recipients);

    /// <summary>An email in full from its row, its SMS in order, their parts and replies, and what was refused at its acceptance.</summary>
    public static EmailDetail Email(EmailRow email, IEnumerable<SmsRow> sms, IEnumerable<SmsPartRow> parts, IEnumerable<ReplyRow> replies, IReadOnlyList<RefusedRecipient> refused)
    {
        var partsOf = parts.ToLookup(p => p.SmsId);
        var repliesTo = replies.ToLookup(r => r.SmsId);
        return new EmailDetail(email.Id, email.AccountId, email.Originator, email.MailFrom, IntakeSourceColumn.Read(email.Source), email.ClientIp, email.Format, email.Subject,
            email.Credits, email.ReceivedAt, refused,
            [.. sms.Select(s => new SmsDetail(s.Id, s.Number, s.Name, s.Text, s.Encoding, s.Parts, s.Status, s.Attempts, s.LastError, s.CreatedAt, s.SubmittedAt, s.FinalAt,
                [.. partsOf[s.Id].Select(p => new SmsPartDetail(p.Part, p.SmscMessageId, p.Status, p.ReceiptState, p.ReceiptAt))],
                [.. repliesTo[s.Id].Select(r => new ReplyListing(r.Id, r.ReceivedAt, r.Mobile, r.ToAddress, r.Status, r.Text, r.SmsId, email.AccountId, r.AssignedBy, r.AssignedAt))]))],
            email.FailureCount);
    }
}

/// <summary>An accepted email's row.</summary>
internal sealed record EmailRow(long Id, string AccountId, string? Originator, string MailFrom, string Source, string? ClientIp, int Format, string Subject, long Credits,
    DateTimeOffset ReceivedAt, int FailureCount);

/// <summary>An SMS's row.</summary>
internal sealed record SmsRow(long Id, string Number, string? Name, string Text, string Encoding, int Parts, string Status, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? SubmittedAt, DateTimeOffset? FinalAt);

/// <summary>A submitted part's row.</summary>
internal sealed record SmsPartRow(long SmsId, int Part, string SmscMessageId, string Status, string? ReceiptState, DateTimeOffset? ReceiptAt);

/// <summary>A reply's row.</summary>
internal sealed record ReplyRow(long Id, DateTimeOffset ReceivedAt, string Mobile, string ToAddress, string Status, string Text, long SmsId, string? AssignedBy, DateTimeOffset? AssignedAt);

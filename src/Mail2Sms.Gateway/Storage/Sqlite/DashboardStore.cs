using Dapper;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>The figures of the dashboard's overview.</summary>
/// <param name="Queued">SMS waiting to be submitted.</param>
/// <param name="OldestQueuedAt">When the oldest of them was accepted.</param>
/// <param name="Today">SMS accepted today (UTC), by their status now.</param>
/// <param name="Accounts">How many accounts there are.</param>
/// <param name="Credits">Their credits together.</param>
/// <param name="Refused">The latest recipients, entries and rows refused at acceptance.</param>
public sealed record DashboardOverview(long Queued, DateTimeOffset? OldestQueuedAt, IReadOnlyList<StatusCount> Today, long Accounts, long Credits, IReadOnlyList<RefusedRecipient> Refused);

/// <summary>SMS per minute over the last hours: the minutes from <paramref name="From"/> to now, only those with any activity.</summary>
/// <param name="From">The first minute of the window (UTC).</param>
/// <param name="Hours">How long the window is; it ends with the current minute.</param>
/// <param name="Active">The minutes in which any SMS was accepted, submitted or made final, oldest first.</param>
public sealed record SmsPerMinute(DateTimeOffset From, int Hours, IReadOnlyList<SmsMinute> Active);

/// <summary>What happened to SMS in one minute: accepted, submitted, delivered, and failed (failed, expired or unknown).</summary>
public sealed record SmsMinute(DateTimeOffset Minute, long Accepted, long Submitted, long Delivered, long Failed);

/// <summary>How many SMS are in a status.</summary>
public sealed record StatusCount(string Status, long Count);

/// <summary>A recipient (entry, row) of an accepted email that was refused, with the reason the sender was given.</summary>
public sealed record RefusedRecipient(long EmailId, string AccountId, string Location, string Reason, DateTimeOffset At);

/// <summary>What the messages page searches by; each part is optional. Pages count from 1.</summary>
public sealed record SmsSearch(string? Number = null, string? AccountId = null, string? Status = null, string? Text = null, int Page = 1)
{
    /// <summary>Part of the address of whoever sent the SMS's email (its From, or the envelope's MAIL FROM), any case.</summary>
    public string? Sender { get; init; }

    /// <summary>The first day (UTC) the SMS were accepted on.</summary>
    public DateOnly? From { get; init; }

    /// <summary>The last day (UTC) the SMS were accepted on.</summary>
    public DateOnly? To { get; init; }
}

/// <summary>One SMS as the messages page lists it, with its email's subject.</summary>
public sealed record SmsFound(long Id, long EmailId, string AccountId, string Number, string? Name, string Text, string Status, int Parts, DateTimeOffset CreatedAt, string Subject);

/// <summary>An accepted email with what failed at acceptance and every SMS it sent.</summary>
public sealed record EmailDetail(long Id, string AccountId, string? Originator, string MailFrom, string? ClientIp, int Format, string Subject, long Credits,
    DateTimeOffset ReceivedAt, IReadOnlyList<RefusedRecipient> Refused, IReadOnlyList<SmsDetail> Sms, int FailureCount)
{
    /// <summary>Failures counted at acceptance but not kept (past <c>Intake:MaxReportedFailures</c>).</summary>
    public int UnlistedFailures => Math.Max(0, FailureCount - Refused.Count);
}

/// <summary>One SMS and its timeline: accepted, submitted (each part's SMSC ID and receipt), final, and the replies to it.</summary>
public sealed record SmsDetail(long Id, string Number, string? Name, string Text, string Encoding, int Parts, string Status, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? SubmittedAt, DateTimeOffset? FinalAt, IReadOnlyList<SmsPartDetail> Submitted, IReadOnlyList<ReplyListing> Replies);

/// <summary>One submitted part: the SMSC's message ID and what its receipt said.</summary>
public sealed record SmsPartDetail(int Part, string SmscMessageId, string Status, string? ReceiptState, DateTimeOffset? ReceiptAt);

/// <summary>The dashboard's reads of the store: the overview, the message search, one email in full.</summary>
public sealed class DashboardStore(SqliteDatabase database, TimeProvider clock)
{
    /// <summary>SMS a page of the search shows.</summary>
    public const int PageSize = 50;

    /// <summary>The overview's figures now.</summary>
    public async Task<DashboardOverview> OverviewAsync(CancellationToken cancellationToken = default)
    {
        // The queue as /metrics reads it: counts kept by triggers and the queued SMS' own index, not a count of every queued row.
        var census = await SmsCensus.TakeAsync(database, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var today = await connection.QueryAsync<(string Status, long Count)>(
            "SELECT status, count(*) FROM sms WHERE created_at >= @since GROUP BY status ORDER BY status",
            new { since = Timestamps.Write(new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero)) }).ConfigureAwait(false);
        var accounts = await connection.QuerySingleAsync<(long Count, long Credits)>("SELECT count(*), coalesce(sum(credits), 0) FROM accounts").ConfigureAwait(false);
        return new DashboardOverview(census.ByStatus["queued"], census.OldestQueuedAt,
            [.. today.Select(t => new StatusCount(t.Status, t.Count))], accounts.Count, accounts.Credits,
            await RefusedAsync(connection, null, 10).ConfigureAwait(false));
    }

    /// <summary>SMS accepted, submitted, delivered and failed per minute over the last <paramref name="hours"/>, up to the current minute.</summary>
    public async Task<SmsPerMinute> PerMinuteAsync(int hours = 6, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var until = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(1);
        var from = until.AddHours(-hours);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Stored times are fixed-width round-trip UTC ("2026-11-26T09:30:00.0000000Z"): text order is time order and the first 16 characters are the minute.
        var rows = await connection.QueryAsync<(string Minute, long Accepted, long Submitted, long Delivered, long Failed)>(
            """
            SELECT minute, sum(accepted), sum(submitted), sum(delivered), sum(failed) FROM (
              SELECT substr(created_at, 1, 16) AS minute, 1 AS accepted, 0 AS submitted, 0 AS delivered, 0 AS failed
              FROM sms WHERE created_at >= @from AND created_at < @until
              UNION ALL
              SELECT substr(submitted_at, 1, 16), 0, 1, 0, 0 FROM sms WHERE submitted_at >= @from AND submitted_at < @until
              UNION ALL
              SELECT substr(final_at, 1, 16), 0, 0, status = 'delivered', status IN ('failed', 'expired', 'unknown')
              FROM sms WHERE final_at >= @from AND final_at < @until)
            GROUP BY minute ORDER BY minute
            """, new { from = Timestamps.Write(from), until = Timestamps.Write(until) }).ConfigureAwait(false);
        return new SmsPerMinute(from, hours, [.. rows.Select(r => new SmsMinute(Timestamps.Read(r.Minute), r.Accepted, r.Submitted, r.Delivered, r.Failed))]);
    }

    /// <summary>The SMS that match, newest first, one page of <see cref="PageSize"/>; one more is read to tell whether a next page exists.</summary>
    public async Task<IReadOnlyList<SmsFound>> SearchAsync(SmsSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        // Any run of the number's digits; leading zeros dropped, so a national 0412 345 678 finds 61412345678.
        var digits = search.Number is null ? null : new string([.. search.Number.Where(char.IsAsciiDigit)]).TrimStart('0');
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Id, long EmailId, string AccountId, string Number, string? Name, string Text, string Status, long Parts, string CreatedAt, string Subject)>(
            """
            SELECT s.id, s.email_id, s.account_id, s.number, s.name, s.text, s.status, s.parts, s.created_at, e.subject
            FROM sms s JOIN emails e ON e.id = s.email_id
            WHERE (@account IS NULL OR s.account_id = @account COLLATE NOCASE)
              AND (@status IS NULL OR s.status = @status)
              AND (@digits IS NULL OR instr(s.number, @digits) > 0)
              AND (@text IS NULL OR instr(lower(s.text), @text) > 0 OR instr(lower(e.subject), @text) > 0 OR instr(lower(coalesce(s.name, '')), @text) > 0)
              AND (@sender IS NULL OR instr(lower(coalesce(e.originator, '')), @sender) > 0 OR instr(lower(e.mail_from), @sender) > 0)
              AND (@since IS NULL OR s.created_at >= @since) AND (@until IS NULL OR s.created_at < @until)
            ORDER BY s.id DESC LIMIT @take OFFSET @skip
            """,
            new
            {
                sender = Blank(search.Sender)?.ToLowerInvariant(),
                since = search.From is { } from ? Timestamps.Write(new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) : null,
                until = search.To is { } to && to < DateOnly.MaxValue ? Timestamps.Write(new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) : null,
                account = Blank(search.AccountId),
                status = Blank(search.Status)?.ToLowerInvariant(),
                digits = Blank(digits),
                text = Blank(search.Text)?.ToLowerInvariant(),
                take = PageSize + 1,
                skip = (Math.Max(search.Page, 1) - 1L) * PageSize,
            }).ConfigureAwait(false);
        return [.. rows.Select(r => new SmsFound(r.Id, r.EmailId, r.AccountId, r.Number, r.Name, r.Text, r.Status, (int)r.Parts, Timestamps.Read(r.CreatedAt), r.Subject))];
    }

    /// <summary>The email that sent SMS <paramref name="smsId"/>, or null.</summary>
    public async Task<long?> EmailOfSmsAsync(long smsId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<long?>("SELECT email_id FROM sms WHERE id = @smsId", new { smsId }).ConfigureAwait(false);
    }

    /// <summary>One email in full, or null when there is none.</summary>
    public async Task<EmailDetail?> EmailAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var email = await connection.QuerySingleOrDefaultAsync<(long Id, string AccountId, string? Originator, string MailFrom, string? ClientIp, long Format, string Subject, long Credits, string ReceivedAt, long FailureCount)?>(
            "SELECT id, account_id, originator, mail_from, client_ip, format, subject, credits, received_at, failure_count FROM emails WHERE id = @id", new { id }).ConfigureAwait(false);
        if (email is not { } e)
        {
            return null;
        }

        var sms = (await connection.QueryAsync<(long Id, string Number, string? Name, string Text, string Encoding, long Parts, string Status, long Attempts, string? LastError, string CreatedAt, string? SubmittedAt, string? FinalAt)>(
            """
            SELECT id, number, name, text, encoding, parts, status, attempts, last_error, created_at, submitted_at, final_at
            FROM sms WHERE email_id = @id ORDER BY id
            """, new { id }).ConfigureAwait(false)).ToList();
        var parts = (await connection.QueryAsync<(long SmsId, long Part, string SmscMessageId, string Status, string? ReceiptState, string? ReceiptAt)>(
            """
            SELECT p.sms_id, p.part, p.smsc_message_id, p.status, p.receipt_state, p.receipt_at
            FROM sms_parts p JOIN sms s ON s.id = p.sms_id WHERE s.email_id = @id ORDER BY p.sms_id, p.part
            """, new { id }).ConfigureAwait(false)).ToLookup(p => p.SmsId);
        var replies = (await connection.QueryAsync<(long Id, string ReceivedAt, string Mobile, string ToAddress, string Status, string Text, long SmsId, string? AssignedBy, string? AssignedAt)>(
            """
            SELECT r.id, r.received_at, r.mobile, r.to_address, r.status, r.text, r.sms_id, r.assigned_by, r.assigned_at
            FROM replies r JOIN sms s ON s.id = r.sms_id WHERE s.email_id = @id ORDER BY r.id
            """, new { id }).ConfigureAwait(false)).ToLookup(r => r.SmsId);
        return new EmailDetail(e.Id, e.AccountId, e.Originator, e.MailFrom, e.ClientIp, (int)e.Format, e.Subject, e.Credits, Timestamps.Read(e.ReceivedAt),
            await RefusedAsync(connection, id, int.MaxValue).ConfigureAwait(false),
            [.. sms.Select(s => new SmsDetail(s.Id, s.Number, s.Name, s.Text, s.Encoding, (int)s.Parts, s.Status, (int)s.Attempts, s.LastError,
                Timestamps.Read(s.CreatedAt), Timestamps.ReadOrNull(s.SubmittedAt), Timestamps.ReadOrNull(s.FinalAt),
                [.. parts[s.Id].Select(p => new SmsPartDetail((int)p.Part, p.SmscMessageId, p.Status, p.ReceiptState, Timestamps.ReadOrNull(p.ReceiptAt)))],
                [.. replies[s.Id].Select(r => new ReplyListing(r.Id, Timestamps.Read(r.ReceivedAt), r.Mobile, r.ToAddress, r.Status, r.Text, r.SmsId, e.AccountId,
                    r.AssignedBy, Timestamps.ReadOrNull(r.AssignedAt)))]))],
            (int)e.FailureCount);
    }

    private static async Task<IReadOnlyList<RefusedRecipient>> RefusedAsync(Microsoft.Data.Sqlite.SqliteConnection connection, long? emailId, int limit)
    {
        var rows = await connection.QueryAsync<(long EmailId, string AccountId, string Location, string Reason, string ReceivedAt)>(
            """
            SELECT f.email_id, e.account_id, f.location, f.reason, e.received_at FROM email_failures f JOIN emails e ON e.id = f.email_id
            WHERE @emailId IS NULL OR f.email_id = @emailId ORDER BY f.email_id DESC, f.position LIMIT @limit
            """, new { emailId, limit }).ConfigureAwait(false);
        return [.. rows.Select(r => new RefusedRecipient(r.EmailId, r.AccountId, r.Location, r.Reason, Timestamps.Read(r.ReceivedAt)))];
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

}

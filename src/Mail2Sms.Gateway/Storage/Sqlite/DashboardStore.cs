using Dapper;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>The dashboard's and the CLI's reads of the store over SQLite.</summary>
public sealed class DashboardStore(SqliteDatabase database, TimeProvider clock) : IDashboardQueries
{
    public Task<SmsCensus> CensusAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => SmsCensusQuery.TakeAsync(database, now, cancellationToken);

    /// <inheritdoc />
    public async Task<DashboardOverview> OverviewAsync(CancellationToken cancellationToken = default)
    {
        // The queue as /metrics reads it: counts kept by triggers and the queued SMS' own index, not a count of every queued row.
        var now = clock.GetUtcNow();
        var census = await CensusAsync(now, cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var today = await connection.QueryAsync<(string Status, long Count)>(
            "SELECT status, count(*) FROM sms WHERE created_at >= @since GROUP BY status ORDER BY status",
            new { since = Timestamps.Write(DashboardRows.StartOfDay(now)) }).ConfigureAwait(false);
        var accounts = await connection.QuerySingleAsync<(long Count, long Credits)>("SELECT count(*), coalesce(sum(credits), 0) FROM accounts").ConfigureAwait(false);
        return DashboardRows.Overview(census, today.Select(t => new StatusCount(t.Status, t.Count)), accounts.Count, accounts.Credits,
            await RefusedAsync(connection, null, 10).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<SmsPerMinute> PerMinuteAsync(int hours = 6, CancellationToken cancellationToken = default)
    {
        var (from, until) = DashboardRows.PerMinuteWindow(clock.GetUtcNow(), hours);
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

    /// <inheritdoc />
    public async Task<IReadOnlyList<SmsFound>> SearchAsync(SmsSearch search, CancellationToken cancellationToken = default)
    {
        var filter = SmsSearchFilter.Of(search);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Id, long EmailId, string AccountId, string Number, string? Name, string Text, string Status, long Parts, string CreatedAt, string Subject)>(
            """
            SELECT s.id, s.email_id, s.account_id, s.number, s.name, s.text, s.status, s.parts, s.created_at, e.subject
            FROM sms s JOIN emails e ON e.id = s.email_id
            WHERE (@account IS NULL OR s.account_id = @account COLLATE NOCASE)
              AND (@status IS NULL OR s.status = @status)
              AND (@digits IS NULL OR instr(s.number, @digits) > 0)
              AND (@text IS NULL OR instr(lower(s.text), @text) > 0 OR instr(lower(e.subject), @text) > 0 OR instr(lower(coalesce(s.name, '')), @text) > 0)
              AND (@sender IS NULL OR instr(lower(coalesce(e.originator, '')), @sender) > 0 OR instr(lower(e.mail_from), @sender) > 0
                OR (e.source = 'api' AND instr('api', @sender) > 0))
              AND (@since IS NULL OR s.created_at >= @since) AND (@until IS NULL OR s.created_at < @until)
            ORDER BY s.id DESC LIMIT @take OFFSET @skip
            """,
            new
            {
                sender = filter.Sender,
                since = filter.Since is { } since ? Timestamps.Write(since) : null,
                until = filter.Until is { } until ? Timestamps.Write(until) : null,
                account = filter.Account,
                status = filter.Status,
                digits = filter.Digits,
                text = filter.Text,
                take = filter.Take,
                skip = filter.Skip,
            }).ConfigureAwait(false);
        return [.. rows.Select(r => new SmsFound(r.Id, r.EmailId, r.AccountId, r.Number, r.Name, r.Text, r.Status, (int)r.Parts, Timestamps.Read(r.CreatedAt), r.Subject))];
    }

    /// <inheritdoc />
    public async Task<long?> EmailOfSmsAsync(long smsId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<long?>("SELECT email_id FROM sms WHERE id = @smsId", new { smsId }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<EmailDetail?> EmailAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var email = await connection.QuerySingleOrDefaultAsync<(long Id, string AccountId, string? Originator, string MailFrom, string Source, string? ClientIp, long Format, string Subject, long Credits, string ReceivedAt, long FailureCount)?>(
            "SELECT id, account_id, originator, mail_from, source, client_ip, format, subject, credits, received_at, failure_count FROM emails WHERE id = @id", new { id }).ConfigureAwait(false);
        if (email is not { } e)
        {
            return null;
        }

        var sms = await connection.QueryAsync<(long Id, string Number, string? Name, string Text, string Encoding, long Parts, string Status, long Attempts, string? LastError, string CreatedAt, string? SubmittedAt, string? FinalAt)>(
            """
            SELECT id, number, name, text, encoding, parts, status, attempts, last_error, created_at, submitted_at, final_at
            FROM sms WHERE email_id = @id ORDER BY id
            """, new { id }).ConfigureAwait(false);
        var parts = await connection.QueryAsync<(long SmsId, long Part, string SmscMessageId, string Status, string? ReceiptState, string? ReceiptAt)>(
            """
            SELECT p.sms_id, p.part, p.smsc_message_id, p.status, p.receipt_state, p.receipt_at
            FROM sms_parts p JOIN sms s ON s.id = p.sms_id WHERE s.email_id = @id ORDER BY p.sms_id, p.part
            """, new { id }).ConfigureAwait(false);
        var replies = await connection.QueryAsync<(long Id, string ReceivedAt, string Mobile, string ToAddress, string Status, string Text, long SmsId, string? AssignedBy, string? AssignedAt)>(
            """
            SELECT r.id, r.received_at, r.mobile, r.to_address, r.status, r.text, r.sms_id, r.assigned_by, r.assigned_at
            FROM replies r JOIN sms s ON s.id = r.sms_id WHERE s.email_id = @id ORDER BY r.id
            """, new { id }).ConfigureAwait(false);
        return DashboardRows.Email(
            new EmailRow(e.Id, e.AccountId, e.Originator, e.MailFrom, e.Source, e.ClientIp, (int)e.Format, e.Subject, e.Credits, Timestamps.Read(e.ReceivedAt), (int)e.FailureCount),
            sms.Select(s => new SmsRow(s.Id, s.Number, s.Name, s.Text, s.Encoding, (int)s.Parts, s.Status, (int)s.Attempts, s.LastError,
                Timestamps.Read(s.CreatedAt), Timestamps.ReadOrNull(s.SubmittedAt), Timestamps.ReadOrNull(s.FinalAt))),
            parts.Select(p => new SmsPartRow(p.SmsId, (int)p.Part, p.SmscMessageId, p.Status, p.ReceiptState, Timestamps.ReadOrNull(p.ReceiptAt))),
            replies.Select(r => new ReplyRow(r.Id, Timestamps.Read(r.ReceivedAt), r.Mobile, r.ToAddress, r.Status, r.Text, r.SmsId, r.AssignedBy, Timestamps.ReadOrNull(r.AssignedAt))),
            await RefusedAsync(connection, id, int.MaxValue).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RejectedEmail>> RejectionsAsync(int limit, string? sender = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Id, string ReceivedAt, string? AccountId, string? MessageId, string? Originator, string MailFrom, string? ClientIp, string Recipients,
            string Subject, string Reason, string Reply)>(
            """
            SELECT id, received_at, account_id, message_id, originator, mail_from, client_ip, recipients, subject, reason, reply FROM rejected_emails
            WHERE @sender IS NULL OR instr(lower(coalesce(originator, '')), @sender) > 0 OR instr(lower(mail_from), @sender) > 0
            ORDER BY id DESC LIMIT @limit
            """,
            new { limit, sender = SmsSearchFilter.SenderOfRejections(sender) }).ConfigureAwait(false);
        return [.. rows.Select(r => DashboardRows.Rejection(r.Id, Timestamps.Read(r.ReceivedAt), r.AccountId, r.MessageId, r.Originator, r.MailFrom, r.ClientIp, r.Recipients, r.Subject, r.Reason, r.Reply))];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SmsListing>> ListSmsAsync(string? accountId, string? status, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Id, long EmailId, string AccountId, string Number, string? Name, string Text, string Encoding, long Parts, string Status, string CreatedAt)>(
            """
            SELECT id, email_id, account_id, number, name, text, encoding, parts, status, created_at FROM sms
            WHERE (@accountId IS NULL OR account_id = @accountId COLLATE NOCASE) AND (@status IS NULL OR status = @status)
            ORDER BY id DESC LIMIT @limit
            """,
            new { accountId, status = status?.ToLowerInvariant(), limit }).ConfigureAwait(false);
        return rows.Select(r => new SmsListing(r.Id, r.EmailId, r.AccountId, r.Number, r.Name, r.Text, r.Encoding, (int)r.Parts, r.Status, Timestamps.Read(r.CreatedAt))).ToList();
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
}

using Dapper;
using Npgsql;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>The dashboard's and the CLI's reads of the store over PostgreSQL; the counts by status are the sum of the sharded <c>sms_status_counts</c>.</summary>
public sealed class DashboardStore(PostgresDatabase database, TimeProvider clock) : IDashboardQueries
{
    /// <inheritdoc />
    /// <remarks>One round trip: the counts summed over their shards, the due and the oldest queued read from the queued SMS' partial indexes.</remarks>
    public async Task<SmsCensus> CensusAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var read = await connection.QueryMultipleAsync(
            """
            SELECT status, sum(count)::bigint AS count FROM sms_status_counts GROUP BY status;
            SELECT (SELECT count(*) FROM sms WHERE status = 'queued' AND due_at <= @now), (SELECT min(created_at) FROM sms WHERE status = 'queued');
            """,
            new { now = now.ToUniversalTime() }).ConfigureAwait(false);
        var counts = await read.ReadAsync<(string Status, long Count)>().ConfigureAwait(false);
        var (due, oldest) = await read.ReadSingleAsync<(long Due, DateTime? Oldest)>().ConfigureAwait(false);
        return DashboardRows.Census(counts.Select(c => new StatusCount(c.Status, c.Count)), due, Utc(oldest));
    }

    /// <inheritdoc />
    public async Task<DashboardOverview> OverviewAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var census = await CensusAsync(now, cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var read = await connection.QueryMultipleAsync(
            """
            SELECT status, count(*) FROM sms WHERE created_at >= @since GROUP BY status ORDER BY status;
            SELECT count(*), coalesce(sum(credits), 0)::bigint FROM accounts;
            """,
            new { since = DashboardRows.StartOfDay(now) }).ConfigureAwait(false);
        var today = await read.ReadAsync<(string Status, long Count)>().ConfigureAwait(false);
        var accounts = await read.ReadSingleAsync<(long Count, long Credits)>().ConfigureAwait(false);
        return DashboardRows.Overview(census, today.Select(t => new StatusCount(t.Status, t.Count)), accounts.Count, accounts.Credits,
            await RefusedAsync(connection, null, 10).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<SmsPerMinute> PerMinuteAsync(int hours = 6, CancellationToken cancellationToken = default)
    {
        var (from, until) = DashboardRows.PerMinuteWindow(clock.GetUtcNow(), hours);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.RowsAsync<(DateTime Minute, long Accepted, long Submitted, long Delivered, long Failed)>(
            """
            SELECT minute, sum(accepted)::bigint, sum(submitted)::bigint, sum(delivered)::bigint, sum(failed)::bigint FROM (
              SELECT date_trunc('minute', created_at) AS minute, 1 AS accepted, 0 AS submitted, 0 AS delivered, 0 AS failed
              FROM sms WHERE created_at >= @from AND created_at < @until
              UNION ALL
              SELECT date_trunc('minute', submitted_at), 0, 1, 0, 0 FROM sms WHERE submitted_at >= @from AND submitted_at < @until
              UNION ALL
              SELECT date_trunc('minute', final_at), 0, 0, (status = 'delivered')::int, (status IN ('failed', 'expired', 'unknown'))::int
              FROM sms WHERE final_at >= @from AND final_at < @until) AS happened
            GROUP BY minute ORDER BY minute
            """, new { from, until }).ConfigureAwait(false);
        return new SmsPerMinute(from, hours, [.. rows.Select(r => new SmsMinute(Utc(r.Minute), r.Accepted, r.Submitted, r.Delivered, r.Failed))]);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SmsFound>> SearchAsync(SmsSearch search, CancellationToken cancellationToken = default)
    {
        var filter = SmsSearchFilter.Of(search);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.RowsAsync<(long Id, long EmailId, string AccountId, string Number, string? Name, string Text, string Status, int Parts, DateTime CreatedAt, string Subject)>(
            """
            SELECT s.id, s.email_id, s.account_id, s.number, s.name, s.text, s.status, s.parts, s.created_at, e.subject
            FROM sms s JOIN emails e ON e.id = s.email_id
            WHERE (@Account::text IS NULL OR lower(s.account_id) = lower(@Account))
              AND (@Status::text IS NULL OR s.status = @Status)
              AND (@Digits::text IS NULL OR strpos(s.number, @Digits) > 0)
              AND (@Text::text IS NULL OR strpos(lower(s.text), @Text) > 0 OR strpos(lower(e.subject), @Text) > 0 OR strpos(lower(coalesce(s.name, '')), @Text) > 0)
              AND (@Sender::text IS NULL OR strpos(lower(coalesce(e.originator, '')), @Sender) > 0 OR strpos(lower(e.mail_from), @Sender) > 0
                OR (e.source = 'api' AND strpos('api', @Sender) > 0))
              AND (@Since::timestamptz IS NULL OR s.created_at >= @Since) AND (@Until::timestamptz IS NULL OR s.created_at < @Until)
            ORDER BY s.id DESC LIMIT @Take OFFSET @Skip
            """, filter).ConfigureAwait(false);
        return [.. rows.Select(r => new SmsFound(r.Id, r.EmailId, r.AccountId, r.Number, r.Name, r.Text, r.Status, r.Parts, Utc(r.CreatedAt), r.Subject))];
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
        await using var read = await connection.QueryMultipleAsync(
            """
            SELECT id, account_id, originator, mail_from, source, client_ip, format, subject, credits, received_at, failure_count FROM emails WHERE id = @id;
            SELECT id, number, name, text, encoding, parts, status, attempts, last_error, created_at, submitted_at, final_at FROM sms WHERE email_id = @id ORDER BY id;
            SELECT p.sms_id, p.part, p.smsc_message_id, p.status, p.receipt_state, p.receipt_at
            FROM sms_parts p JOIN sms s ON s.id = p.sms_id WHERE s.email_id = @id ORDER BY p.sms_id, p.part;
            SELECT r.id, r.received_at, r.mobile, r.to_address, r.status, r.text, r.sms_id, r.assigned_by, r.assigned_at
            FROM replies r JOIN sms s ON s.id = r.sms_id WHERE s.email_id = @id ORDER BY r.id;
            """, new { id }).ConfigureAwait(false);
        var email = await read.ReadSingleOrDefaultAsync<(long Id, string AccountId, string? Originator, string MailFrom, string Source, string? ClientIp, int Format, string Subject, long Credits,
            DateTime ReceivedAt, int FailureCount)?>().ConfigureAwait(false);
        if (email is not { } e)
        {
            return null;
        }

        var sms = await read.ReadAsync<(long Id, string Number, string? Name, string Text, string Encoding, int Parts, string Status, int Attempts, string? LastError,
            DateTime CreatedAt, DateTime? SubmittedAt, DateTime? FinalAt)>().ConfigureAwait(false);
        var parts = await read.ReadAsync<(long SmsId, int Part, string SmscMessageId, string Status, string? ReceiptState, DateTime? ReceiptAt)>().ConfigureAwait(false);
        var replies = await read.ReadAsync<(long Id, DateTime ReceivedAt, string Mobile, string ToAddress, string Status, string Text, long SmsId, string? AssignedBy, DateTime? AssignedAt)>()
            .ConfigureAwait(false);
        return DashboardRows.Email(
            new EmailRow(e.Id, e.AccountId, e.Originator, e.MailFrom, e.Source, e.ClientIp, e.Format, e.Subject, e.Credits, Utc(e.ReceivedAt), e.FailureCount),
            sms.Select(s => new SmsRow(s.Id, s.Number, s.Name, s.Text, s.Encoding, s.Parts, s.Status, s.Attempts, s.LastError, Utc(s.CreatedAt), Utc(s.SubmittedAt), Utc(s.FinalAt))),
            parts.Select(p => new SmsPartRow(p.SmsId, p.Part, p.SmscMessageId, p.Status, p.ReceiptState, Utc(p.ReceiptAt))),
            replies.Select(r => new ReplyRow(r.Id, Utc(r.ReceivedAt), r.Mobile, r.ToAddress, r.Status, r.Text, r.SmsId, r.AssignedBy, Utc(r.AssignedAt))),
            await RefusedAsync(connection, id, int.MaxValue).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RejectedEmail>> RejectionsAsync(int limit, string? sender = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.RowsAsync<(long Id, DateTime ReceivedAt, string? AccountId, string? MessageId, string? Originator, string MailFrom, string? ClientIp, string Recipients,
            string Subject, string Reason, string Reply)>(
            """
            SELECT id, received_at, account_id, message_id, originator, mail_from, client_ip, recipients, subject, reason, reply FROM rejected_emails
            WHERE @sender::text IS NULL OR strpos(lower(coalesce(originator, '')), @sender) > 0 OR strpos(lower(mail_from), @sender) > 0
            ORDER BY id DESC LIMIT @limit
            """,
            new { limit, sender = SmsSearchFilter.SenderOfRejections(sender) }).ConfigureAwait(false);
        return [.. rows.Select(r => DashboardRows.Rejection(r.Id, Utc(r.ReceivedAt), r.AccountId, r.MessageId, r.Originator, r.MailFrom, r.ClientIp, r.Recipients, r.Subject, r.Reason, r.Reply))];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SmsListing>> ListSmsAsync(string? accountId, string? status, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.RowsAsync<(long Id, long EmailId, string AccountId, string Number, string? Name, string Text, string Encoding, int Parts, string Status, DateTime CreatedAt)>(
            """
            SELECT id, email_id, account_id, number, name, text, encoding, parts, status, created_at FROM sms
            WHERE (@accountId::text IS NULL OR lower(account_id) = lower(@accountId)) AND (@status::text IS NULL OR status = @status)
            ORDER BY id DESC LIMIT @limit
            """,
            new { accountId, status = status?.ToLowerInvariant(), limit }).ConfigureAwait(false);
        return [.. rows.Select(r => new SmsListing(r.Id, r.EmailId, r.AccountId, r.Number, r.Name, r.Text, r.Encoding, r.Parts, r.Status, Utc(r.CreatedAt)))];
    }

    private static async Task<IReadOnlyList<RefusedRecipient>> RefusedAsync(NpgsqlConnection connection, long? emailId, int limit)
    {
        var rows = await connection.RowsAsync<(long EmailId, string AccountId, string Location, string Reason, DateTime ReceivedAt)>(
            """
            SELECT f.email_id, e.account_id, f.location, f.reason, e.received_at FROM email_failures f JOIN emails e ON e.id = f.email_id
            WHERE @emailId::bigint IS NULL OR f.email_id = @emailId ORDER BY f.email_id DESC, f.position LIMIT @limit
            """, new { emailId, limit }).ConfigureAwait(false);
        return [.. rows.Select(r => new RefusedRecipient(r.EmailId, r.AccountId, r.Location, r.Reason, Utc(r.ReceivedAt)))];
    }

    // Npgsql reads timestamptz as a DateTime in UTC.
    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc), TimeSpan.Zero);

    private static DateTimeOffset? Utc(DateTime? at) => at is { } value ? Utc(value) : null;
}

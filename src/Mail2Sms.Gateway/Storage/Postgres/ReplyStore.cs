using Dapper;
using Mail2Sms.Core.Replies;
using Npgsql;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// Replies from mobiles: matched to the latest SMS submitted to that mobile from the address it replied to within the
/// reply window, the reply email queued in the same transaction as the reply is kept, so neither is lost without the other.
/// </summary>
public sealed class ReplyStore(PostgresDatabase database, TimeProvider clock) : IReplyStore
{
    /// <summary>Keeps a reply to <paramref name="toAddress"/> (the source address it answers) and queues its email; returns what became of it.</summary>
    public async Task<ReplyOutcome> ReceiveAsync(string mobile, string toAddress, string text, TimeSpan window, ReplyMail compose, CancellationToken cancellationToken = default)
    {
        var number = ReplyKeeping.Number(mobile);
        var now = clock.GetUtcNow().ToUniversalTime();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Each account matches within its own window, or the gateway's: look back as far as the widest, then keep each SMS inside its account's.
        var widest = await connection.QuerySingleAsync<int?>("SELECT max(reply_window_days) FROM accounts", transaction: transaction).ConfigureAwait(false);
        var sent = (await connection.RowsAsync<SentSms>(
            RepliedSms.Sql + " WHERE s.number = @number AND s.submitted_at >= @since",
            new { number, since = now - ReplyMatching.LookBack(widest, window) }, transaction).ConfigureAwait(false)).Select(s => s.Replied).ToList();
        var (answered, outcome) = ReplyKeeping.Match(sent, toAddress, now, window);
        if (answered is not null)
        {
            await AnswerAsync(connection, transaction, number, text, answered, compose, now, cancellationToken).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(
            "INSERT INTO replies (mobile, to_address, text, sms_id, status, received_at) VALUES (@number, @toAddress, @text, @smsId, @status, @now)",
            new { number, toAddress, text, smsId = answered?.SmsId, status = ReplyKeeping.Status(outcome), now }, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// Assigns an unmatched or ambiguous reply to the SMS it answers, as the operator <paramref name="by"/> decided, and
    /// emails it to whoever sent that SMS (or keeps it for the account, for an SMS sent through the REST API), in one transaction.
    /// </summary>
    /// <exception cref="StoreException">The reply is not unmatched or ambiguous, or the SMS was not sent to its mobile.</exception>
    public async Task<ReplyAssignment> AssignAsync(long replyId, long smsId, string by, ReplyMail compose, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().ToUniversalTime();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Locked, so two operators assigning one reply at once are told apart: the second sees the first's assignment.
        var reply = await connection.QuerySingleOrDefaultAsync<KeptReply>(
            "SELECT mobile AS Mobile, text AS Text, status AS Status, sms_id AS SmsId, assigned_by AS AssignedBy FROM replies WHERE id = @replyId FOR UPDATE",
            new { replyId }, transaction).ConfigureAwait(false);
        var sms = (await connection.QuerySingleOrDefaultAsync<SentSms>(RepliedSms.Sql + " WHERE s.id = @smsId", new { smsId }, transaction).ConfigureAwait(false))?.Replied;
        ReplyKeeping.CheckAssignable(replyId, reply, smsId, sms);

        await AnswerAsync(connection, transaction, reply.Mobile, reply.Text, sms, compose, now, cancellationToken).ConfigureAwait(false);
        var outcome = sms.AssignedOutcome;
        await connection.ExecuteAsync(
            "UPDATE replies SET sms_id = @smsId, status = @status, assigned_by = @by, assigned_at = @now WHERE id = @replyId",
            new { replyId, smsId, status = ReplyKeeping.Status(outcome), by, now }, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ReplyAssignment(replyId, smsId, sms.AccountId, outcome, outcome == ReplyOutcome.Emailed ? sms.Originator : null);
    }

    /// <summary>The latest SMS sent to each of <paramref name="mobiles"/>, at most <paramref name="limit"/> each, newest first: the SMS a reply from it may answer. One query for them all.</summary>
    public async Task<ILookup<string, ReplyCandidate>> CandidatesAsync(IReadOnlyCollection<string> mobiles, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.RowsAsync<(long SmsId, string AccountId, string Number, DateTime SubmittedAt, string Text)>(new CommandDefinition(
            """
            SELECT id, account_id, number, submitted_at, text FROM (
                SELECT id, account_id, number, submitted_at, text, row_number() OVER (PARTITION BY number ORDER BY submitted_at DESC, id DESC) AS newest
                FROM sms WHERE number = ANY(@mobiles) AND submitted_at IS NOT NULL) AS latest
            WHERE newest <= @limit ORDER BY number, newest
            """,
            new { mobiles = mobiles.ToArray(), limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToLookup(r => r.Number, r => new ReplyCandidate(r.SmsId, r.AccountId, new DateTimeOffset(r.SubmittedAt, TimeSpan.Zero), r.Text), StringComparer.Ordinal);
    }

    // Queues the reply's email to the originator of the SMS it answers; an SMS sent through the REST API (no
    // originator) has none: the reply is kept for the account. Either way the reply may change the opt-out list.
    private static async Task AnswerAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string number, string text, RepliedSms answered, ReplyMail compose,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (answered.Originator is not null)
        {
            await OutboxStore.InsertAsync(connection, transaction, compose(number, text, answered.Answered), emailId: null, now, cancellationToken).ConfigureAwait(false);
        }

        var change = OptOutWords.Of(text);
        if (change != OptOutChange.None)
        {
            await connection.ExecuteAsync(change == OptOutChange.OptIn
                    ? "DELETE FROM opt_outs WHERE account_id = @account AND number = @number"
                    : "INSERT INTO opt_outs (account_id, number, at) VALUES (@account, @number, @now) ON CONFLICT DO NOTHING",
                new { account = answered.AccountId, number, now }, transaction).ConfigureAwait(false);
        }
    }

    public async Task<bool> IsOptedOutAsync(string accountId, string number, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT 1 FROM opt_outs WHERE account_id = @accountId AND number = @number", new { accountId, number = ReplyKeeping.Number(number) },
            cancellationToken: cancellationToken)).ConfigureAwait(false) is not null;
    }

    /// <summary>The newest replies, at most <paramref name="limit"/>, only those in <paramref name="status"/> and to SMS of <paramref name="accountId"/> when given.</summary>
    public async Task<IReadOnlyList<ReplyListing>> ListAsync(string? status, int limit, string? accountId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.RowsAsync<(long Id, DateTime ReceivedAt, string Mobile, string ToAddress, string Status, string Text, long? SmsId, string? AccountId, string? AssignedBy, DateTime? AssignedAt)>(
            new CommandDefinition(
                """
                SELECT r.id, r.received_at, r.mobile, r.to_address, r.status, r.text, r.sms_id, s.account_id, r.assigned_by, r.assigned_at FROM replies r LEFT JOIN sms s ON s.id = r.sms_id
                WHERE (@status::text IS NULL OR r.status = @status) AND (@accountId::text IS NULL OR s.account_id = @accountId) ORDER BY r.id DESC LIMIT @limit
                """,
                new { status = status?.ToLowerInvariant(), limit, accountId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new ReplyListing(r.Id, new DateTimeOffset(r.ReceivedAt, TimeSpan.Zero), r.Mobile, r.ToAddress, r.Status, r.Text, r.SmsId, r.AccountId,
            r.AssignedBy, r.AssignedAt is { } assigned ? new DateTimeOffset(assigned, TimeSpan.Zero) : null))];
    }

    // Names match RepliedSms.Sql's columns: Dapper builds it through the constructor.
    private sealed record SentSms(long SmsId, string AccountId, string Number, string? Originator, string? MessageId, string Subject, string? Name, string Text, DateTime? SubmittedAt, string? Source, int? WindowDays)
    {
        public RepliedSms Replied => new(SmsId, AccountId, Number, Originator, MessageId, Subject, Name, Text,
            SubmittedAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null, Source, WindowDays);
    }

    /// <summary>
    /// Keeps a reply's part; returns the whole reply when this was its last part missing, taken out of the store, else null.
    /// The assembly's row is locked first (the upsert's update), so a node adding another part of it waits, then counts this one too.
    /// </summary>
    public async Task<JoinedReply?> AddPartAsync(ReplyPart part, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(part);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var whole = await ReplyPartSteps.RunAsync(part, clock.GetUtcNow().ToUniversalTime(), (sql, values) => connection.ExecuteScalarAsync<long>(sql, values, transaction),
            (sql, values) => connection.ExecuteAsync(sql, values, transaction), async (sql, values) => await connection.RowsAsync<ReplyAssemblyRow>(sql, values, transaction)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return whole;
    }

    /// <summary>
    /// Takes out the replies whose first part came <paramref name="timeout"/> ago or longer, joined as far as they got, in one
    /// statement: an assembly another node is adding to or sweeping is skipped, not waited for.
    /// </summary>
    public async Task<IReadOnlyList<JoinedReply>> TakeUnfinishedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // The parts are read in the statement's snapshot, from before the delete's cascade.
        return ReplyAssemblyRow.Join(await connection.RowsAsync<ReplyAssemblyRow>(new CommandDefinition(
            """
            WITH expired AS (
                DELETE FROM reply_assemblies WHERE id IN (SELECT id FROM reply_assemblies WHERE started_at <= @cutoff FOR UPDATE SKIP LOCKED)
                RETURNING id, source, destination, total)
            SELECT a.id AS Id, a.source AS Source, a.destination AS Destination, a.total AS Total, p.number AS Number, p.text AS Text
            FROM expired a JOIN reply_assembly_parts p ON p.assembly_id = a.id
            """, new { cutoff = clock.GetUtcNow().ToUniversalTime() - timeout }, cancellationToken: cancellationToken)).ConfigureAwait(false));
    }
}

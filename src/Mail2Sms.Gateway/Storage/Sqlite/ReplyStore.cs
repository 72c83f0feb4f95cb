using Dapper;
using Mail2Sms.Core.Replies;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>
/// Replies from mobiles: matched to the latest SMS submitted to that mobile from the address it replied to
/// within the reply window,
/// the reply email queued in the same transaction as the reply is kept, so neither is lost without the other.
/// </summary>
public sealed class ReplyStore(SqliteDatabase database, TimeProvider clock) : IReplyStore
{
    /// <summary>Keeps a reply to <paramref name="toAddress"/> (the source address it answers) and queues its email; returns what became of it.</summary>
    public async Task<ReplyOutcome> ReceiveAsync(string mobile, string toAddress, string text, TimeSpan window, ReplyMail compose, CancellationToken cancellationToken = default)
    {
        var number = ReplyKeeping.Number(mobile);
        var at = clock.GetUtcNow();
        var now = Timestamps.Write(at);
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Each account matches within its own window, or the gateway's: look back as far as the widest, then keep each SMS inside its account's.
        var widest = await connection.QuerySingleAsync<long?>("SELECT MAX(reply_window_days) FROM accounts", transaction: transaction).ConfigureAwait(false);
        var since = Timestamps.Write(at - ReplyMatching.LookBack((int?)widest, window));
        var sent = (await connection.QueryAsync<SentSms>(
            RepliedSms.Sql + " WHERE s.number = @number AND s.submitted_at IS NOT NULL AND s.submitted_at >= @since",
            new { number, since }, transaction).ConfigureAwait(false)).Select(s => s.Replied).ToList();
        var (answered, outcome) = ReplyKeeping.Match(sent, toAddress, at, window);
        if (answered is not null)
        {
            await AnswerAsync(connection, transaction, number, text, answered, compose, now, cancellationToken).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(
            "INSERT INTO replies (mobile, to_address, text, sms_id, status, received_at) VALUES (@number, @toAddress, @text, @smsId, @status, @now)",
            new { number, toAddress, text, smsId = answered?.SmsId, status = ReplyKeeping.Status(outcome), now },
            transaction).ConfigureAwait(false);
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
        var now = Timestamps.Write(clock.GetUtcNow());
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var reply = await connection.QuerySingleOrDefaultAsync<KeptReply>(
            "SELECT mobile AS Mobile, text AS Text, status AS Status, sms_id AS SmsId, assigned_by AS AssignedBy FROM replies WHERE id = @replyId", new { replyId }, transaction).ConfigureAwait(false);
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
        var rows = await connection.QueryAsync<(long SmsId, string AccountId, string Number, string SubmittedAt, string Text)>(
            """
            SELECT id, account_id, number, submitted_at, text FROM (
                SELECT id, account_id, number, submitted_at, text, ROW_NUMBER() OVER (PARTITION BY number ORDER BY submitted_at DESC, id DESC) AS newest
                FROM sms WHERE number IN @mobiles AND submitted_at IS NOT NULL)
            WHERE newest <= @limit ORDER BY number, newest
            """,
            new { mobiles, limit }).ConfigureAwait(false);
        return rows.ToLookup(r => r.Number, r => new ReplyCandidate(r.SmsId, r.AccountId, Timestamps.Read(r.SubmittedAt), r.Text), StringComparer.Ordinal);
    }

    // Queues the reply's email to the originator of the SMS it answers; an SMS sent through the REST API (no
    // originator) has none: the reply is kept for the account. Either way the reply may change the opt-out list.
    private static async Task AnswerAsync(SqliteConnection connection, SqliteTransaction transaction, string number, string text, RepliedSms answered, ReplyMail compose, string now, CancellationToken cancellationToken)
    {
        if (answered.Originator is not null)
        {
            var mail = compose(number, text, answered.Answered);
            await OutboxStore.InsertAsync(connection, transaction, mail, now, cancellationToken).ConfigureAwait(false);
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
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT 1 FROM opt_outs WHERE account_id = @accountId AND number = @number", new { accountId, number = number.Trim().TrimStart('+') }).ConfigureAwait(false) is not null;
    }

    // Names match RepliedSms.Sql's columns: Dapper builds it through the constructor.
    private sealed record SentSms(long SmsId, string AccountId, string Number, string? Originator, string? MessageId, string Subject, string? Name, string Text, string? SubmittedAt, string? Source, long? WindowDays)
    {
        public RepliedSms Replied => new(SmsId, AccountId, Number, Originator, MessageId, Subject, Name, Text, Timestamps.ReadOrNull(SubmittedAt), Source, (int?)WindowDays);
    }

    /// <summary>The newest replies, at most <paramref name="limit"/>, only those in <paramref name="status"/> and to SMS of <paramref name="accountId"/> when given.</summary>
    public async Task<IReadOnlyList<ReplyListing>> ListAsync(string? status, int limit, string? accountId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Id, string ReceivedAt, string Mobile, string ToAddress, string Status, string Text, long? SmsId, string? AccountId, string? AssignedBy, string? AssignedAt)>(
            """
            SELECT r.id, r.received_at, r.mobile, r.to_address, r.status, r.text, r.sms_id, s.account_id, r.assigned_by, r.assigned_at FROM replies r LEFT JOIN sms s ON s.id = r.sms_id
            WHERE (@status IS NULL OR r.status = @status) AND (@accountId IS NULL OR s.account_id = @accountId) ORDER BY r.id DESC LIMIT @limit
            """,
            new { status = status?.ToLowerInvariant(), limit, accountId }).ConfigureAwait(false);
        return [.. rows.Select(r => new ReplyListing(r.Id, Timestamps.Read(r.ReceivedAt), r.Mobile, r.ToAddress, r.Status, r.Text, r.SmsId, r.AccountId,
            r.AssignedBy, Timestamps.ReadOrNull(r.AssignedAt)))];
    }

    /// <summary>Keeps a reply's part; returns the whole reply when this was its last part missing, taken out of the store, else null.</summary>
    public async Task<JoinedReply?> AddPartAsync(ReplyPart part, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(part);
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var whole = await ReplyPartSteps.RunAsync(part, Timestamps.Write(clock.GetUtcNow()), (sql, values) => connection.ExecuteScalarAsync<long>(sql, values, transaction),
            (sql, values) => connection.ExecuteAsync(sql, values, transaction), (sql, values) => connection.QueryAsync<ReplyAssemblyRow>(sql, values, transaction)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return whole;
    }

    /// <summary>Takes out the replies whose first part came <paramref name="timeout"/> ago or longer, joined as far as they got.</summary>
    public async Task<IReadOnlyList<JoinedReply>> TakeUnfinishedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var cutoff = Timestamps.Write(clock.GetUtcNow() - timeout);
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ReplyAssemblyRow>(ReplyPartSteps.RowsSql + " WHERE a.started_at <= @cutoff", new { cutoff }, transaction).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM reply_assemblies WHERE started_at <= @cutoff", new { cutoff }, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ReplyAssemblyRow.Join(rows);
    }
}

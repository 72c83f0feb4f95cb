using Dapper;
using Npgsql;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// The queue of mail the gateway sends, in <c>outbound_mail</c>: taking moves the rows' <c>due_at</c> on by the lease and
/// names the node, in one <c>UPDATE ... FOR UPDATE SKIP LOCKED</c>, so senders on many nodes never wait for or take one another's mail.
/// </summary>
public sealed class OutboxStore(PostgresDatabase database, TimeProvider clock) : IOutbox
{
    private const string Columns = "id AS Id, kind AS Kind, mail_from AS MailFrom, rcpt_to AS RcptTo, message AS Message, attempts::bigint AS Attempts";

    private DateTimeOffset Now => clock.GetUtcNow().ToUniversalTime();

    /// <summary>Queues <paramref name="mail"/> on its own (mail not tied to an accepted email, such as postmaster's).</summary>
    public async Task<long> QueueAsync(OutboundMail mail, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await InsertAsync(connection, null, mail, emailId: null, Now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues <paramref name="mail"/> (of the accepted email <paramref name="emailId"/>, when it is one's) inside the caller's transaction; returns its ID.</summary>
    internal static Task<long> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, OutboundMail mail, long? emailId, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO outbound_mail (kind, email_id, mail_from, rcpt_to, message, message_id, status, created_at, due_at)
            VALUES (@kind, @emailId, @mailFrom, @rcptTo, @message, @messageId, 'queued', @now, @now) RETURNING id
            """,
            new { kind = mail.Kind, emailId, mailFrom = mail.MailFrom, rcptTo = mail.RcptTo, message = mail.ToBytes(), messageId = mail.Message.MessageId, now = now.ToUniversalTime() },
            transaction, cancellationToken: cancellationToken));

    /// <summary>True when one of <paramref name="messageIds"/> is a reply email the gateway sent (answering it sends an SMS back).</summary>
    public async Task<bool> IsGatewayReplyAsync(IReadOnlyList<string> messageIds, CancellationToken cancellationToken = default)
    {
        if (messageIds.Count == 0)
        {
            return false;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT 1 FROM outbound_mail WHERE kind = 'reply' AND message_id = ANY(@messageIds) LIMIT 1", new { messageIds = messageIds.ToArray() },
            cancellationToken: cancellationToken)).ConfigureAwait(false) is not null;
    }

    /// <summary>The queued mail, due or put off, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<QueuedMail>> QueuedAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.RowsAsync<QueuedMail>(new CommandDefinition(
            $"SELECT {Columns} FROM outbound_mail WHERE status = 'queued' ORDER BY id LIMIT @limit", new { limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    public async Task<IReadOnlyList<QueuedMail>> TakeDueAsync(int limit, TimeSpan lease, long? node = null, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Rows another sender is taking are skipped, not waited for; RETURNING has no order, so the rows are put in it after.
        return [.. await connection.RowsAsync<QueuedMail>(new CommandDefinition(
            $"""
            WITH due AS (
                SELECT id, due_at FROM outbound_mail WHERE status = 'queued' AND due_at <= @now ORDER BY due_at, id LIMIT @limit FOR UPDATE SKIP LOCKED),
            taken AS (
                UPDATE outbound_mail o SET due_at = @until, claimed_by = @node FROM due WHERE o.id = due.id
                RETURNING o.id, o.kind, o.mail_from, o.rcpt_to, o.message, o.attempts, due.due_at AS was_due)
            SELECT {Columns} FROM taken ORDER BY was_due, id
            """,
            new { limit, now, until = now + lease, node }, cancellationToken: cancellationToken)).ConfigureAwait(false)];
    }

    public Task ReleaseAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default) =>
        UpdateAsync("UPDATE outbound_mail SET due_at = @now, claimed_by = NULL WHERE id = ANY(@ids) AND status = 'queued'", new { ids = ids.ToArray(), now = Now }, cancellationToken);

    /// <summary>Marks a mail sent.</summary>
    public Task MarkSentAsync(long id, CancellationToken cancellationToken = default) =>
        UpdateAsync("UPDATE outbound_mail SET status = 'sent', attempts = attempts + 1, sent_at = @now, claimed_by = NULL WHERE id = @id", new { id, now = Now }, cancellationToken);

    /// <summary>Puts a mail off until <paramref name="due"/> after a send that failed for now, keeping <paramref name="reason"/>.</summary>
    public Task PutOffAsync(long id, DateTimeOffset due, string reason, CancellationToken cancellationToken = default) =>
        UpdateAsync("UPDATE outbound_mail SET attempts = attempts + 1, due_at = @due, last_error = @reason, claimed_by = NULL WHERE id = @id",
            new { id, due = due.ToUniversalTime(), reason }, cancellationToken);

    /// <summary>Marks a mail failed for good, keeping <paramref name="reason"/> (the server's reply) for the operator.</summary>
    public Task MarkFailedAsync(long id, string reason, CancellationToken cancellationToken = default) =>
        UpdateAsync("UPDATE outbound_mail SET status = 'failed', attempts = attempts + 1, last_error = @reason, claimed_by = NULL WHERE id = @id", new { id, reason }, cancellationToken);

    private async Task UpdateAsync(string sql, object values, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(sql, values, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}

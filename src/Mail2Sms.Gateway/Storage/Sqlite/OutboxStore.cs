using Dapper;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>
/// The queue of mail the gateway sends, in <c>outbound_mail</c>: a lease is the row's <c>due_at</c> moved on,
/// so a taken mail is simply not due until the lease ends.
/// </summary>
public sealed class OutboxStore(SqliteDatabase database, TimeProvider clock) : IOutbox
{
    /// <summary>Queues <paramref name="mail"/> on its own (mail not tied to an accepted email, such as postmaster's).</summary>
    public async Task<long> QueueAsync(OutboundMail mail, CancellationToken cancellationToken = default)
    {
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await InsertAsync(connection, null, mail, Timestamps.Write(clock.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues <paramref name="mail"/> inside the caller's transaction (or on its own when there is none); returns its ID.</summary>
    internal static async Task<long> InsertAsync(SqliteConnection connection, SqliteTransaction? transaction, OutboundMail mail, string now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertSql;
        var values = InsertValues(mail, emailId: null, now);
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue(InsertParameters[i], values[i] ?? DBNull.Value);
        }

        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The statement that queues a mail, for callers that queue one inside a transaction of their own.</summary>
    internal const string InsertSql =
        """
        INSERT INTO outbound_mail (kind, email_id, mail_from, rcpt_to, message, message_id, status, created_at, due_at)
        VALUES ($kind, $emailId, $mailFrom, $rcptTo, $message, $messageId, 'queued', $now, $now) RETURNING id
        """;

    /// <summary>The parameters of <see cref="InsertSql"/>, in the order <see cref="InsertValues"/> gives their values.</summary>
    internal static readonly string[] InsertParameters = ["$kind", "$emailId", "$mailFrom", "$rcptTo", "$message", "$messageId", "$now"];

    /// <summary>The values of <see cref="InsertParameters"/> for one mail.</summary>
    internal static object?[] InsertValues(OutboundMail mail, long? emailId, string now) =>
        [mail.Kind, emailId, mail.MailFrom, mail.RcptTo, mail.ToBytes(), mail.Message.MessageId, now];

    /// <summary>True when one of <paramref name="messageIds"/> is a reply email the gateway sent (answering it sends an SMS back).</summary>
    public async Task<bool> IsGatewayReplyAsync(IReadOnlyList<string> messageIds, CancellationToken cancellationToken = default)
    {
        if (messageIds.Count == 0)
        {
            return false;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT 1 FROM outbound_mail WHERE kind = 'reply' AND message_id IN @messageIds LIMIT 1", new { messageIds }).ConfigureAwait(false) is not null;
    }

    /// <summary>The queued mail, due or put off, oldest first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<QueuedMail>> QueuedAsync(int limit, CancellationToken cancellationToken = default) =>
        SelectAsync("WHERE status = 'queued' ORDER BY id LIMIT @limit", new { limit }, cancellationToken);

    public async Task<IReadOnlyList<QueuedMail>> TakeDueAsync(int limit, TimeSpan lease, long? node = null, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var taken = await SelectAsync(connection, transaction, "WHERE status = 'queued' AND due_at <= @now ORDER BY due_at, id LIMIT @limit",
            new { limit, now = Timestamps.Write(now) }, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE outbound_mail SET due_at = @until, claimed_by = @node WHERE id IN @ids",
            new { until = Timestamps.Write(now + lease), node, ids = taken.Select(m => m.Id) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return taken;
    }

    public Task ReleaseAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default) =>
        UpdateAsync("UPDATE outbound_mail SET due_at = @now, claimed_by = NULL WHERE id IN @ids AND status = 'queued'", new { ids, now = Now }, cancellationToken);

    /// <summary>Gives back the queued mail <paramref name="node"/> took, due at once, inside the caller's transaction; returns how many.</summary>
    internal static Task<int> ReleaseTakenByAsync(SqliteConnection connection, System.Data.Common.DbTransaction transaction, long node, string now) =>
        connection.ExecuteAsync("UPDATE outbound_mail SET due_at = @now, claimed_by = NULL WHERE claimed_by = @node AND status = 'queued'", new { node, now }, transaction);

    private async Task<IReadOnlyList<QueuedMail>> SelectAsync(string where, object values, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await SelectAsync(connection, null, where, values, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<QueuedMail>> SelectAsync(SqliteConnection connection, System.Data.Common.DbTransaction? transaction, string where, object values,
        CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<QueuedMail>(new CommandDefinition(
            $"SELECT id AS Id, kind AS Kind, mail_from AS MailFrom, rcpt_to AS RcptTo, message AS Message, attempts AS Attempts FROM outbound_mail {where}",
            values, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToList();
    }

    /// <summary>Marks a mail sent.</summary>
    public Task MarkSentAsync(long id, CancellationToken cancellationToken = default) =>
        UpdateAsync("UPDATE outbound_mail SET status = 'sent', attempts = attempts + 1, sent_at = @now, claimed_by = NULL WHERE id = @id", new { id, now = Now }, cancellationToken);

    /// <summary>Puts a mail off until <paramref name="due"/> after a send that failed for now, keeping <paramref name="reason"/>.</summary>
    public Task PutOffAsync(long id, DateTimeOffset due, string reason, CancellationToken cancellationToken = default) =>
        UpdateAsync("UPDATE outbound_mail SET attempts = attempts + 1, due_at = @due, last_error = @error, claimed_by = NULL WHERE id = @id",
            new { id, due = Timestamps.Write(due), error = reason }, cancellationToken);

    /// <summary>Marks a mail failed for good, keeping <paramref name="reason"/> (the server's reply) for the operator.</summary>
    public Task MarkFailedAsync(long id, string reason, CancellationToken cancellationToken = default) =>
        UpdateAsync("UPDATE outbound_mail SET status = 'failed', attempts = attempts + 1, last_error = @reason, claimed_by = NULL WHERE id = @id", new { id, reason }, cancellationToken);

    private string Now => Timestamps.Write(clock.GetUtcNow());

    private async Task UpdateAsync(string sql, object values, CancellationToken cancellationToken)
    {
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(sql, values, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}

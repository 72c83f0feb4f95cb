using Dapper;
using Mail2Sms.Gateway.Mail;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Storage;

/// <summary>One queued outbound email as stored.</summary>
public sealed record QueuedMail(long Id, string Kind, string MailFrom, string RcptTo, byte[] Message);

/// <summary>The queue of mail the gateway sends: rows added in the transaction that caused them, marked sent once out.</summary>
public sealed class OutboxStore(SqliteDatabase database, TimeProvider clock)
{
    /// <summary>Queues <paramref name="mail"/> on its own (mail not tied to an accepted email, such as postmaster's).</summary>
    public async Task<long> QueueAsync(OutboundMail mail, CancellationToken cancellationToken = default)
    {
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
        INSERT INTO outbound_mail (kind, email_id, mail_from, rcpt_to, message, message_id, status, created_at)
        VALUES ($kind, $emailId, $mailFrom, $rcptTo, $message, $messageId, 'queued', $now) RETURNING id
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

    /// <summary>The oldest queued mail, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<QueuedMail>> QueuedAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<QueuedMail>(
            "SELECT id AS Id, kind AS Kind, mail_from AS MailFrom, rcpt_to AS RcptTo, message AS Message FROM outbound_mail WHERE status = 'queued' ORDER BY id LIMIT @limit",
            new { limit }).ConfigureAwait(false);
        return rows.ToList();
    }

    /// <summary>Marks a mail sent.</summary>
    public async Task MarkSentAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("UPDATE outbound_mail SET status = 'sent', attempts = attempts + 1, sent_at = @now WHERE id = @id",
            new { id, now = Timestamps.Write(clock.GetUtcNow()) }).ConfigureAwait(false);
    }
}

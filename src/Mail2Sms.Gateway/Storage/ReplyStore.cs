using Dapper;
using Mail2Sms.Gateway.Mail;

namespace Mail2Sms.Gateway.Storage;

/// <summary>What became of a reply from a mobile.</summary>
public enum ReplyOutcome
{
    /// <summary>Emailed to the originator of the SMS it answers.</summary>
    Emailed,
    /// <summary>Emailed to the latest, but another account texted the mobile within the window too: flagged for the operator.</summary>
    Ambiguous,
    /// <summary>It answers no SMS within the window: kept for the operator.</summary>
    Unmatched,
    /// <summary>It answers an SMS sent through the REST API, which has no mailbox to email: kept for the account to read.</summary>
    Kept,
}

/// <summary>A reply from a mobile as kept.</summary>
/// <param name="Id">The reply.</param>
/// <param name="ReceivedAt">When it came.</param>
/// <param name="Mobile">Who sent it.</param>
/// <param name="ToAddress">The source address it answers.</param>
/// <param name="Status">emailed, ambiguous or unmatched.</param>
/// <param name="Text">What it says.</param>
/// <param name="SmsId">The SMS it answers, when matched.</param>
/// <param name="AccountId">That SMS's account.</param>
public sealed record ReplyListing(long Id, DateTimeOffset ReceivedAt, string Mobile, string ToAddress, string Status, string Text, long? SmsId, string? AccountId);

/// <summary>
/// Replies from mobiles: matched to the latest SMS submitted to that mobile from the address it replied to
/// within the reply window,
/// the reply email queued in the same transaction as the reply is kept, so neither is lost without the other.
/// </summary>
public sealed class ReplyStore(SqliteDatabase database, TimeProvider clock, ReplyComposer composer, TimeSpan window)
{
    /// <summary>Keeps a reply to <paramref name="toAddress"/> (the source address it answers) and queues its email; returns what became of it.</summary>
    public async Task<ReplyOutcome> ReceiveAsync(string mobile, string toAddress, string text, CancellationToken cancellationToken = default)
    {
        var number = mobile.Trim().TrimStart('+');
        var now = clock.GetUtcNow();
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Each account matches within its own window, or the gateway's: look back as far as the widest, then keep each SMS inside its account's.
        var widest = await connection.QuerySingleAsync<long?>("SELECT MAX(reply_window_days) FROM accounts", transaction: transaction).ConfigureAwait(false);
        var since = Timestamps.Write(now - TimeSpan.FromDays(Math.Max(window.TotalDays, widest ?? 0)));
        var sent = (await connection.QueryAsync<(long SmsId, string AccountId, string? Originator, string? MessageId, string Subject, string? Name, string Text, string SubmittedAt, string? Source, long? WindowDays)>(
            """
            SELECT s.id, s.account_id, e.originator, e.message_id, e.subject, s.name, s.text, s.submitted_at, s.source_address, a.reply_window_days
            FROM sms s JOIN emails e ON e.id = s.email_id JOIN accounts a ON a.id = s.account_id
            WHERE s.number = @number AND s.submitted_at IS NOT NULL AND s.submitted_at >= @since ORDER BY s.submitted_at DESC, s.id DESC
            """,
            new { number, since }, transaction).ConfigureAwait(false))
            .Where(s => Timestamps.Read(s.SubmittedAt) >= now - (s.WindowDays is { } days ? TimeSpan.FromDays(days) : window)).ToList();

        // The SMS sent from the number the mobile replied to; when none was (an SMSC that rewrites the
        // address), any sent to the mobile, the latest first.
        var fromThere = sent.Where(s => s.Source?.TrimStart('+') == toAddress.TrimStart('+')).ToList();
        var latest = fromThere.Count > 0 ? fromThere : sent;
        var answered = latest.FirstOrDefault();
        ReplyOutcome outcome;
        if (answered.AccountId is null)
        {
            outcome = ReplyOutcome.Unmatched;
        }
        else if (answered.Originator is null)
        {
            outcome = ReplyOutcome.Kept;
        }
        else
        {
            outcome = latest.Select(s => s.AccountId).Distinct(StringComparer.Ordinal).Count() > 1 ? ReplyOutcome.Ambiguous : ReplyOutcome.Emailed;
            var mail = composer.Compose(number, text, new AnsweredSms(answered.Originator, answered.MessageId, answered.Subject, answered.Name, answered.Text, Timestamps.Read(answered.SubmittedAt)));
            await OutboxStore.InsertAsync(connection, (Microsoft.Data.Sqlite.SqliteTransaction)transaction, mail, Timestamps.Write(now), cancellationToken).ConfigureAwait(false);
        }

        // STOP (or UNSUBSCRIBE) alone puts the mobile on the account's opt-out list; START takes it off.
        var word = text.Trim().ToUpperInvariant();
        if (outcome != ReplyOutcome.Unmatched && word is "STOP" or "UNSUBSCRIBE" or "START")
        {
            await connection.ExecuteAsync(word == "START"
                    ? "DELETE FROM opt_outs WHERE account_id = @account AND number = @number"
                    : "INSERT INTO opt_outs (account_id, number, at) VALUES (@account, @number, @now) ON CONFLICT DO NOTHING",
                new { account = answered.AccountId, number, now = Timestamps.Write(now) }, transaction).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(
            "INSERT INTO replies (mobile, to_address, text, sms_id, status, received_at) VALUES (@number, @toAddress, @text, @smsId, @status, @now)",
            new { number, toAddress, text, smsId = outcome == ReplyOutcome.Unmatched ? (long?)null : answered.SmsId, status = outcome.ToString().ToLowerInvariant(), now = Timestamps.Write(now) },
            transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        GatewayMetrics.ReplyReceived(outcome);
        return outcome;
    }

    /// <summary>The newest replies, at most <paramref name="limit"/>, only those in <paramref name="status"/> and to SMS of <paramref name="accountId"/> when given.</summary>
    public static async Task<IReadOnlyList<ReplyListing>> ListAsync(SqliteDatabase database, string? status, int limit, string? accountId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Id, string ReceivedAt, string Mobile, string ToAddress, string Status, string Text, long? SmsId, string? AccountId)>(
            """
            SELECT r.id, r.received_at, r.mobile, r.to_address, r.status, r.text, r.sms_id, s.account_id FROM replies r LEFT JOIN sms s ON s.id = r.sms_id
            WHERE (@status IS NULL OR r.status = @status) AND (@accountId IS NULL OR s.account_id = @accountId) ORDER BY r.id DESC LIMIT @limit
            """,
            new { status = status?.ToLowerInvariant(), limit, accountId }).ConfigureAwait(false);
        return [.. rows.Select(r => new ReplyListing(r.Id, Timestamps.Read(r.ReceivedAt), r.Mobile, r.ToAddress, r.Status, r.Text, r.SmsId, r.AccountId))];
    }
}

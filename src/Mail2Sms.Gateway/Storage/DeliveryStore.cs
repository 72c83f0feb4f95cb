using Dapper;
using Mail2Sms.Smpp;

namespace Mail2Sms.Gateway.Storage;

/// <summary>A queued SMS claimed for submitting.</summary>
/// <param name="Id">The SMS.</param>
/// <param name="AccountId">Its account.</param>
/// <param name="Number">The mobile, international digits.</param>
/// <param name="Text">The text as it will be sent.</param>
/// <param name="Encoding"><c>Gsm7</c> or <c>Ucs2</c>.</param>
/// <param name="Parts">Its parts (each a credit).</param>
/// <param name="Attempts">Submits tried before this one.</param>
/// <param name="CreatedAt">When it was accepted (its validity counts from then).</param>
/// <param name="OptedOut">The mobile replied STOP to this account (and not START since).</param>
public sealed record ClaimedSms(long Id, string AccountId, string Number, string Text, string Encoding, int Parts, int Attempts, DateTimeOffset CreatedAt, bool OptedOut);

/// <summary>An SMS of a finished email that did not reach its phone, for the delivery report.</summary>
/// <param name="Number">The mobile.</param>
/// <param name="Name">The recipient's name, when the email gave one.</param>
/// <param name="Text">The SMS.</param>
/// <param name="Status">failed, expired or unknown.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record UndeliveredSms(string Number, string? Name, string Text, string Status, string Reason);

/// <summary>An SMS of a finished email that reached its phone, for the receipt email.</summary>
/// <param name="Number">The mobile.</param>
/// <param name="Name">The recipient's name, when the email gave one.</param>
/// <param name="Text">The SMS.</param>
/// <param name="SubmittedAt">When the SMS centre took it.</param>
/// <param name="DeliveredAt">When its receipt said it reached the phone.</param>
public sealed record DeliveredSms(string Number, string? Name, string Text, DateTimeOffset SubmittedAt, DateTimeOffset DeliveredAt);

/// <summary>An email whose SMS are all final, with those that arrived and those that did not.</summary>
/// <param name="EmailId">The email.</param>
/// <param name="Originator">Who sent it: the report goes to them.</param>
/// <param name="MessageId">Its Message-ID, to thread the report under it.</param>
/// <param name="Subject">Its subject.</param>
/// <param name="Delivered">SMS that reached their phones.</param>
/// <param name="Undelivered">SMS that did not.</param>
/// <param name="Receipts">The user who sent it asked for receipt emails: the deliveries are listed too.</param>
public sealed record FinishedEmail(
    long EmailId, string Originator, string? MessageId, string Subject, IReadOnlyList<DeliveredSms> Delivered, IReadOnlyList<UndeliveredSms> Undelivered, bool Receipts);

/// <summary>
/// The queue's side of delivery: claiming due SMS with a lease, recording submits part by part,
/// retrying, failing (credits back for parts never submitted), expiring, and applying receipts,
/// including one that arrives before its submit is recorded.
/// </summary>
public sealed class DeliveryStore(SqliteDatabase database, TimeProvider clock)
{
    private string Now => Timestamps.Write(clock.GetUtcNow());

    /// <summary>Claims up to <paramref name="limit"/> due SMS for <paramref name="lease"/>: alerts first, then the oldest.</summary>
    public async Task<IReadOnlyList<ClaimedSms>> ClaimAsync(int limit, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Id, string AccountId, string Number, string Text, string Encoding, long Parts, long Attempts, string CreatedAt, long OptedOut)>(
            """
            UPDATE sms SET claimed_until = @until
            WHERE id IN (SELECT id FROM sms WHERE status = 'queued' AND due_at <= @now AND (claimed_until IS NULL OR claimed_until < @now)
                         ORDER BY priority, due_at, id LIMIT @limit)
            RETURNING id, account_id, number, text, encoding, parts, attempts, created_at,
                EXISTS (SELECT 1 FROM opt_outs o WHERE o.account_id = sms.account_id AND o.number = sms.number)
            """,
            new { now, until = Timestamps.Write(clock.GetUtcNow() + lease), limit }).ConfigureAwait(false);
        return [.. rows.Select(r => new ClaimedSms(r.Id, r.AccountId, r.Number, r.Text, r.Encoding, (int)r.Parts, (int)r.Attempts, Timestamps.Read(r.CreatedAt), r.OptedOut != 0))
            .OrderBy(s => s.Id)];
    }

    /// <summary>Marks SMS submitted before <paramref name="before"/> and still without a final receipt as unknown; returns how many.</summary>
    public async Task<int> MarkUnknownAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(
            "UPDATE sms SET status = 'unknown', final_at = @now, last_error = 'No receipt came from the SMS centre.' WHERE status = 'submitted' AND submitted_at < @before",
            new { now = Now, before = Timestamps.Write(before) }).ConfigureAwait(false);
    }

    /// <summary>Records the SMSC's ID of every part; a receipt that came before is applied now.</summary>
    public async Task SubmittedAsync(long smsId, IReadOnlyList<string> smscMessageIds, ReceiptIdForm form, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        for (var part = 0; part < smscMessageIds.Count; part++)
        {
            var id = smscMessageIds[part];
            await connection.ExecuteAsync(
                "INSERT INTO sms_parts (sms_id, part, smsc_message_id, receipt_key, status) VALUES (@smsId, @part, @id, @key, 'submitted')",
                new { smsId, part = part + 1, id, key = MessageIds.Key(id, form) ?? MessageIds.Key(id) }, transaction).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(
            """
            UPDATE sms SET status = 'submitted', submitted_at = @now, attempts = attempts + 1, claimed_until = NULL, last_error = NULL,
                smsc_message_ids = @ids WHERE id = @smsId
            """,
            new { smsId, now, ids = string.Join(' ', smscMessageIds) }, transaction).ConfigureAwait(false);
        var early = await connection.QueryAsync<(string Key, string State)>(
            "DELETE FROM early_receipts WHERE receipt_key IN (SELECT receipt_key FROM sms_parts WHERE sms_id = @smsId) RETURNING receipt_key, state",
            new { smsId }, transaction).ConfigureAwait(false);
        foreach (var (key, state) in early)
        {
            await ApplyAsync(connection, transaction, key, state, now).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts the SMS back in the queue, due at <paramref name="dueAt"/>, with why.</summary>
    public async Task RetryAsync(long smsId, DateTimeOffset dueAt, string reason, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "UPDATE sms SET attempts = attempts + 1, due_at = @due, claimed_until = NULL, last_error = @reason WHERE id = @smsId",
            new { smsId, due = Timestamps.Write(dueAt), reason }).ConfigureAwait(false);
    }

    /// <summary>Ends the SMS as <paramref name="status"/> (failed or expired) with why; its credits go back, as none of its parts was submitted.</summary>
    public async Task EndUnsentAsync(long smsId, string status, string reason, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var sms = await connection.QuerySingleAsync<(string AccountId, long Parts)>(
            "UPDATE sms SET status = @status, final_at = @now, claimed_until = NULL, last_error = @reason WHERE id = @smsId RETURNING account_id, parts",
            new { smsId, status, now, reason }, transaction).ConfigureAwait(false);
        await RefundAsync(connection, transaction, sms.AccountId, sms.Parts, $"sms {smsId} {status}, never submitted", now).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends an SMS refused part-way: the parts the SMSC took are recorded (their receipts still come),
    /// the SMS is failed with why, and the credits of the parts never submitted go back.
    /// </summary>
    public async Task EndPartlySentAsync(long smsId, IReadOnlyList<string> smscMessageIds, ReceiptIdForm form, string reason, CancellationToken cancellationToken = default)
    {
        await SubmittedAsync(smsId, smscMessageIds, form, cancellationToken).ConfigureAwait(false);
        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var sms = await connection.QuerySingleAsync<(string AccountId, long Parts)>(
            "UPDATE sms SET status = 'failed', final_at = @now, last_error = @reason WHERE id = @smsId RETURNING account_id, parts",
            new { smsId, now, reason }, transaction).ConfigureAwait(false);
        await RefundAsync(connection, transaction, sms.AccountId, sms.Parts - smscMessageIds.Count, $"sms {smsId} failed, {sms.Parts - smscMessageIds.Count} parts never submitted", now).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task RefundAsync(Microsoft.Data.Sqlite.SqliteConnection connection, System.Data.Common.DbTransaction transaction, string account, long parts, string why, string now)
    {
        if (parts <= 0)
        {
            return;
        }

        var balance = await connection.ExecuteScalarAsync<long>(
            "UPDATE accounts SET credits = credits + @parts WHERE id = @account RETURNING credits", new { parts, account }, transaction).ConfigureAwait(false);
        await AccountStore.AppendLedgerAsync(connection, transaction, account, parts, balance, why, now).ConfigureAwait(false);
    }

    /// <summary>
    /// Emails whose SMS are now all final: each is marked reported, and when some SMS did not arrive, or
    /// its user asked for receipt emails, the report <paramref name="compose"/> makes of it is queued in
    /// the same transaction (so none is lost or sent twice). Returns how many reports were queued.
    /// </summary>
    public async Task<int> ReportFinishedAsync(Func<FinishedEmail, Mail.OutboundMail> compose, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var finished = (await connection.QueryAsync<(long Id, string? Originator, string? MessageId, string Subject, long Receipts)>(
            """
            SELECT e.id, e.originator, e.message_id, e.subject, COALESCE(u.receipt_emails, 0) FROM emails e LEFT JOIN users u ON u.id = e.user_id
            WHERE e.delivery_reported_at IS NULL AND EXISTS (SELECT 1 FROM sms s WHERE s.email_id = e.id)
              AND NOT EXISTS (SELECT 1 FROM sms s WHERE s.email_id = e.id AND s.final_at IS NULL)
            ORDER BY e.id LIMIT 100
            """, transaction: transaction).ConfigureAwait(false)).ToList();
        var queued = 0;
        foreach (var email in finished)
        {
            var sms = (await connection.QueryAsync<(string Number, string? Name, string Text, string Status, string? Error, string? SubmittedAt, string FinalAt)>(
                "SELECT number, name, text, status, last_error, submitted_at, final_at FROM sms WHERE email_id = @id ORDER BY id",
                new { id = email.Id }, transaction).ConfigureAwait(false)).ToList();
            var delivered = sms.Where(s => s.Status == "delivered")
                .Select(s => new DeliveredSms(s.Number, s.Name, s.Text, Timestamps.Read(s.SubmittedAt!), Timestamps.Read(s.FinalAt))).ToList();
            var undelivered = sms.Where(s => s.Status != "delivered")
                .Select(s => new UndeliveredSms(s.Number, s.Name, s.Text, s.Status, s.Error ?? $"The SMS centre reported it {s.Status}.")).ToList();
            // Receipts come one per email once all its SMS are final: a single-SMS alert's as soon as it is
            // delivered, a 500-row bulk's as one email listing 500 deliveries rather than 500 emails.
            var receipts = email.Receipts != 0;
            if ((undelivered.Count > 0 || (receipts && delivered.Count > 0)) && email.Originator is not null)
            {
                var report = compose(new FinishedEmail(email.Id, email.Originator, email.MessageId, email.Subject, delivered, undelivered, receipts));
                await OutboxStore.InsertAsync(connection, (Microsoft.Data.Sqlite.SqliteTransaction)transaction, report, now, cancellationToken).ConfigureAwait(false);
                queued++;
            }

            await connection.ExecuteAsync("UPDATE emails SET delivery_reported_at = @now WHERE id = @id", new { now, id = email.Id }, transaction).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return queued;
    }

    /// <summary>Applies a receipt by its key; one for a part not recorded yet is kept until it is. Returns true when it matched a part.</summary>
    public async Task<bool> ReceiptAsync(string receiptKey, string state, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var matched = await ApplyAsync(connection, transaction, receiptKey, state, now).ConfigureAwait(false);
        if (!matched)
        {
            await connection.ExecuteAsync(
                "INSERT INTO early_receipts (receipt_key, state, received_at) VALUES (@receiptKey, @state, @now) ON CONFLICT DO UPDATE SET state = excluded.state",
                new { receiptKey, state, now }, transaction).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return matched;
    }

    // A part's receipt; the SMS is delivered once every part is, failed as soon as one part fails for good.
    private static async Task<bool> ApplyAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string key, string state, string now)
    {
        var partStatus = state.ToUpperInvariant() switch
        {
            "DELIVRD" => "delivered",
            "ENROUTE" or "ACCEPTD" => "submitted",
            "EXPIRED" => "expired",
            "UNKNOWN" => "unknown",
            _ => "failed",
        };
        var smsIds = (await connection.QueryAsync<long>(
            "UPDATE sms_parts SET status = @partStatus, receipt_at = @now WHERE receipt_key = @key RETURNING sms_id",
            new { partStatus, now, key }, transaction).ConfigureAwait(false)).Distinct().ToList();
        foreach (var smsId in smsIds)
        {
            var parts = (await connection.QueryAsync<string>("SELECT status FROM sms_parts WHERE sms_id = @smsId", new { smsId }, transaction).ConfigureAwait(false)).ToList();
            var status = parts.All(p => p == "delivered") ? "delivered"
                : parts.FirstOrDefault(p => p is "failed" or "expired" or "unknown") is { } final ? final
                : null;
            if (status is not null)
            {
                var error = status == "delivered" ? null : $"The SMS centre reported it {state.ToUpperInvariant()}: the phone did not get it.";
                await connection.ExecuteAsync("UPDATE sms SET status = @status, final_at = @now, last_error = @error WHERE id = @smsId AND final_at IS NULL",
                    new { status, now, smsId, error }, transaction).ConfigureAwait(false);
            }
        }

        return smsIds.Count > 0;
    }
}

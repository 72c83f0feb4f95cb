using System.Data.Common;
using System.Threading.Channels;
using Dapper;
using Mail2Sms.Core.Delivery;
using Mail2Sms.Smpp;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>
/// The queue's side of delivery: claiming due SMS with a lease, recording submits part by part,
/// retrying, failing (credits back for parts never submitted), expiring, and applying receipts,
/// including one that arrives before its submit is recorded.
/// </summary>
public sealed class DeliveryStore(SqliteDatabase database, TimeProvider clock) : ISmsQueue
{
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private int _turn;
    private int _writerStarted;

    private string Now => Timestamps.Write(clock.GetUtcNow());

    /// <summary>
    /// Claims up to <paramref name="limit"/> due SMS for <paramref name="lease"/>, each with the source
    /// address it goes from. Alerts of every account come before any bulk SMS; within that, accounts take
    /// turns (one account's long batch never holds another's SMS back), each capped one no more than its cap
    /// less what was claimed for it in the last minute (<c>capped_claims</c>, shared by every storage on the file).
    /// </summary>
    public async Task<IReadOnlyList<ClaimedSms>> ClaimAsync(int limit, TimeSpan lease, ClaimRules? rules = null, long? node = null, CancellationToken cancellationToken = default)
    {
        rules ??= new ClaimRules();
        var now = Now;
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // A capped account's claims of the last minute are what its cap counts; older ones are of no more use.
        await connection.ExecuteAsync(
            "DELETE FROM capped_claims WHERE claimed_at <= @minuteAgo", new { minuteAgo = Timestamps.Write(clock.GetUtcNow() - TimeSpan.FromMinutes(1)) }, transaction).ConfigureAwait(false);

        // The accounts with queued SMS, one index seek each (a loose index scan), however long their queues.
        var accounts = (await connection.QueryAsync<(string Id, long Cap, string? Sender, long Claimed)>(
            """
            WITH RECURSIVE queued (id) AS (
                SELECT (SELECT MIN(account_id) FROM sms WHERE status = 'queued')
                UNION ALL
                SELECT (SELECT MIN(account_id) FROM sms WHERE status = 'queued' AND account_id > queued.id) FROM queued WHERE queued.id IS NOT NULL)
            SELECT a.id, a.sms_per_minute, a.sender, (SELECT count(*) FROM capped_claims c WHERE c.account_id = a.id AND a.sms_per_minute > 0)
            FROM queued q JOIN accounts a ON a.id = q.id
            """, transaction: transaction).ConfigureAwait(false)).ToList();
        var turn = accounts.Count == 0 ? 0 : (int)(unchecked((uint)Interlocked.Increment(ref _turn)) % (uint)accounts.Count);
        var candidates = new List<(long Priority, int Rank, int Turn, long Id, string AccountId, string Number, string? Sender, bool Capped)>();
        for (var i = 0; i < accounts.Count; i++)
        {
            var account = accounts[(turn + i) % accounts.Count];
            var allowed = account.Cap > 0 ? (int)Math.Min(limit, account.Cap - account.Claimed) : limit;
            if (allowed <= 0)
            {
                continue;
            }

            var due = await connection.QueryAsync<(long Id, long Priority, string Number)>(
                """
                SELECT id, priority, number FROM sms WHERE status = 'queued' AND account_id = @account AND due_at <= @now
                    AND (claimed_until IS NULL OR claimed_until < @now)
                ORDER BY priority, due_at, id LIMIT @allowed
                """, new { account = account.Id, now, allowed }, transaction).ConfigureAwait(false);
            candidates.AddRange(due.Select((d, rank) => (d.Priority, rank, i, d.Id, account.Id, d.Number, account.Sender, account.Cap > 0)));
        }

        var claimed = new List<ClaimedSms>();
        var until = Timestamps.Write(clock.GetUtcNow() + lease);
        foreach (var pick in candidates.OrderBy(c => c.Priority).ThenBy(c => c.Rank).ThenBy(c => c.Turn).Take(limit))
        {
            var source = SourceAddresses.Fixed(pick.Sender, rules.SourcePool, rules.SourceAddress)
                ?? await PoolSourceAsync(connection, transaction, pick.AccountId, pick.Number, rules, now).ConfigureAwait(false);
            // An SMS keeps the source it first went from (its replies are matched by it, its parts already out came from it).
            var row = await connection.QuerySingleAsync<(long Id, string AccountId, string Number, string Text, string Encoding, long Parts, long Attempts, string CreatedAt, long OptedOut, long PartsDone, string Source)>(
                """
                UPDATE sms SET claimed_until = @until, claimed_by = @node, source_address = COALESCE(source_address, @source) WHERE id = @id
                RETURNING id, account_id, number, text, encoding, parts, attempts, created_at,
                    EXISTS (SELECT 1 FROM opt_outs o WHERE o.account_id = sms.account_id AND o.number = sms.number),
                    (SELECT count(*) FROM sms_parts p WHERE p.sms_id = sms.id), source_address
                """, new { until, node, source, id = pick.Id }, transaction).ConfigureAwait(false);
            if (pick.Capped)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO capped_claims (account_id, claimed_at) VALUES (@account, @now)", new { account = pick.AccountId, now }, transaction).ConfigureAwait(false);
            }

            claimed.Add(new ClaimedSms(row.Id, row.AccountId, row.Number, row.Text, row.Encoding, (int)row.Parts, (int)row.Attempts, Timestamps.Read(row.CreatedAt), row.OptedOut != 0, row.Source, (int)row.PartsDone));
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return claimed;
    }

    // The pool number this account and mobile pair sticks to (SourceAddresses.FromPool), recorded as used now.
    private static async Task<string> PoolSourceAsync(SqliteConnection connection, DbTransaction transaction, string account, string number, ClaimRules rules, string now)
    {
        var mine = await connection.ExecuteScalarAsync<string?>(
            "SELECT source FROM source_assignments WHERE account_id = @account AND number = @number", new { account, number }, transaction).ConfigureAwait(false);
        if (!SourceAddresses.Keeps(rules.SourcePool, mine))
        {
            // Another account's number stays its own for the mobile within that account's reply window (its own, or the gateway's).
            var others = (await connection.QueryAsync<(string Source, string LastUsedAt, long? WindowDays)>(
                """
                SELECT sa.source, sa.last_used_at, a.reply_window_days FROM source_assignments sa JOIN accounts a ON a.id = sa.account_id
                WHERE sa.number = @number AND sa.account_id <> @account
                """, new { account, number }, transaction).ConfigureAwait(false))
                .Select(o => new PoolAssignment(o.Source, Timestamps.Read(o.LastUsedAt), o.WindowDays is { } days ? TimeSpan.FromDays(days) : null));
            mine = SourceAddresses.FromPool(rules.SourcePool, account, number, others, Timestamps.Read(now), rules.SourceStickiness);
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO source_assignments (account_id, number, source, last_used_at) VALUES (@account, @number, @mine, @now)
            ON CONFLICT (account_id, number) DO UPDATE SET source = excluded.source, last_used_at = excluded.last_used_at
            """, new { account, number, mine, now }, transaction).ConfigureAwait(false);
        return mine;
    }

    /// <summary>
    /// Holds the claims on <paramref name="smsIds"/> (submits still under way) until <paramref name="until"/>, those
    /// still this node's: one taken over by another node meanwhile stays that node's.
    /// </summary>
    public Task RenewAsync(IReadOnlyCollection<long> smsIds, DateTimeOffset until, long? node = null, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction, _) => await connection.ExecuteAsync(
            "UPDATE sms SET claimed_until = @until WHERE id IN @smsIds AND status = 'queued' AND claimed_by IS @node",
            new { smsIds, until = Timestamps.Write(until), node }, transaction).ConfigureAwait(false), cancellationToken);

    /// <summary>Expires queued SMS accepted before <paramref name="acceptedBefore"/> and not claimed now (their credits back); returns how many.</summary>
    public async Task<int> ExpireAsync(DateTimeOffset acceptedBefore, string reason, CancellationToken cancellationToken = default)
    {
        var now = Now;
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var ids = (await connection.QueryAsync<long>(
            "SELECT id FROM sms WHERE status = 'queued' AND created_at < @before AND (claimed_until IS NULL OR claimed_until < @now) ORDER BY id LIMIT 1000",
            new { before = Timestamps.Write(acceptedBefore), now }, transaction).ConfigureAwait(false)).ToList();
        foreach (var id in ids)
        {
            await EndUnsentWithinAsync(connection, transaction, id, SmsStatus.Expired, reason, now).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ids.Count;
    }

    /// <summary>Marks SMS submitted before <paramref name="before"/> and still without a final receipt as unknown; returns how many.</summary>
    public async Task<int> MarkUnknownAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(
            "UPDATE sms SET status = 'unknown', final_at = @now, last_error = 'No receipt came from the SMS centre.' WHERE status = 'submitted' AND submitted_at < @before",
            new { now = Now, before = Timestamps.Write(before) }).ConfigureAwait(false);
    }

    /// <summary>Records the last parts the SMSC took of each SMS, in one transaction: each is submitted; receipts that came before are applied now.</summary>
    public Task SubmittedAsync(IReadOnlyList<(long SmsId, SentParts Parts)> submits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submits);
        return WriteAsync(async (connection, transaction, now) =>
        {
            foreach (var (smsId, parts) in submits)
            {
                await SubmittedWithinAsync(connection, transaction, smsId, parts, now).ConfigureAwait(false);
            }

            return submits.Count;
        }, cancellationToken);
    }

    // The SMSC took it, so it is submitted whoever holds the claim now (a node found dead that ran on, its claim taken
    // over): losing a real submit would send it again and leave its receipts unmatched. Only an SMS no longer queued or
    // uncertain (another node's submit recorded first, or ended) is left as it is. An uncertain one's attempt was counted already.
    private static async Task<bool> SubmittedWithinAsync(SqliteConnection connection, DbTransaction transaction, long smsId, SentParts parts, string now)
    {
        await RecordPartsAsync(connection, transaction, smsId, parts, now).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            UPDATE sms SET status = 'submitted', submitted_at = @now, attempts = attempts + (status = 'queued'), claimed_until = NULL, claimed_by = NULL, last_error = NULL, uncertain_text = NULL,
                smsc_message_ids = (SELECT group_concat(smsc_message_id, ' ') FROM (SELECT smsc_message_id FROM sms_parts WHERE sms_id = @smsId ORDER BY part))
            WHERE id = @smsId AND status IN ('queued', 'uncertain')
            """,
            new { smsId, now }, transaction).ConfigureAwait(false);
        await SettleAsync(connection, transaction, smsId, now).ConfigureAwait(false);
        return true;
    }

    // Each part with its SMSC ID and receipt key; a receipt for one that came before is applied to it.
    private static async Task RecordPartsAsync(SqliteConnection connection, DbTransaction transaction, long smsId, SentParts parts, string now)
    {
        for (var i = 0; i < parts.MessageIds.Count; i++)
        {
            var id = parts.MessageIds[i];
            await connection.ExecuteAsync(
                // A part another node already recorded (both sent it, a claim having moved) keeps the first record; one of no SMS in the store is passed over.
                """
                INSERT INTO sms_parts (sms_id, part, smsc_message_id, receipt_key, status)
                SELECT @smsId, @part, @id, @key, 'submitted' WHERE EXISTS (SELECT 1 FROM sms WHERE id = @smsId) ON CONFLICT (sms_id, part) DO NOTHING
                """,
                new { smsId, part = parts.First + i, id, key = MessageIds.Key(id, parts.Form) ?? MessageIds.Key(id) }, transaction).ConfigureAwait(false);
        }

        var early = await connection.QueryAsync<(string Key, string State)>(
            "DELETE FROM early_receipts WHERE receipt_key IN (SELECT receipt_key FROM sms_parts WHERE sms_id = @smsId) RETURNING receipt_key, state",
            new { smsId }, transaction).ConfigureAwait(false);
        foreach (var (key, state) in early)
        {
            await ApplyAsync(connection, transaction, key, state, now).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Puts the SMS back in the queue, due at <paramref name="dueAt"/>, with why, if this node still holds its claim (one
    /// found dead that ran on must not clobber the claim of the node that took it over). Parts the SMSC took before the
    /// attempt was cut short (<paramref name="parts"/>) are recorded either way, and not sent again.
    /// </summary>
    public Task RetryAsync(long smsId, DateTimeOffset dueAt, string reason, SentParts? parts = null, long? node = null, CancellationToken cancellationToken = default) =>
        PutBackAsync(smsId, SmsStatus.Queued, dueAt, reason, parts, null, node, cancellationToken);

    /// <summary>
    /// Makes the SMS uncertain until <paramref name="graceEnds"/>, keeping the text of the part whose answer never came for a
    /// receipt to be matched by, if this node still holds its claim; the parts taken before are recorded either way.
    /// </summary>
    public Task UncertainAsync(long smsId, DateTimeOffset graceEnds, string reason, SentParts? parts, string? partText, long? node = null, CancellationToken cancellationToken = default) =>
        PutBackAsync(smsId, SmsStatus.Uncertain, graceEnds, reason, parts, partText, node, cancellationToken);

    // Out of the claim, queued or uncertain, counted as an attempt; the parts taken recorded first.
    private Task<int> PutBackAsync(long smsId, SmsStatus status, DateTimeOffset dueAt, string reason, SentParts? parts, string? partText, long? node, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction, now) =>
        {
            if (parts is not null)
            {
                await RecordPartsAsync(connection, transaction, smsId, parts, now).ConfigureAwait(false);
            }

            var changed = await connection.ExecuteAsync(
                "UPDATE sms SET status = @status, uncertain_text = @partText, attempts = attempts + 1, due_at = @due, claimed_until = NULL, claimed_by = NULL, "
                + "last_error = @reason WHERE id = @smsId AND status = 'queued' AND claimed_by IS @node",
                new { smsId, status = status.Word(), partText, due = Timestamps.Write(dueAt), reason, node }, transaction).ConfigureAwait(false);
            if (changed > 0 && status == SmsStatus.Uncertain)
            {
                await EarlyQuoteAsync(connection, transaction, smsId, now).ConfigureAwait(false);
            }

            return changed;
        }, cancellationToken);

    // A receipt quoting the part under way may have come before the submit's timeout fired: the first that can only be
    // about this SMS ends its uncertainty now.
    private static async Task EarlyQuoteAsync(SqliteConnection connection, DbTransaction transaction, long smsId, string now)
    {
        var quotes = await connection.QueryAsync<UncertainMatch>(
            """
            SELECT e.mobile AS Mobile, e.source AS "From", e.excerpt AS Excerpt, e.message_id AS MessageId
            FROM sms s JOIN early_receipts e INDEXED BY early_receipts_by_mobile ON e.mobile = s.number
            WHERE s.id = @smsId AND e.source = ltrim(s.source_address, '+') AND substr(s.uncertain_text, 1, length(e.excerpt)) = e.excerpt
            ORDER BY e.received_at
            """, new { smsId }, transaction).ConfigureAwait(false);
        foreach (var quote in quotes)
        {
            if (await TakenWhileUncertainAsync(connection, transaction, quote, now).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Puts back in the queue every uncertain SMS whose grace ended by <paramref name="now"/>; returns how many.</summary>
    public Task<int> ReleaseUncertainAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction, _) => await connection.ExecuteAsync(
            "UPDATE sms SET status = 'queued', uncertain_text = NULL WHERE status = 'uncertain' AND due_at <= @now",
            new { now = Timestamps.Write(now) }, transaction).ConfigureAwait(false), cancellationToken);

    /// <summary>Ends the SMS as <paramref name="status"/> (failed or expired) with why; its credits go back, as none of its parts was submitted.</summary>
    public Task EndUnsentAsync(long smsId, SmsStatus status, string reason, CancellationToken cancellationToken = default) =>
        WriteAsync((connection, transaction, now) => EndUnsentWithinAsync(connection, transaction, smsId, status, reason, now), cancellationToken);

    private static async Task<bool> EndUnsentWithinAsync(SqliteConnection connection, DbTransaction transaction, long smsId, SmsStatus ended, string reason, string now)
    {
        var status = ended.Word();
        var sms = await connection.QuerySingleAsync<(string AccountId, long Parts)>(
            "UPDATE sms SET status = @status, final_at = @now, claimed_until = NULL, claimed_by = NULL, last_error = @reason WHERE id = @smsId RETURNING account_id, parts",
            new { smsId, status, now, reason }, transaction).ConfigureAwait(false);
        await RefundAsync(connection, transaction, sms.AccountId, sms.Parts, $"sms {smsId} {status}, never submitted", now).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Ends an SMS refused part-way: the parts the SMSC took are recorded (their receipts still come),
    /// the SMS is failed with why, and the credits of the parts never submitted go back.
    /// </summary>
    public Task EndPartlySentAsync(long smsId, SentParts parts, string reason, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction, now) =>
        {
            await SubmittedWithinAsync(connection, transaction, smsId, parts, now).ConfigureAwait(false);
            var sms = await connection.QuerySingleAsync<(string AccountId, long Parts, long Sent)>(
                """
                UPDATE sms SET status = 'failed', final_at = @now, last_error = @reason WHERE id = @smsId
                RETURNING account_id, parts, (SELECT count(*) FROM sms_parts p WHERE p.sms_id = sms.id)
                """,
                new { smsId, now, reason }, transaction).ConfigureAwait(false);
            var unsent = sms.Parts - sms.Sent;
            await RefundAsync(connection, transaction, sms.AccountId, unsent, $"sms {smsId} failed, {unsent} parts never submitted", now).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="apply"/> in the next write transaction: the writes that come while one
    /// commits are committed together (one fsync for many), each in a savepoint of its own so a
    /// failing one leaves the others whole, and each caller's task completes once its commit has.
    /// </summary>
    private Task<T> WriteAsync<T>(Func<SqliteConnection, DbTransaction, string, Task<T>> apply, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _writerStarted, 1) == 0)
        {
            _ = Task.Run(WriteLoopAsync, CancellationToken.None);
        }

        var write = new PendingWrite(async (connection, transaction, now) => await apply(connection, transaction, now).ConfigureAwait(false));
        if (!_writes.Writer.TryWrite(write))
        {
            throw new InvalidOperationException("The delivery store's writer is closed.");
        }

        return Cast<T>(write.Done.Task).WaitAsync(cancellationToken);
    }

    private static async Task<T> Cast<T>(Task<object?> task) => (T)(await task.ConfigureAwait(false))!;

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>();
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < 256 && _writes.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            var results = new List<(PendingWrite Write, object? Result)>(batch.Count);
            try
            {
                var now = Now;
                using var writing = await database.WriteTurnAsync().ConfigureAwait(false);
                await using var connection = await database.OpenAsync().ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
                foreach (var write in batch)
                {
                    await transaction.SaveAsync("write").ConfigureAwait(false);
                    try
                    {
                        results.Add((write, await write.Apply(connection, transaction, now).ConfigureAwait(false)));
                        await transaction.ReleaseAsync("write").ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        // This write only: the others of the batch go ahead.
                        await transaction.RollbackAsync("write").ConfigureAwait(false);
                        write.Done.TrySetException(e);
                    }
                }

                await transaction.CommitAsync().ConfigureAwait(false);
                foreach (var (write, result) in results)
                {
                    write.Done.TrySetResult(result);
                }
            }
            catch (Exception e)
            {
                foreach (var write in batch)
                {
                    write.Done.TrySetException(e);
                }
            }

            batch.Clear();
        }
    }

    private sealed record PendingWrite(Func<SqliteConnection, DbTransaction, string, Task<object?>> Apply)
    {
        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static async Task RefundAsync(SqliteConnection connection, DbTransaction transaction, string account, long parts, string why, string now)
    {
        if (parts <= 0)
        {
            return;
        }

        var balance = await connection.ExecuteScalarAsync<long>(
            "UPDATE accounts SET credits = credits + @parts WHERE id = @account RETURNING credits", new { parts, account }, transaction).ConfigureAwait(false);
        await AccountStore.AppendLedgerAsync(connection, transaction, account, parts, balance, why, now).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FinishedEmail>> FinishedAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var finished = (await connection.QueryAsync<(long Id, string? Originator, string? MessageId, string Subject, long Receipts)>(
            """
            SELECT e.id, e.originator, e.message_id, e.subject, COALESCE(u.receipt_emails, 0) FROM emails e LEFT JOIN users u ON u.id = e.user_id
            WHERE e.delivery_reported_at IS NULL AND EXISTS (SELECT 1 FROM sms s WHERE s.email_id = e.id)
              AND NOT EXISTS (SELECT 1 FROM sms s WHERE s.email_id = e.id AND s.final_at IS NULL)
            ORDER BY e.id LIMIT @limit
            """, new { limit }, transaction).ConfigureAwait(false)).ToList();
        var emails = new List<FinishedEmail>(finished.Count);
        foreach (var email in finished)
        {
            var sms = (await connection.QueryAsync<(string Number, string? Name, string Text, string Status, string? Error, string? SubmittedAt, string FinalAt)>(
                "SELECT number, name, text, status, last_error, submitted_at, final_at FROM sms WHERE email_id = @id ORDER BY id",
                new { id = email.Id }, transaction).ConfigureAwait(false))
                .Select(s => new FinalSms(s.Number, s.Name, s.Text, s.Status, s.Error, Timestamps.ReadOrNull(s.SubmittedAt), Timestamps.Read(s.FinalAt))).ToList();
            emails.Add(FinishedEmail.Of(email.Id, email.Originator, email.MessageId, email.Subject, email.Receipts != 0, sms));
        }

        return emails;
    }

    public async Task<int> ReportedAsync(IReadOnlyCollection<EmailReport> reports, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            return 0;
        }

        var now = Now;
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var queued = 0;
        foreach (var (emailId, report) in reports)
        {
            // Only the first to mark it queues its report: another node's sweep, or this one's again, finds it reported.
            var marked = await connection.ExecuteAsync(
                "UPDATE emails SET delivery_reported_at = @now WHERE id = @emailId AND delivery_reported_at IS NULL", new { now, emailId }, transaction).ConfigureAwait(false);
            if (marked > 0 && report is not null)
            {
                await OutboxStore.InsertAsync(connection, (SqliteTransaction)transaction, report, now, cancellationToken).ConfigureAwait(false);
                queued++;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return queued;
    }

    /// <summary>
    /// Applies receipts by their keys, in order, in one transaction, or by their quotes to the one uncertain SMS each can be
    /// about; one for a part not recorded yet is kept until it is. Returns how many matched a part.
    /// </summary>
    public Task<int> ReceiptsAsync(IReadOnlyList<SmsReceipt> receipts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        return WriteAsync(async (connection, transaction, now) =>
        {
            var matched = 0;
            foreach (var (receiptKey, state, quote) in receipts)
            {
                var match = UncertainMatch.Of(quote);
                if (await ApplyAsync(connection, transaction, receiptKey, state, now).ConfigureAwait(false)
                    || (match is not null && await TakenWhileUncertainAsync(connection, transaction, match, now).ConfigureAwait(false)
                        && await ApplyAsync(connection, transaction, receiptKey, state, now).ConfigureAwait(false)))
                {
                    matched++;
                    continue;
                }

                await connection.ExecuteAsync(
                    """
                    INSERT INTO early_receipts (receipt_key, state, received_at, message_id, mobile, source, excerpt)
                    VALUES (@receiptKey, @state, @now, @MessageId, @Mobile, @From, @Excerpt) ON CONFLICT DO UPDATE SET state = excluded.state
                    """,
                    new { receiptKey, state, now, MessageId = match?.MessageId, Mobile = match?.Mobile, From = match?.From, Excerpt = match?.Excerpt }, transaction).ConfigureAwait(false);
            }

            return matched;
        }, cancellationToken);
    }

    // The uncertain SMS the quote can only be about gets the part under way recorded as taken with the receipt's ID: it is
    // submitted when that was its last part, else queued at once for the rest (never sent, as parts go one after another).
    // None, or two it could be about, match nothing: the receipt waits as an early one, and the grace decides.
    private static async Task<bool> TakenWhileUncertainAsync(SqliteConnection connection, DbTransaction transaction, UncertainMatch match, string now)
    {
        var found = (await connection.QueryAsync<(long Id, long Parts, long Done)>(
            """
            SELECT id, parts, (SELECT count(*) FROM sms_parts p WHERE p.sms_id = sms.id) FROM sms INDEXED BY sms_uncertain_by_number
            WHERE status = 'uncertain' AND number = @Mobile AND ltrim(source_address, '+') = @From AND substr(uncertain_text, 1, length(@Excerpt)) = @Excerpt
            LIMIT 2
            """, match, transaction).ConfigureAwait(false)).ToList();
        if (found is not [var sms])
        {
            return false;
        }

        var part = match.Part(sms.Done);
        if (sms.Done + 1 >= sms.Parts)
        {
            return await SubmittedWithinAsync(connection, transaction, sms.Id, part, now).ConfigureAwait(false);
        }

        await RecordPartsAsync(connection, transaction, sms.Id, part, now).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "UPDATE sms SET status = 'queued', uncertain_text = NULL, due_at = @now WHERE id = @id",
            new { id = sms.Id, now }, transaction).ConfigureAwait(false);
        return true;
    }

    // A part's receipt, then its SMS settled.
    private static async Task<bool> ApplyAsync(SqliteConnection connection, DbTransaction transaction, string key, string state, string now)
    {
        var partStatus = ReceiptStates.PartStatusOf(state).Word();
        var smsIds = (await connection.QueryAsync<long>(
            "UPDATE sms_parts SET status = @partStatus, receipt_state = @state, receipt_at = @now WHERE receipt_key = @key RETURNING sms_id",
            new { partStatus, state = state.ToUpperInvariant(), now, key }, transaction).ConfigureAwait(false)).Distinct().ToList();
        foreach (var smsId in smsIds)
        {
            await SettleAsync(connection, transaction, smsId, now).ConfigureAwait(false);
        }

        return smsIds.Count > 0;
    }

    // A submitted SMS (every part out) is delivered once every part is, failed as soon as one part fails
    // for good; one still in the queue with parts out waits for the rest of its parts.
    private static async Task SettleAsync(SqliteConnection connection, DbTransaction transaction, long smsId, string now)
    {
        var parts = (await connection.QueryAsync<(string Status, string? State)>(
            "SELECT status, receipt_state FROM sms_parts WHERE sms_id = @smsId ORDER BY part", new { smsId }, transaction).ConfigureAwait(false))
            .Select(p => new PartOutcome(SmsStatuses.Parse(p.Status) ?? SmsStatus.Failed, p.State)).ToList();
        if (Settlement.Of(parts) is { } settled)
        {
            await connection.ExecuteAsync("UPDATE sms SET status = @status, final_at = @now, last_error = @error WHERE id = @smsId AND status = 'submitted'",
                new { status = settled.Status.Word(), now, smsId, error = settled.Reason }, transaction).ConfigureAwait(false);
        }
    }
}

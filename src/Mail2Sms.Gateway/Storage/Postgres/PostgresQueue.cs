using Dapper;
using Mail2Sms.Core.Delivery;
using Mail2Sms.Smpp;
using Npgsql;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// The queue on PostgreSQL, shared by every node: a claim is one statement that ranks each account's due SMS (alerts
/// first, accounts taking turns, capped accounts within their cap over every node), locks what it takes with
/// <c>FOR UPDATE SKIP LOCKED</c> (another node's claim under way is passed, not waited for) and returns it; submits and
/// receipts of many SMS are written with arrays in a few statements. Due work is found through the partial indexes of
/// queued SMS, so millions of final SMS never slow a claim.
/// </summary>
internal sealed partial class PostgresQueue(PostgresDatabase database, TimeProvider clock) : ISmsQueue
{
    // pg_advisory_xact_lock keys: claims of capped accounts take turns on one ("m2s" + 2); a receipt key's receipt and
    // its part's submit take turns on (ReceiptKeys, hash of the key), so a receipt never slips past its part into early_receipts.
    private const long CappedClaims = 0x6D3273_02;
    private const int ReceiptKeys = 0x6D32_73;

    private int _turn;

    private DateTimeOffset Now => clock.GetUtcNow();

    public async Task<IReadOnlyList<ClaimedSms>> ClaimAsync(int limit, TimeSpan lease, ClaimRules? rules = null, long? node = null, CancellationToken cancellationToken = default)
    {
        rules ??= new ClaimRules();
        var now = Now;
        var turn = unchecked((int)((uint)Interlocked.Increment(ref _turn) % int.MaxValue));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // A claim without the cap's lock that turns out to take a capped account's SMS (its first queued SMS committed
        // between the two statements) is rolled back and made again under the lock.
        foreach (var force in new[] { false, true })
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var (locked, rows) = await ClaimWithinAsync(connection, force, limit, lease, rules, node, now, turn, cancellationToken).ConfigureAwait(false);
            if (!locked && rows.Any(r => r.Capped))
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var pooled = await PoolSourcesAsync(connection, rows.Where(r => r.Source is null).ToList(), rules, now, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return [.. rows.Select(r => new ClaimedSms(
                r.Id, r.AccountId, r.Number, r.Text, r.Encoding, r.Parts, r.Attempts, r.CreatedAt, r.OptedOut, r.Source ?? pooled[r.Id], (int)r.PartsDone))];
        }

        throw new InvalidOperationException("A claim under the cap's lock found itself without it.");
    }

    // Prepared (its planning costs as much as running it), so each pooled connection plans it once.
    private static async Task<(bool Locked, List<ClaimedRow> Rows)> ClaimWithinAsync(
        NpgsqlConnection connection, bool force, int limit, TimeSpan lease, ClaimRules rules, long? node, DateTimeOffset now, int turn, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(ClaimSql, connection);
        command.Parameters.Add(new NpgsqlParameter<bool>("force", force));
        command.Parameters.Add(new NpgsqlParameter<long>("capLock", CappedClaims));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", now));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("minuteAgo", now - TimeSpan.FromMinutes(1)));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("until", now + lease));
        command.Parameters.Add(new NpgsqlParameter("node", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = node is { } id ? id : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        command.Parameters.Add(new NpgsqlParameter<int>("fetch", limit * 2));
        command.Parameters.Add(new NpgsqlParameter<int>("turn", turn));
        command.Parameters.Add(new NpgsqlParameter("defaultSource", NpgsqlTypes.NpgsqlDbType.Text) { Value = rules.SourcePool.Count > 0 ? DBNull.Value : rules.SourceAddress });
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var locked = reader.GetBoolean(0);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<ClaimedRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new ClaimedRow(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5), reader.GetInt32(6),
                reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetBoolean(9), reader.GetBoolean(10), reader.GetInt64(11)));
        }

        return (locked, rows);
    }

    // 1: the cap's lock, taken when a capped account has queued SMS (or when told to). 2: the claim: the accounts with
    // queued SMS found by a loose index scan; each one's due SMS ranked (at most its allowance: the cap less what any node
    // claimed for it in the last minute); all ranked by priority, rank, then the account's turn; locked in that order one
    // by its primary key (an id list matched against the queued index instead read the whole queue), skipping what
    // another claim holds, until the limit; claimed; a capped account's claims counted.
    private const string ClaimSql =
        """
        SELECT c.locked FROM (SELECT @force OR EXISTS (
            SELECT 1 FROM accounts a WHERE a.sms_per_minute > 0 AND EXISTS (SELECT 1 FROM sms s WHERE s.status = 'queued' AND s.account_id = a.id)) AS locked) c
        LEFT JOIN LATERAL (SELECT pg_advisory_xact_lock(@capLock) WHERE c.locked) l ON true;

        WITH RECURSIVE queued (id) AS (
            SELECT (SELECT min(account_id) FROM sms WHERE status = 'queued')
            UNION ALL
            SELECT (SELECT min(s.account_id) FROM sms s WHERE s.status = 'queued' AND s.account_id > q.id) FROM queued q WHERE q.id IS NOT NULL),
        turns AS (
            SELECT a.id, a.sms_per_minute > 0 AS capped, (row_number() OVER (ORDER BY a.id) + @turn) % count(*) OVER () AS turn,
                CASE WHEN a.sms_per_minute > 0
                     THEN LEAST(@fetch, a.sms_per_minute - (SELECT count(*) FROM capped_claims c WHERE c.account_id = a.id AND c.claimed_at > @minuteAgo))
                     ELSE @fetch END AS allowed
            FROM queued q JOIN accounts a ON a.id = q.id),
        candidates AS (
            SELECT d.id, d.priority, d.rank, t.turn, t.capped FROM turns t CROSS JOIN LATERAL (
                SELECT due.id, due.priority, row_number() OVER (ORDER BY due.priority, due.due_at, due.id) AS rank FROM (
                    SELECT s.id, s.priority, s.due_at FROM sms s
                    WHERE s.status = 'queued' AND s.account_id = t.id AND s.due_at <= @now AND (s.claimed_until IS NULL OR s.claimed_until < @now)
                    ORDER BY s.priority, s.due_at, s.id LIMIT GREATEST(t.allowed, 0)) due) d
            ORDER BY d.priority, d.rank, t.turn LIMIT @fetch),
        picked AS (
            SELECT s.id, c.priority, c.rank, c.turn, c.capped FROM (SELECT * FROM candidates ORDER BY priority, rank, turn) c
            CROSS JOIN LATERAL (
                SELECT s.id FROM sms s WHERE s.id = c.id AND s.status = 'queued' AND (s.claimed_until IS NULL OR s.claimed_until < @now)
                FOR UPDATE SKIP LOCKED) s
            LIMIT @limit),
        claimed AS (
            -- An SMS keeps the source it first went from (its replies are matched by it, its parts already out came from it).
            UPDATE sms SET claimed_until = @until, claimed_by = @node,
                source_address = COALESCE(sms.source_address, NULLIF(btrim(a.sender), ''), @defaultSource)
            FROM picked p, accounts a WHERE sms.id = p.id AND a.id = sms.account_id
            RETURNING sms.id, sms.account_id, sms.number, sms.text, sms.encoding, sms.parts, sms.attempts, sms.created_at, sms.source_address,
                p.priority, p.rank, p.turn, p.capped),
        counted AS (
            INSERT INTO capped_claims (account_id, claimed_at) SELECT account_id, @now FROM claimed WHERE capped),
        pruned AS (
            DELETE FROM capped_claims WHERE claimed_at <= @minuteAgo)
        SELECT c.id AS Id, c.account_id AS AccountId, c.number AS Number, c.text AS Text, c.encoding AS Encoding, c.parts AS Parts,
            c.attempts AS Attempts, c.created_at AS CreatedAt, c.source_address AS Source, c.capped AS Capped,
            EXISTS (SELECT 1 FROM opt_outs o WHERE o.account_id = c.account_id AND o.number = c.number) AS OptedOut,
            (SELECT count(*) FROM sms_parts p WHERE p.sms_id = c.id) AS PartsDone
        FROM claimed c ORDER BY c.priority, c.rank, c.turn
        """;

    private sealed record ClaimedRow(
        long Id, string AccountId, string Number, string Text, string Encoding, int Parts, int Attempts, DateTimeOffset CreatedAt, string? Source, bool Capped, bool OptedOut, long PartsDone);

    // The pool number each account and mobile pair sticks to (SourceAddresses.FromPool), recorded as used now, for the
    // claimed SMS the pool decides: every assignment of their mobiles read at once, decided in turn, written at once.
    private static async Task<Dictionary<long, string>> PoolSourcesAsync(
        NpgsqlConnection connection, List<ClaimedRow> rows, ClaimRules rules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sources = new Dictionary<long, string>();
        if (rows.Count == 0)
        {
            return sources;
        }

        var assignments = (await connection.RowsAsync<(string AccountId, string Number, string Source, DateTime LastUsedAt, int? WindowDays)>(new CommandDefinition(
            """
            SELECT sa.account_id, sa.number, sa.source, sa.last_used_at, a.reply_window_days FROM source_assignments sa JOIN accounts a ON a.id = sa.account_id
            WHERE sa.number = ANY(@numbers)
            """, new { numbers = rows.Select(r => r.Number).Distinct(StringComparer.Ordinal).ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .ToDictionary(a => (a.AccountId, a.Number), a => new PoolAssignment(a.Source, Utc(a.LastUsedAt), a.WindowDays is { } days ? TimeSpan.FromDays(days) : null));
        var windows = (await connection.RowsAsync<(string Id, int? WindowDays)>(new CommandDefinition(
            "SELECT id, reply_window_days FROM accounts WHERE id = ANY(@ids)", new { ids = rows.Select(r => r.AccountId).Distinct(StringComparer.Ordinal).ToArray() },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToDictionary(a => a.Id, a => a.WindowDays is { } days ? TimeSpan.FromDays(days) : (TimeSpan?)null);
        foreach (var row in rows)
        {
            var mine = assignments.GetValueOrDefault((row.AccountId, row.Number))?.Source;
            if (!SourceAddresses.Keeps(rules.SourcePool, mine))
            {
                // Another account's number stays its own for the mobile within that account's reply window (its own, or the gateway's).
                var others = assignments.Where(a => a.Key.Number == row.Number && a.Key.AccountId != row.AccountId).Select(a => a.Value);
                mine = SourceAddresses.FromPool(rules.SourcePool, row.AccountId, row.Number, others, now, rules.SourceStickiness);
            }

            assignments[(row.AccountId, row.Number)] = new PoolAssignment(mine, now, windows[row.AccountId]);
            sources[row.Id] = mine;
        }

        var used = rows.Select(r => (r.AccountId, r.Number)).Distinct().ToList();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO source_assignments (account_id, number, source, last_used_at)
            SELECT account_id, number, source, @now FROM unnest(@accounts, @numbers, @sources) AS x (account_id, number, source)
            ON CONFLICT (account_id, number) DO UPDATE SET source = excluded.source, last_used_at = excluded.last_used_at;
            UPDATE sms SET source_address = x.source FROM unnest(@ids, @smsSources) AS x (id, source) WHERE sms.id = x.id AND sms.source_address IS NULL;
            """,
            new
            {
                now,
                accounts = used.Select(u => u.AccountId).ToArray(),
                numbers = used.Select(u => u.Number).ToArray(),
                sources = used.Select(u => assignments[u].Source).ToArray(),
                ids = sources.Keys.ToArray(),
                smsSources = sources.Values.ToArray(),
            }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return sources;
    }

    public async Task RenewAsync(IReadOnlyCollection<long> smsIds, DateTimeOffset until, long? node = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sms SET claimed_until = @until WHERE id = ANY(@ids) AND status = 'queued' AND claimed_by IS NOT DISTINCT FROM @node",
            new { ids = smsIds.ToArray(), until = until.ToUniversalTime(), node }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task SubmittedAsync(IReadOnlyList<(long SmsId, SentParts Parts)> submits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submits);
        if (submits.Count == 0)
        {
            return;
        }

        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await SubmittedWithinAsync(connection, submits, now, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    // The SMSC took them, so they are submitted whoever holds the claim now (a node found dead that ran on, its claim taken
    // over): losing a real submit would send it again and leave its receipts unmatched. Only an SMS no longer queued or
    // uncertain (another node's submit recorded first, or ended) is left as it is. An uncertain one's attempt was counted already.
    private static async Task SubmittedWithinAsync(NpgsqlConnection connection, IReadOnlyList<(long SmsId, SentParts Parts)> submits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = submits.Select(s => s.SmsId).Distinct().ToArray();
        await RecordPartsAsync(connection, submits, now, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE sms SET status = 'submitted', submitted_at = @now, attempts = attempts + (status = 'queued')::int, claimed_until = NULL, claimed_by = NULL,
                last_error = NULL, uncertain_text = NULL,
                smsc_message_ids = (SELECT string_agg(p.smsc_message_id, ' ' ORDER BY p.part) FROM sms_parts p WHERE p.sms_id = sms.id)
            WHERE id = ANY(@ids) AND status IN ('queued', 'uncertain')
            """, new { ids, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await SettleAsync(connection, ids, now, cancellationToken).ConfigureAwait(false);
    }

    // Each part with its SMSC ID and receipt key (one of no SMS in the store passed over); receipts for them that came before are applied to them.
    private static async Task RecordPartsAsync(NpgsqlConnection connection, IReadOnlyList<(long SmsId, SentParts Parts)> submits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var parts = submits.SelectMany(s => s.Parts.MessageIds.Select((id, i) => (s.SmsId, Part: s.Parts.First + i, Id: id, Key: MessageIds.Key(id, s.Parts.Form) ?? MessageIds.Key(id)))).ToList();
        if (parts.Count == 0)
        {
            return;
        }

        var keys = parts.Select(p => p.Key).ToArray();
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            LockReceiptKeysSql +
            """
            INSERT INTO sms_parts (sms_id, part, smsc_message_id, receipt_key, status)
            SELECT x.sms_id, x.part, x.id, x.key, 'submitted' FROM unnest(@smsIds, @parts, @ids, @keys) AS x (sms_id, part, id, key)
            WHERE EXISTS (SELECT 1 FROM sms WHERE sms.id = x.sms_id)
            -- A part another node already recorded (both sent it, a claim having moved) keeps the first record.
            ON CONFLICT (sms_id, part) DO NOTHING;
            DELETE FROM early_receipts WHERE receipt_key IN (SELECT receipt_key FROM sms_parts WHERE sms_id = ANY(@smsIds)) RETURNING receipt_key, state;
            """,
            new { lockSpace = ReceiptKeys, keys, smsIds = parts.Select(p => p.SmsId).ToArray(), parts = parts.Select(p => p.Part).ToArray(), ids = parts.Select(p => p.Id).ToArray() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await results.ReadAsync().ConfigureAwait(false);
        var early = (await results.ReadAsync<(string Key, string State)>().ConfigureAwait(false)).Select(e => new SmsReceipt(e.Key, e.State)).ToList();
        if (early.Count > 0)
        {
            await ApplyAsync(connection, early, now, keepUnmatched: false, cancellationToken).ConfigureAwait(false);
        }
    }

    // Receipts and submits of the same keys take turns: whichever comes second sees the other's rows. In hash order, so two never wait on each other.
    private const string LockReceiptKeysSql =
        "SELECT count(pg_advisory_xact_lock(@lockSpace, h)) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest(@keys) AS k ORDER BY 1) AS sorted;\n";

    public async Task RetryAsync(long smsId, DateTimeOffset dueAt, string reason, SentParts? parts = null, long? node = null, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (parts is not null)
        {
            await RecordPartsAsync(connection, [(smsId, parts)], now, cancellationToken).ConfigureAwait(false);
        }

        // Only while this node holds the claim: one found dead that ran on must not clobber the claim of the node that took it over.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE sms SET attempts = attempts + 1, due_at = @due, claimed_until = NULL, claimed_by = NULL, last_error = @reason
            WHERE id = @smsId AND status = 'queued' AND claimed_by IS NOT DISTINCT FROM @node
            """, new { smsId, due = dueAt.ToUniversalTime(), reason, node }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task EndUnsentAsync(long smsId, SmsStatus status, string reason, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var ended = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            EndSql("WHERE s.id = @smsId", "s.parts", "', never submitted'"),
            new { smsId, status = status.Word(), reason, now = Now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (ended == 0)
        {
            throw new InvalidOperationException($"There is no SMS {smsId} to end.");
        }
    }

    public async Task<int> ExpireAsync(DateTimeOffset acceptedBefore, string reason, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            EndSql(
                """
                WHERE s.id IN (SELECT id FROM sms WHERE status = 'queued' AND created_at < @before AND (claimed_until IS NULL OR claimed_until < @now)
                    ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED)
                """, "s.parts", "', never submitted'"),
            new { status = SmsStatus.Expired.Word(), reason, now = Now, before = acceptedBefore.ToUniversalTime() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task EndPartlySentAsync(long smsId, SentParts parts, string reason, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await SubmittedWithinAsync(connection, [(smsId, parts)], now, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            EndSql("WHERE s.id = @smsId", "s.parts - (SELECT count(*) FROM sms_parts p WHERE p.sms_id = s.id)", "', ' || e.refund || ' parts never submitted'"),
            new { smsId, status = SmsStatus.Failed.Word(), reason, now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    // Ends the SMS the WHERE clause <paramref name="which"/> picks (sms as s) as @status with @reason, and gives back to each account the credits of
    // <paramref name="refund"/> parts per SMS, each with its ledger line (balances as if added one SMS at a time).
    private static string EndSql(string which, string refund, string why) =>
        $"""
        WITH ended AS (
            UPDATE sms s SET status = @status, final_at = @now, last_error = @reason, claimed_until = NULL, claimed_by = NULL
            {which}
            RETURNING s.id, s.account_id, {refund} AS refund),
        refunded AS (
            UPDATE accounts a SET credits = a.credits + r.parts
            FROM (SELECT account_id, sum(refund) AS parts FROM ended WHERE refund > 0 GROUP BY account_id) r WHERE a.id = r.account_id
            RETURNING a.id, a.credits),
        ledger AS (
            INSERT INTO credit_ledger (account_id, delta, balance, reason, at)
            SELECT e.account_id, e.refund,
                f.credits - COALESCE(sum(e.refund) OVER (PARTITION BY e.account_id ORDER BY e.id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0),
                'sms ' || e.id || ' ' || @status || {why}, @now
            FROM ended e JOIN refunded f ON f.id = e.account_id WHERE e.refund > 0 ORDER BY e.id)
        SELECT count(*) FROM ended
        """;

    public async Task<int> MarkUnknownAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sms SET status = 'unknown', final_at = @now, last_error = 'No receipt came from the SMS centre.' WHERE status = 'submitted' AND submitted_at < @before",
            new { now = Now, before = before.ToUniversalTime() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<int> ReceiptsAsync(IReadOnlyList<SmsReceipt> receipts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        if (receipts.Count == 0)
        {
            return 0;
        }

        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            LockReceiptKeysSql, new { lockSpace = ReceiptKeys, keys = receipts.Select(r => r.ReceiptKey).ToArray() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (receipts.Select(r => UncertainMatch.Of(r.Quote)).OfType<UncertainMatch>().ToList() is { Count: > 0 } quotes)
        {
            await TakeQuotedAsync(connection, quotes, now, cancellationToken).ConfigureAwait(false);
        }

        var matched = await ApplyAsync(connection, receipts, now, keepUnmatched: true, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return matched;
    }

    // Receipts applied in the order given: each key once per statement (a key's second receipt in the same batch goes in
    // the next one), each applied to every part with its key, then those parts' SMS settled. One for no part is kept in
    // early_receipts when <paramref name="keepUnmatched"/>. Returns how many matched.
    private static async Task<int> ApplyAsync(NpgsqlConnection connection, IReadOnlyList<SmsReceipt> receipts, DateTimeOffset now, bool keepUnmatched, CancellationToken cancellationToken)
    {
        var matched = 0;
        var settle = new HashSet<long>();
        foreach (var wave in Waves(receipts))
        {
            var quotes = wave.Select(r => UncertainMatch.Of(r.Quote)).ToList();
            var applied = (await connection.RowsAsync<(long SmsId, string Key)>(new CommandDefinition(
                """
                WITH r AS (SELECT * FROM unnest(@keys, @states, @partStatuses, @messageIds, @mobiles, @sources, @excerpts)
                    AS r (key, state, part_status, message_id, mobile, source, excerpt)),
                updated AS (
                    UPDATE sms_parts p SET status = r.part_status, receipt_state = upper(r.state), receipt_at = @now
                    FROM r WHERE p.receipt_key = r.key RETURNING p.sms_id, p.receipt_key),
                early AS (
                    INSERT INTO early_receipts (receipt_key, state, received_at, message_id, mobile, source, excerpt)
                    SELECT r.key, r.state, @now, r.message_id, r.mobile, r.source, r.excerpt FROM r WHERE @keepUnmatched AND NOT EXISTS (SELECT 1 FROM updated u WHERE u.receipt_key = r.key)
                    ON CONFLICT (receipt_key) DO UPDATE SET state = excluded.state)
                SELECT sms_id, receipt_key FROM updated
                """,
                new
                {
                    keys = wave.Select(r => r.ReceiptKey).ToArray(),
                    states = wave.Select(r => r.State).ToArray(),
                    partStatuses = wave.Select(r => ReceiptStates.PartStatusOf(r.State).Word()).ToArray(),
                    messageIds = quotes.Select(q => q?.MessageId).ToArray(),
                    mobiles = quotes.Select(q => q?.Mobile).ToArray(),
                    sources = quotes.Select(q => q?.From).ToArray(),
                    excerpts = quotes.Select(q => q?.Excerpt).ToArray(),
                    now,
                    keepUnmatched,
                }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
            matched += applied.Select(a => a.Key).Distinct(StringComparer.Ordinal).Count();
            settle.UnionWith(applied.Select(a => a.SmsId));
            // The SMS settle after each wave, as they would have one receipt at a time: a part failed for good stays so.
            if (settle.Count > 0)
            {
                await SettleAsync(connection, [.. settle], now, cancellationToken).ConfigureAwait(false);
                settle.Clear();
            }
        }

        return matched;
    }

    // Splits receipts into runs in which each key comes once, keeping their order: a key's n-th receipt goes in the n-th run.
    private static List<List<SmsReceipt>> Waves(IReadOnlyList<SmsReceipt> receipts)
    {
        var waves = new List<List<SmsReceipt>>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var receipt in receipts)
        {
            var n = seen[receipt.ReceiptKey] = seen.GetValueOrDefault(receipt.ReceiptKey) + 1;
            if (waves.Count < n)
            {
                waves.Add([]);
            }

            waves[n - 1].Add(receipt);
        }

        return waves;
    }

    // A submitted SMS (every part out) is delivered once every part is, failed as soon as one part fails for good
    // (Settlement); one still in the queue with parts out waits for the rest of its parts.
    private static async Task SettleAsync(NpgsqlConnection connection, long[] smsIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var parts = await connection.RowsAsync<(long SmsId, string Status, string? State)>(new CommandDefinition(
            "SELECT sms_id, status, receipt_state FROM sms_parts WHERE sms_id = ANY(@smsIds) ORDER BY sms_id, part", new { smsIds }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var settled = parts.GroupBy(p => p.SmsId)
            .Select(g => (SmsId: g.Key, Settled: Settlement.Of([.. g.Select(p => new PartOutcome(SmsStatuses.Parse(p.Status) ?? SmsStatus.Failed, p.State))])))
            .Where(s => s.Settled is not null).ToList();
        if (settled.Count == 0)
        {
            return;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE sms SET status = x.status, final_at = @now, last_error = x.error
            FROM unnest(@ids, @statuses, @errors) AS x (id, status, error) WHERE sms.id = x.id AND sms.status = 'submitted'
            """,
            new
            {
                now,
                ids = settled.Select(s => s.SmsId).ToArray(),
                statuses = settled.Select(s => s.Settled!.Status.Word()).ToArray(),
                errors = settled.Select(s => s.Settled!.Reason).ToArray(),
            }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FinishedEmail>> FinishedAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var finished = (await connection.RowsAsync<(long Id, string? Originator, string? MessageId, string Subject, bool Receipts)>(new CommandDefinition(
            """
            SELECT e.id, e.originator, e.message_id, e.subject, COALESCE(u.receipt_emails, false) FROM emails e LEFT JOIN users u ON u.id = e.user_id
            WHERE e.delivery_reported_at IS NULL AND EXISTS (SELECT 1 FROM sms s WHERE s.email_id = e.id)
              AND NOT EXISTS (SELECT 1 FROM sms s WHERE s.email_id = e.id AND s.final_at IS NULL)
            ORDER BY e.id LIMIT @limit
            """, new { limit }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        if (finished.Count == 0)
        {
            return [];
        }

        var sms = (await connection.RowsAsync<(long EmailId, string Number, string? Name, string Text, string Status, string? Error, DateTime? SubmittedAt, DateTime FinalAt)>(new CommandDefinition(
            "SELECT email_id, number, name, text, status, last_error, submitted_at, final_at FROM sms WHERE email_id = ANY(@ids) ORDER BY id",
            new { ids = finished.Select(f => f.Id).ToArray() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .ToLookup(s => s.EmailId, s => new FinalSms(s.Number, s.Name, s.Text, s.Status, s.Error, s.SubmittedAt is { } at ? Utc(at) : null, Utc(s.FinalAt)));
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return [.. finished.Select(e => FinishedEmail.Of(e.Id, e.Originator, e.MessageId, e.Subject, e.Receipts, [.. sms[e.Id]]))];
    }

    public async Task<int> ReportedAsync(IReadOnlyCollection<EmailReport> reports, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reports);
        // An email named twice queues the first report named for it, as one marked already queues none.
        var firsts = reports.DistinctBy(r => r.EmailId).ToList();
        if (firsts.Count == 0)
        {
            return 0;
        }

        var mails = firsts.Where(r => r.Report is not null).ToList();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Only the first to mark an email queues its report: another node's sweep, or this one's again, finds it reported.
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            WITH marked AS (
                UPDATE emails SET delivery_reported_at = @now WHERE id = ANY(@emailIds) AND delivery_reported_at IS NULL RETURNING id),
            queued AS (
                INSERT INTO outbound_mail (kind, email_id, mail_from, rcpt_to, message, message_id, status, created_at, due_at)
                SELECT x.kind, NULL, x.mail_from, x.rcpt_to, x.message, x.message_id, 'queued', @now, @now
                FROM unnest(@reportIds, @kinds, @mailFroms, @rcptTos, @messages, @messageIds) AS x (email_id, kind, mail_from, rcpt_to, message, message_id)
                JOIN marked m ON m.id = x.email_id
                RETURNING id)
            SELECT count(*) FROM queued
            """,
            new
            {
                now = Now,
                emailIds = firsts.Select(r => r.EmailId).ToArray(),
                reportIds = mails.Select(r => r.EmailId).ToArray(),
                kinds = mails.Select(r => r.Report!.Kind).ToArray(),
                mailFroms = mails.Select(r => r.Report!.MailFrom).ToArray(),
                rcptTos = mails.Select(r => r.Report!.RcptTo).ToArray(),
                messages = mails.Select(r => r.Report!.ToBytes()).ToArray(),
                messageIds = mails.Select(r => r.Report!.Message.MessageId).ToArray(),
            }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc), TimeSpan.Zero);
}

using Dapper;
using Mail2Sms.Core.Accounts;
using Npgsql;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// Accounts, users, allowed networks and credits on PostgreSQL, each change one statement or one short transaction:
/// credits move with <c>UPDATE ... WHERE credits + delta &gt;= 0 RETURNING</c>, so nodes committing together never
/// read a balance and write another back.
/// </summary>
public sealed class PostgresAccounts(PostgresDatabase database, TimeProvider clock) : IAccountDirectory, IDisposable
{
    private const string AccountColumns =
        "id AS Id, country AS Country, sender AS Sender, relaxed_numbers AS RelaxedNumbers, max_parts AS MaxParts, credits AS Credits, "
        + "low_credit_warning AS LowCreditWarning, sms_per_minute AS SmsPerMinute, reply_window_days AS ReplyWindowDays, created_at AS CreatedAt";

    private const string UserColumns = "address AS Address, password_hash IS NOT NULL AS HasPassword, disabled AS Disabled, receipt_emails AS ReceiptEmails";

    private readonly PostgresSenderDirectory _directory = new(database);

    public Task<AccountRecord> AddAccountAsync(string id, string? country, string? sender, bool relaxedNumbers, long credits, CancellationToken cancellationToken = default) =>
        AddAccountAsync(id, country, sender, relaxedNumbers, credits, lowCreditWarning: 0, cancellationToken);

    public async Task<AccountRecord> AddAccountAsync(
        string id, string? country, string? sender, bool relaxedNumbers, long credits, long lowCreditWarning, CancellationToken cancellationToken = default)
    {
        StoreException.ThrowIf(AccountRules.OpeningProblem(id, credits, lowCreditWarning, sender, country, out country));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The account and its opening line of the ledger in one statement.
            var row = await connection.QuerySingleAsync<AccountRow>(
                $"""
                WITH opened AS (
                    INSERT INTO accounts (id, country, sender, relaxed_numbers, credits, low_credit_warning, created_at)
                    VALUES (@id, @country, @sender, @relaxedNumbers, @credits, @lowCreditWarning, @now)
                    RETURNING *),
                ledger AS (
                    INSERT INTO credit_ledger (account_id, delta, balance, reason, at)
                    SELECT id, credits, credits, 'opening credits', created_at FROM opened WHERE credits <> 0)
                SELECT {AccountColumns} FROM opened
                """,
                new { id, country, sender, relaxedNumbers, credits, lowCreditWarning, now = clock.GetUtcNow() }).ConfigureAwait(false);
            return row.ToRecord();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new StoreException($"Account {id} already exists.");
        }
    }

    public async Task<AccountRecord> SetAccountAsync(string id, AccountChanges changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        StoreException.ThrowIf(AccountRules.ChangeProblem(id, changes == new AccountChanges(), changes.Sender, changes.Country, changes.SmsPerMinute, changes.MaxParts,
            changes.ReplyWindowDays, changes.LowCreditWarning, out var country));

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<AccountRow>(
            $"""
            UPDATE accounts SET low_credit_warning = COALESCE(@LowCreditWarning, low_credit_warning),
                sender = CASE WHEN @Sender::text IS NULL THEN sender ELSE NULLIF(@Sender, '') END,
                country = CASE WHEN @country::text IS NULL THEN country ELSE NULLIF(@country, '') END,
                relaxed_numbers = COALESCE(@RelaxedNumbers, relaxed_numbers),
                max_parts = COALESCE(@MaxParts, max_parts),
                reply_window_days = CASE WHEN @ReplyWindowDays::integer IS NULL THEN reply_window_days ELSE NULLIF(@ReplyWindowDays, 0) END,
                sms_per_minute = COALESCE(@SmsPerMinute, sms_per_minute)
            WHERE id = @id
            RETURNING {AccountColumns}
            """,
            new { id, changes.LowCreditWarning, Sender = changes.Sender?.Trim(), country, changes.RelaxedNumbers, changes.MaxParts, changes.ReplyWindowDays, changes.SmsPerMinute })
            .ConfigureAwait(false);
        return row?.ToRecord() ?? throw new StoreException($"There is no account {id}.");
    }

    public async Task<AccountRecord?> FindAccountAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QuerySingleOrDefaultAsync<AccountRow>($"SELECT {AccountColumns} FROM accounts WHERE id = @id", new { id }).ConfigureAwait(false))?.ToRecord();
    }

    public async Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. (await connection.RowsAsync<AccountRow>($"SELECT {AccountColumns} FROM accounts ORDER BY id COLLATE \"C\"").ConfigureAwait(false)).Select(r => r.ToRecord())];
    }

    public async Task<long> CreditAsync(string id, long delta, string reason, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // The balance moves only if it stays at zero or above, and its ledger line is written by the same statement.
        var balance = await connection.QuerySingleOrDefaultAsync<long?>(
            """
            WITH changed AS (
                UPDATE accounts SET credits = credits + @delta WHERE id = @id AND credits + @delta >= 0 RETURNING id, credits)
            INSERT INTO credit_ledger (account_id, delta, balance, reason, at)
            SELECT id, @delta, credits, @reason, @now FROM changed
            RETURNING balance
            """,
            new { id, delta, reason, now = clock.GetUtcNow() }).ConfigureAwait(false);
        if (balance is { } credits)
        {
            return credits;
        }

        var current = await connection.QuerySingleOrDefaultAsync<long?>("SELECT credits FROM accounts WHERE id = @id", new { id }).ConfigureAwait(false);
        throw new StoreException(current is null
            ? $"There is no account {id}."
            : $"Account {id} has {current} credits; taking {-delta} would leave it below zero.");
    }

    public async Task<IReadOnlyList<LedgerEntry>> LedgerAsync(string id, int limit = 20, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.RowsAsync<(long Delta, long Balance, string Reason, DateTime At)>(
            "SELECT delta, balance, reason, at FROM credit_ledger WHERE account_id = @id ORDER BY id DESC LIMIT @limit", new { id, limit }).ConfigureAwait(false);
        return [.. rows.Select(r => new LedgerEntry(r.Delta, r.Balance, r.Reason, PostgresTimes.Read(r.At)))];
    }

    public async Task<string> AllowIpAsync(string id, string addressOrRange, CancellationToken cancellationToken = default)
    {
        StoreException.ThrowIf(AccountRules.NetworkProblem(addressOrRange, out var network));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // A network already allowed changes nothing (and moves no directory version); an unknown account inserts nothing.
        var known = await connection.QuerySingleOrDefaultAsync<bool?>(
            """
            WITH account AS (SELECT id FROM accounts WHERE id = @id),
            added AS (
                INSERT INTO ip_rules (account_id, network, created_at) SELECT id, @network, @now FROM account
                ON CONFLICT DO NOTHING)
            SELECT true FROM account
            """,
            new { id, network, now = clock.GetUtcNow() }).ConfigureAwait(false);
        return known is null ? throw new StoreException($"There is no account {id}.") : network;
    }

    public async Task<string> DisallowIpAsync(string id, string addressOrRange, CancellationToken cancellationToken = default)
    {
        StoreException.ThrowIf(AccountRules.NetworkProblem(addressOrRange, out var network));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var (known, removed) = await connection.QuerySingleAsync<(bool Known, bool Removed)>(
            """
            WITH removed AS (DELETE FROM ip_rules WHERE account_id = @id AND network = @network RETURNING 1)
            SELECT EXISTS (SELECT 1 FROM accounts WHERE id = @id), EXISTS (SELECT 1 FROM removed)
            """,
            new { id, network }).ConfigureAwait(false);
        return !known ? throw new StoreException($"There is no account {id}.")
            : removed ? network
            : throw new StoreException($"{network} was not allowed for account {id}.");
    }

    public async Task<IReadOnlyList<string>> AllowedNetworksAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.RowsAsync<string>("SELECT network FROM ip_rules WHERE account_id = @id ORDER BY network COLLATE \"C\"", new { id }).ConfigureAwait(false)];
    }

    public Task<UserRecord> AddUserAsync(string id, string address, string? password, CancellationToken cancellationToken = default) =>
        AddUserAsync(id, address, password, receiptEmails: false, cancellationToken);

    public async Task<UserRecord> AddUserAsync(string id, string address, string? password, bool receiptEmails, CancellationToken cancellationToken = default)
    {
        StoreException.ThrowIf(UserRules.NewUserProblem(address, password is not null, out var normalized));
        var hash = password is null ? null : PasswordHasher.Hash(password);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var added = await connection.ExecuteAsync(
                """
                INSERT INTO users (account_id, address, password_hash, receipt_emails, created_at)
                SELECT id, @normalized, @hash, @receiptEmails, @now FROM accounts WHERE id = @id
                """,
                new { id, normalized, hash, receiptEmails, now = clock.GetUtcNow() }).ConfigureAwait(false);
            return added == 0 ? throw new StoreException($"There is no account {id}.") : new UserRecord(id, normalized, hash is not null, Disabled: false, receiptEmails);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new StoreException($"{normalized} is already a user of account {id}.");
        }
    }

    public async Task<UserRecord> SetUserAsync(string id, string address, bool? receiptEmails, bool? disabled, string? password, CancellationToken cancellationToken = default)
    {
        StoreException.ThrowIf(UserRules.ChangeProblem(address, receiptEmails, disabled, password, out var normalized));
        var hash = string.IsNullOrEmpty(password) ? null : PasswordHasher.Hash(password);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var user = await connection.QuerySingleOrDefaultAsync<UserRow>(
            $"""
            UPDATE users SET receipt_emails = COALESCE(@receiptEmails, receipt_emails), disabled = COALESCE(@disabled, disabled),
                password_hash = CASE WHEN @password::text IS NULL THEN password_hash ELSE @hash END
            WHERE account_id = @id AND address = @normalized
            RETURNING {UserColumns}
            """,
            new { id, normalized, receiptEmails, disabled, password, hash }).ConfigureAwait(false);
        if (user is not null)
        {
            return user.ToRecord(id);
        }

        throw new StoreException(await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM accounts WHERE id = @id)", new { id }).ConfigureAwait(false)
            ? $"{normalized} is not a user of account {id}."
            : $"There is no account {id}.");
    }

    public async Task<IReadOnlyList<UserRecord>> UsersAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.RowsAsync<UserRow>(
            $"SELECT {UserColumns} FROM users WHERE account_id = @id ORDER BY address COLLATE \"C\"",
            new { id }).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord(id))];
    }

    public Task<IReadOnlyList<SenderCandidate>> SenderCandidatesAsync(string address, CancellationToken cancellationToken = default) =>
        _directory.CandidatesAsync(address, cancellationToken);

    public async Task<Core.Intake.Account?> AccountRulesAsync(string id, Core.Text.PartSizes? partSizes, CancellationToken cancellationToken = default) =>
        await _directory.AccountAsync(id, cancellationToken).ConfigureAwait(false) is { } account ? account with { PartSizes = partSizes } : null;

    public void Dispose() => _directory.Dispose();

    private sealed record UserRow(string Address, bool HasPassword, bool Disabled, bool ReceiptEmails)
    {
        public UserRecord ToRecord(string accountId) => new(accountId, Address, HasPassword, Disabled, ReceiptEmails);
    }

    private sealed record AccountRow(string Id, string? Country, string? Sender, bool RelaxedNumbers, int MaxParts, long Credits, long LowCreditWarning, int SmsPerMinute, int? ReplyWindowDays, DateTime CreatedAt)
    {
        public AccountRecord ToRecord() => new(Id, Country, Sender, RelaxedNumbers, MaxParts, Credits, LowCreditWarning, PostgresTimes.Read(CreatedAt))
        { SmsPerMinute = SmsPerMinute, ReplyWindowDays = ReplyWindowDays };
    }
}

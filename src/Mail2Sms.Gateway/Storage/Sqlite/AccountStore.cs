using Dapper;
using Mail2Sms.Core.Accounts;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>Accounts, users, allowed networks and credits, each change in one transaction.</summary>
public sealed class AccountStore(SqliteDatabase database, TimeProvider clock) : IAccountDirectory, IDisposable
{
    private readonly SenderDirectory _directory = new(database);
    private string Now => Timestamps.Write(clock.GetUtcNow());

    /// <summary>Creates an account without a low-credit warning; its opening credits go into the ledger.</summary>
    public Task<AccountRecord> AddAccountAsync(string id, string? country, string? sender, bool relaxedNumbers, long credits, CancellationToken cancellationToken = default) =>
        AddAccountAsync(id, country, sender, relaxedNumbers, credits, lowCreditWarning: 0, cancellationToken);

    /// <summary>Creates an account whose users are warned when its credits fall below <paramref name="lowCreditWarning"/> (0: never); its opening credits go into the ledger.</summary>
    public async Task<AccountRecord> AddAccountAsync(
        string id, string? country, string? sender, bool relaxedNumbers, long credits, long lowCreditWarning, CancellationToken cancellationToken = default)
    {
        StoreException.ThrowIf(AccountRules.OpeningProblem(id, credits, lowCreditWarning, sender, country, out country));

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var now = Now;
        try
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO accounts (id, country, sender, relaxed_numbers, credits, low_credit_warning, created_at)
                VALUES (@id, @country, @sender, @relaxedNumbers, @credits, @lowCreditWarning, @now)
                """,
                new { id, country, sender, relaxedNumbers, credits, lowCreditWarning, now }, transaction).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new StoreException($"Account {id} already exists.");
        }

        if (credits != 0)
        {
            await AppendLedgerAsync(connection, transaction, id, credits, credits, "opening credits", now).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (await FindAccountAsync(id, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Changes an account's settings: each one given in <paramref name="changes"/> (not null) is set, in one
    /// statement. Returns the account as it now is.
    /// </summary>
    public async Task<AccountRecord> SetAccountAsync(string id, AccountChanges changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        StoreException.ThrowIf(AccountRules.ChangeProblem(id, changes == new AccountChanges(), changes.Sender, changes.Country, changes.SmsPerMinute, changes.MaxParts, changes.ReplyWindowDays,
            changes.LowCreditWarning, out var country));

        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            var changed = await connection.ExecuteAsync(
                """
                UPDATE accounts SET low_credit_warning = COALESCE(@LowCreditWarning, low_credit_warning),
                    sender = CASE WHEN @Sender IS NULL THEN sender ELSE NULLIF(@Sender, '') END,
                    country = CASE WHEN @country IS NULL THEN country ELSE NULLIF(@country, '') END,
                    relaxed_numbers = COALESCE(@RelaxedNumbers, relaxed_numbers),
                    max_parts = COALESCE(@MaxParts, max_parts),
                    reply_window_days = CASE WHEN @ReplyWindowDays IS NULL THEN reply_window_days ELSE NULLIF(@ReplyWindowDays, 0) END,
                    sms_per_minute = COALESCE(@SmsPerMinute, sms_per_minute)
                WHERE id = @id
                """,
                new { id, changes.LowCreditWarning, Sender = changes.Sender?.Trim(), country, changes.RelaxedNumbers, changes.MaxParts, changes.ReplyWindowDays, changes.SmsPerMinute })
                .ConfigureAwait(false);
            if (changed == 0)
            {
                throw new StoreException($"There is no account {id}.");
            }
        }

        return (await FindAccountAsync(id, cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The account, or null.</summary>
    public async Task<AccountRecord?> FindAccountAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<AccountRow>(AccountRow.Select + " WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <summary>Every account, by ID.</summary>
    public async Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AccountRow>(AccountRow.Select + " ORDER BY id").ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>Adds <paramref name="delta"/> credits (negative to take some back); never below zero. Returns the new balance.</summary>
    public async Task<long> CreditAsync(string id, long delta, string reason, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var balance = await connection.QuerySingleOrDefaultAsync<long?>(
            "UPDATE accounts SET credits = credits + @delta WHERE id = @id AND credits + @delta >= 0 RETURNING credits",
            new { id, delta }, transaction).ConfigureAwait(false);
        if (balance is null)
        {
            var current = await connection.QuerySingleOrDefaultAsync<long?>("SELECT credits FROM accounts WHERE id = @id", new { id }, transaction).ConfigureAwait(false);
            throw new StoreException(current is null
                ? $"There is no account {id}."
                : $"Account {id} has {current} credits; taking {-delta} would leave it below zero.");
        }

        await AppendLedgerAsync(connection, transaction, id, delta, balance.Value, reason, Now).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return balance.Value;
    }

    /// <summary>The newest ledger entries of an account, newest first.</summary>
    public async Task<IReadOnlyList<LedgerEntry>> LedgerAsync(string id, int limit = 20, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Delta, long Balance, string Reason, string At)>(
            "SELECT delta, balance, reason, at FROM credit_ledger WHERE account_id = @id ORDER BY id DESC LIMIT @limit", new { id, limit }).ConfigureAwait(false);
        return rows.Select(r => new LedgerEntry(r.Delta, r.Balance, r.Reason, Timestamps.Read(r.At))).ToList();
    }

    /// <summary>Allows mail from an address or CIDR range (IPv4 or IPv6) to authenticate as the account. Returns the canonical form.</summary>
    public async Task<string> AllowIpAsync(string id, string addressOrRange, CancellationToken cancellationToken = default)
    {
        StoreException.ThrowIf(AccountRules.NetworkProblem(addressOrRange, out var network));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await RequireAccountAsync(connection, id).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO ip_rules (account_id, network, created_at) VALUES (@id, @network, @now) ON CONFLICT DO NOTHING",
            new { id, network, now = Now }).ConfigureAwait(false);
        return network;
    }

    /// <summary>Stops mail from a network authenticating as the account; returns it in canonical form. One not allowed is refused.</summary>
    public async Task<string> DisallowIpAsync(string id, string addressOrRange, CancellationToken cancellationToken = default)
    {
        StoreException.ThrowIf(AccountRules.NetworkProblem(addressOrRange, out var network));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await RequireAccountAsync(connection, id).ConfigureAwait(false);
        return await connection.ExecuteAsync("DELETE FROM ip_rules WHERE account_id = @id AND network = @network", new { id, network }).ConfigureAwait(false) > 0
            ? network
            : throw new StoreException($"{network} was not allowed for account {id}.");
    }

    /// <summary>The networks allowed for an account, canonical CIDR.</summary>
    public async Task<IReadOnlyList<string>> AllowedNetworksAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<string>("SELECT network FROM ip_rules WHERE account_id = @id ORDER BY network", new { id }).ConfigureAwait(false)).ToList();
    }

    /// <summary>
    /// Adds a user: an email address (with a password for <c>[SENDER]</c> and SMTP AUTH, or none for IP
    /// authentication only) or a <c>*@domain</c> pattern, which never has a password.
    /// </summary>
    public Task<UserRecord> AddUserAsync(string id, string address, string? password, CancellationToken cancellationToken = default) =>
        AddUserAsync(id, address, password, receiptEmails: false, cancellationToken);

    /// <summary>Adds a user, as the overload without <paramref name="receiptEmails"/> does; with it on, its emails get receipt emails.</summary>
    public async Task<UserRecord> AddUserAsync(string id, string address, string? password, bool receiptEmails, CancellationToken cancellationToken = default)
    {
        StoreException.ThrowIf(UserRules.NewUserProblem(address, password is not null, out var normalized));

        var hash = password is null ? null : PasswordHasher.Hash(password);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await RequireAccountAsync(connection, id).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(
                "INSERT INTO users (account_id, address, password_hash, receipt_emails, created_at) VALUES (@id, @normalized, @hash, @receiptEmails, @now)",
                new { id, normalized, hash, receiptEmails, now = Now }).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new StoreException($"{normalized} is already a user of account {id}.");
        }

        return new UserRecord(id, normalized, hash is not null, Disabled: false, receiptEmails);
    }

    /// <summary>
    /// Changes a user: each setting given (not null) is set. <paramref name="disabled"/> stops it from
    /// sending (from the next email on); <paramref name="password"/> replaces its password, and empty
    /// removes it (IP authentication only). Returns the user as it now is.
    /// </summary>
    public async Task<UserRecord> SetUserAsync(string id, string address, bool? receiptEmails, bool? disabled, string? password, CancellationToken cancellationToken = default)
    {
        StoreException.ThrowIf(UserRules.ChangeProblem(address, receiptEmails, disabled, password, out var normalized));

        var hash = string.IsNullOrEmpty(password) ? null : PasswordHasher.Hash(password);
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            await RequireAccountAsync(connection, id).ConfigureAwait(false);
            if (await connection.ExecuteAsync(
                    """
                    UPDATE users SET receipt_emails = COALESCE(@receiptEmails, receipt_emails), disabled = COALESCE(@disabled, disabled),
                        password_hash = CASE WHEN @password IS NULL THEN password_hash ELSE @hash END
                    WHERE account_id = @id AND address = @normalized
                    """,
                    new { id, normalized, receiptEmails, disabled, password, hash }).ConfigureAwait(false) == 0)
            {
                throw new StoreException($"{normalized} is not a user of account {id}.");
            }
        }

        return (await UsersAsync(id, cancellationToken).ConfigureAwait(false)).Single(u => u.Address == normalized);
    }

    /// <summary>The users of an account.</summary>
    public async Task<IReadOnlyList<UserRecord>> UsersAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Address, string? Hash, long Disabled, long ReceiptEmails)>(
            "SELECT address, password_hash, disabled, receipt_emails FROM users WHERE account_id = @id ORDER BY address", new { id }).ConfigureAwait(false);
        return rows.Select(r => new UserRecord(id, r.Address, r.Hash is not null, r.Disabled != 0, r.ReceiptEmails != 0)).ToList();
    }

    /// <summary>
    /// The users an address could be: exact matches (case-insensitive) and <c>*@domain</c> patterns of its
    /// domain, of accounts in any, each with the account's allowed networks. Disabled users are left out.
    /// </summary>
    public Task<IReadOnlyList<SenderCandidate>> SenderCandidatesAsync(string address, CancellationToken cancellationToken = default) =>
        _directory.CandidatesAsync(address, cancellationToken);

    public async Task<Core.Intake.Account?> AccountRulesAsync(string id, Core.Text.PartSizes? partSizes, CancellationToken cancellationToken = default) =>
        await _directory.AccountAsync(id, cancellationToken).ConfigureAwait(false) is { } account ? account with { PartSizes = partSizes } : null;

    /// <summary>Closes the connection the directory of senders keeps open.</summary>
    public void Dispose() => _directory.Dispose();

    private static async Task RequireAccountAsync(SqliteConnection connection, string id)
    {
        if (await connection.QuerySingleOrDefaultAsync<int?>("SELECT 1 FROM accounts WHERE id = @id", new { id }).ConfigureAwait(false) is null)
        {
            throw new StoreException($"There is no account {id}.");
        }
    }

    /// <summary>One line of an account's credit ledger, inside the caller's transaction.</summary>
    internal static Task<int> AppendLedgerAsync(SqliteConnection connection, System.Data.Common.DbTransaction transaction, string id, long delta, long balance, string reason, string at) =>
        connection.ExecuteAsync(
            "INSERT INTO credit_ledger (account_id, delta, balance, reason, at) VALUES (@id, @delta, @balance, @reason, @at)",
            new { id, delta, balance, reason, at }, transaction);

    private sealed record AccountRow(string Id, string? Country, string? Sender, long RelaxedNumbers, long MaxParts, long Credits, long LowCreditWarning, long SmsPerMinute, long? ReplyWindowDays, string CreatedAt)
    {
        public const string Select =
            "SELECT id AS Id, country AS Country, sender AS Sender, relaxed_numbers AS RelaxedNumbers, max_parts AS MaxParts, credits AS Credits, low_credit_warning AS LowCreditWarning, "
            + "sms_per_minute AS SmsPerMinute, reply_window_days AS ReplyWindowDays, created_at AS CreatedAt FROM accounts";

        public AccountRecord ToRecord() => new(Id, Country, Sender, RelaxedNumbers != 0, (int)MaxParts, Credits, LowCreditWarning,
            Timestamps.Read(CreatedAt))
        { SmsPerMinute = (int)SmsPerMinute, ReplyWindowDays = (int?)ReplyWindowDays };
    }
}

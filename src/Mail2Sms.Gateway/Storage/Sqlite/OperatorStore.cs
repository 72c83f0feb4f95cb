using Dapper;
using Mail2Sms.Core.Accounts;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>The dashboard's operators: a name (case-insensitive) and a salted PBKDF2 hash of the password.</summary>
public sealed class OperatorStore(SqliteDatabase database, TimeProvider clock) : IOperators
{
    /// <summary>
    /// Adds an operator; with <paramref name="replace"/> an operator of that name gets the new password
    /// instead, otherwise an existing name is refused.
    /// </summary>
    public async Task AddAsync(string name, string password, bool replace = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (UserRules.OperatorProblem(name, password, out name) is { } problem)
        {
            throw new StoreException(problem);
        }

        var hash = await Task.Run(() => PasswordHasher.Hash(password), cancellationToken).ConfigureAwait(false);
        using var turn = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(
            "INSERT INTO operators (name, password_hash, created_at) VALUES (@name, @hash, @now) "
            + (replace ? "ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash" : "ON CONFLICT (name) DO NOTHING"),
            new { name, hash, now = Timestamps.Write(clock.GetUtcNow()) }).ConfigureAwait(false);
        if (changed == 0)
        {
            throw new StoreException($"There is already an operator {name}.");
        }
    }

    /// <summary>True when an operator of that name (any case) exists.</summary>
    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM operators WHERE name = @name", new { name = name.Trim() }).ConfigureAwait(false) > 0;
    }

    /// <summary>True when <paramref name="name"/> is an operator and <paramref name="password"/> is theirs.</summary>
    public async Task<bool> VerifyAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var stored = await connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT password_hash FROM operators WHERE name = @name", new { name = name.Trim() }).ConfigureAwait(false);
        var verified = await Task.Run(() => PasswordHasher.Verify(password, stored ?? PasswordHasher.UnknownUserHash), cancellationToken).ConfigureAwait(false);
        return stored is not null && verified;
    }
}

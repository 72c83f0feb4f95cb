using Dapper;
using Mail2Sms.Core.Accounts;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>The dashboard's operators on PostgreSQL: a name unique in any case (<c>operators_by_name</c> on <c>lower(name)</c>) and a salted PBKDF2 hash.</summary>
public sealed class PostgresOperators(PostgresDatabase database, TimeProvider clock) : IOperators
{
    public async Task AddAsync(string name, string password, bool replace = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        StoreException.ThrowIf(UserRules.OperatorProblem(name, password, out name));
        var hash = await Task.Run(() => PasswordHasher.Hash(password), cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var added = await connection.ExecuteAsync(
            "INSERT INTO operators (name, password_hash, created_at) VALUES (@name, @hash, @now) ON CONFLICT (lower(name)) "
            + (replace ? "DO UPDATE SET password_hash = excluded.password_hash" : "DO NOTHING"),
            new { name, hash, now = clock.GetUtcNow() }).ConfigureAwait(false);
        if (added == 0)
        {
            throw new StoreException($"There is already an operator {name}.");
        }
    }

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        await PasswordHashOfAsync(name, cancellationToken).ConfigureAwait(false) is not null;

    public async Task<bool> VerifyAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        var stored = await PasswordHashOfAsync(name, cancellationToken).ConfigureAwait(false);
        // An unknown name costs the same slow hash, so timing never tells which names are operators.
        var verified = await Task.Run(() => PasswordHasher.Verify(password, stored ?? PasswordHasher.UnknownUserHash), cancellationToken).ConfigureAwait(false);
        return stored is not null && verified;
    }

    private async Task<string?> PasswordHashOfAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT password_hash FROM operators WHERE lower(name) = lower(@name)", new { name = name.Trim() }).ConfigureAwait(false);
    }
}

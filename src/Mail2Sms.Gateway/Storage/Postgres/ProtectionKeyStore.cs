using Dapper;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>The dashboard's Data Protection keys in the shared database: every node reads every key any node wrote.</summary>
public sealed class ProtectionKeyStore(PostgresDatabase database, TimeProvider clock) : IProtectionKeys
{
    public async Task StoreAsync(string friendlyName, string xml, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO protection_keys (friendly_name, xml, created_at) VALUES (@friendlyName, @xml, @now) ON CONFLICT (friendly_name) DO NOTHING",
            new { friendlyName, xml, now = clock.GetUtcNow() }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> AllAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.RowsAsync<string>("SELECT xml FROM protection_keys ORDER BY id").ConfigureAwait(false)];
    }
}

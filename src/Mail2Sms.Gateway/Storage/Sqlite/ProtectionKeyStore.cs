using Dapper;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>The dashboard's Data Protection keys in the SQLite file, which is 0600: that is what keeps them private.</summary>
public sealed class ProtectionKeyStore(SqliteDatabase database, TimeProvider clock) : IProtectionKeys
{
    public async Task StoreAsync(string friendlyName, string xml, CancellationToken cancellationToken = default)
    {
        using var turn = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO protection_keys (friendly_name, xml, created_at) VALUES (@friendlyName, @xml, @now) ON CONFLICT (friendly_name) DO NOTHING",
            new { friendlyName, xml, now = Timestamps.Write(clock.GetUtcNow()) }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> AllAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. await connection.QueryAsync<string>("SELECT xml FROM protection_keys ORDER BY id").ConfigureAwait(false)];
    }
}

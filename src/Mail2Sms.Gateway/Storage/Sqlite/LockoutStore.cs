using Dapper;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>
/// Password failures on SQLite, one row per key: a failure is counted by one upsert in this process's write turn, so
/// parallel attempts each count once, and every process on the file (an operator's verb too) sees the same lock.
/// </summary>
public sealed class LockoutStore(SqliteDatabase database, TimeProvider clock) : ILockouts
{
    private string Now => Timestamps.Write(clock.GetUtcNow());

    public async Task<LockoutCount> CountFailureAsync(string key, int maxFailures, TimeSpan window, bool unlessLocked, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using (await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await connection.QuerySingleOrDefaultAsync<CountRow>(LockoutStatements.Count,
                    new { key, max = maxFailures, now = Timestamps.Write(now), windowEnd = Timestamps.Write(now + window), unlessLocked }).ConfigureAwait(false) is { } counted)
            {
                return new LockoutCount((int)counted.Failures, Timestamps.ReadOrNull(counted.LockedUntil), Refused: false);
            }
        }

        return new LockoutCount(0, await LockedUntilAsync(key, cancellationToken).ConfigureAwait(false), Refused: true);
    }

    public async Task<DateTimeOffset?> LockedUntilAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return Timestamps.ReadOrNull(await connection.QuerySingleOrDefaultAsync<string?>(LockoutStatements.LockedUntil, new { key, now = Now }).ConfigureAwait(false));
    }

    public Task ClearAsync(string key, CancellationToken cancellationToken = default) => WriteAsync(LockoutStatements.Clear, new { key }, cancellationToken);

    public Task<int> SweepAsync(CancellationToken cancellationToken = default) => WriteAsync(LockoutStatements.Sweep, new { now = Now }, cancellationToken);

    public async Task<int> TrackedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (int)await connection.ExecuteScalarAsync<long>(LockoutStatements.Tracked).ConfigureAwait(false);
    }

    private async Task<int> WriteAsync(string statement, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using (await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false))
        {
            return await connection.ExecuteAsync(statement, parameters).ConfigureAwait(false);
        }
    }

    private sealed record CountRow(long Failures, string? LockedUntil);
}

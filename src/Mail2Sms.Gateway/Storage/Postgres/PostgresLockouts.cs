using Dapper;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// Password failures on PostgreSQL, one row per key: a failure is counted by one upsert whose row lock orders the
/// nodes counting the same key, so every attempt counts once and the one that reaches the limit locks the key for all.
/// </summary>
public sealed class PostgresLockouts(PostgresDatabase database, TimeProvider clock) : ILockouts
{
    public async Task<LockoutCount> CountFailureAsync(string key, int maxFailures, TimeSpan window, bool unlessLocked, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var counted = await connection.QuerySingleOrDefaultAsync<CountRow>(
            LockoutStatements.Count, new { key, max = maxFailures, now, windowEnd = now + window, unlessLocked }).ConfigureAwait(false);
        return counted is null
            ? new LockoutCount(0, await LockedUntilAsync(key, cancellationToken).ConfigureAwait(false), Refused: true)
            : new LockoutCount(counted.Failures, PostgresTimes.ReadOrNull(counted.LockedUntil), Refused: false);
    }

    public async Task<DateTimeOffset?> LockedUntilAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return PostgresTimes.ReadOrNull(await connection.QuerySingleOrDefaultAsync<DateTime?>(
            LockoutStatements.LockedUntil, new { key, now = clock.GetUtcNow() }).ConfigureAwait(false));
    }

    public async Task ClearAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(LockoutStatements.Clear, new { key }).ConfigureAwait(false);
    }

    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(LockoutStatements.Sweep, new { now = clock.GetUtcNow() }).ConfigureAwait(false);
    }

    public async Task<int> TrackedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (int)await connection.ExecuteScalarAsync<long>(LockoutStatements.Tracked).ConfigureAwait(false);
    }

    private sealed record CountRow(int Failures, DateTime? LockedUntil);
}

using Dapper;
using Mail2Sms.Core.Nodes;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>
/// The gateway's nodes (one a serve process) as the store keeps them: registered at start, a heartbeat while they
/// run, stopped cleanly or found dead; the claims on SMS and the outbound mail taken by a node that stops or is found
/// dead are released at once.
/// </summary>
public sealed class NodeStore(SqliteDatabase database, TimeProvider clock) : INodeRegistry
{
    private string Now => Timestamps.Write(clock.GetUtcNow());

    /// <summary>Registers a node starting now; returns its ID.</summary>
    public async Task<long> RegisterAsync(string hostName, int processId, string? processSpace, string? processStart, CancellationToken cancellationToken = default)
    {
        var now = Now;
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO nodes (host_name, process_id, process_space, process_start, started_at, heartbeat_at)
            VALUES (@hostName, @processId, @processSpace, @processStart, @now, @now) RETURNING id
            """, new { hostName, processId, processSpace, processStart, now }).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the node's heartbeat. Returns false when it had been found dead meanwhile (its claims went to
    /// others): it runs again from now.
    /// </summary>
    public async Task<bool> HeartbeatAsync(long node, CancellationToken cancellationToken = default)
    {
        var now = Now;
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var ended = await connection.ExecuteScalarAsync<string?>("SELECT ended FROM nodes WHERE id = @node", new { node }, transaction).ConfigureAwait(false);
        await connection.ExecuteAsync("UPDATE nodes SET heartbeat_at = @now, stopped_at = NULL, ended = NULL WHERE id = @node", new { node, now }, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ended is null;
    }

    /// <summary>The nodes not stopped, found dead or not (one index scan over them alone).</summary>
    public async Task<IReadOnlyList<RunningNode>> RunningAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Id, string HostName, long ProcessId, string? ProcessSpace, string? ProcessStart, string HeartbeatAt)>(
            "SELECT id, host_name, process_id, process_space, process_start, heartbeat_at FROM nodes WHERE stopped_at IS NULL ORDER BY id").ConfigureAwait(false);
        return [.. rows.Select(r => new RunningNode(r.Id, r.HostName, (int)r.ProcessId, r.ProcessSpace, r.ProcessStart, Timestamps.Read(r.HeartbeatAt)))];
    }

    /// <summary>
    /// Marks each node found <paramref name="dead"/> so, unless it wrote a heartbeat since it was read, and releases
    /// its claims on queued SMS and the outbound mail it took, to be claimed or taken again at once. Returns how many
    /// claims and mails were released.
    /// </summary>
    public async Task<int> TakeOverAsync(IReadOnlyCollection<RunningNode> dead, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dead);
        if (dead.Count == 0)
        {
            return 0;
        }

        var now = Now;
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var released = 0;
        foreach (var node in dead)
        {
            released += await EndAsync(connection, transaction, node.Id, "dead", now, Timestamps.Write(node.HeartbeatAt)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return released;
    }

    /// <summary>Marks the node stopped, cleanly, and releases its claims on queued SMS and the mail it took. Returns how many were released.</summary>
    public async Task<int> StopAsync(long node, CancellationToken cancellationToken = default)
    {
        var now = Now;
        using var writing = await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var released = await EndAsync(connection, transaction, node, "stopped", now, heartbeatAt: null).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return released;
    }

    // Only a claim that still names the node is released: one another node has made since is its own.
    private static async Task<int> EndAsync(Microsoft.Data.Sqlite.SqliteConnection connection, System.Data.Common.DbTransaction transaction, long node, string ended, string now, string? heartbeatAt)
    {
        var marked = await connection.ExecuteAsync(
            "UPDATE nodes SET stopped_at = @now, ended = @ended WHERE id = @node AND stopped_at IS NULL AND (@heartbeatAt IS NULL OR heartbeat_at = @heartbeatAt)",
            new { node, ended, now, heartbeatAt }, transaction).ConfigureAwait(false);
        if (marked == 0)
        {
            return 0;
        }

        var sms = await connection.ExecuteAsync(
            "UPDATE sms SET claimed_until = NULL, claimed_by = NULL WHERE claimed_by = @node", new { node }, transaction).ConfigureAwait(false);
        return sms + await OutboxStore.ReleaseTakenByAsync(connection, transaction, node, now).ConfigureAwait(false);
    }

    /// <summary>How many nodes run now, and how many were found dead (rather than stopped cleanly) since <paramref name="since"/>.</summary>
    public async Task<(long Alive, long Dead)> CountAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleAsync<(long, long)>(
            """
            SELECT (SELECT count(*) FROM nodes WHERE stopped_at IS NULL),
                   (SELECT count(*) FROM nodes WHERE ended = 'dead' AND stopped_at >= @since)
            """, new { since = Timestamps.Write(since) }).ConfigureAwait(false);
    }
}

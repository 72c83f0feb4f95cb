using Dapper;
using Mail2Sms.Core.Nodes;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// The gateway's nodes (one a serve process) in <c>nodes</c>: registered at start, a heartbeat while they run, stopped
/// cleanly or found dead; ending a node releases its SMS claims and its outbound mail in the same statement.
/// </summary>
public sealed class NodeStore(PostgresDatabase database, TimeProvider clock) : INodeRegistry
{
    private DateTimeOffset Now => clock.GetUtcNow().ToUniversalTime();

    /// <summary>Registers a node starting now; returns its ID.</summary>
    public async Task<long> RegisterAsync(string hostName, int processId, string? processSpace, string? processStart, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO nodes (host_name, process_id, process_space, process_start, started_at, heartbeat_at)
            VALUES (@hostName, @processId, @processSpace, @processStart, @now, @now) RETURNING id
            """, new { hostName, processId, processSpace, processStart, now = Now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the node's heartbeat. Returns false when it had been found dead meanwhile (its claims went to
    /// others): it runs again from now.
    /// </summary>
    public async Task<bool> HeartbeatAsync(long node, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // The row as it was before this beat, locked so a takeover in between is seen: one round trip. NO KEY, so the
        // claims and outbox mail that name this node (their foreign keys take KEY SHARE on it) never wait for a beat.
        var ended = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            """
            WITH before AS (SELECT id, ended FROM nodes WHERE id = @node FOR NO KEY UPDATE)
            UPDATE nodes n SET heartbeat_at = @now, stopped_at = NULL, ended = NULL FROM before WHERE n.id = before.id RETURNING before.ended
            """, new { node, now = Now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return ended is null;
    }

    /// <summary>The nodes not stopped, found dead or not (one index scan over them alone).</summary>
    public async Task<IReadOnlyList<RunningNode>> RunningAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.RowsAsync<(long Id, string HostName, int ProcessId, string? ProcessSpace, string? ProcessStart, DateTime HeartbeatAt)>(new CommandDefinition(
            "SELECT id, host_name, process_id, process_space, process_start, heartbeat_at FROM nodes WHERE stopped_at IS NULL ORDER BY id",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new RunningNode(r.Id, r.HostName, r.ProcessId, r.ProcessSpace, r.ProcessStart, new DateTimeOffset(r.HeartbeatAt, TimeSpan.Zero)))];
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

        return await EndAsync(
            "FROM unnest(@ids, @beats) AS seen (id, beat) WHERE n.id = seen.id AND n.heartbeat_at = seen.beat AND n.stopped_at IS NULL",
            new { ids = dead.Select(n => n.Id).ToArray(), beats = dead.Select(n => n.HeartbeatAt.UtcDateTime).ToArray(), ended = "dead", now = Now },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks the node stopped, cleanly, and releases its claims on queued SMS and the mail it took. Returns how many were released.</summary>
    public Task<int> StopAsync(long node, CancellationToken cancellationToken = default) =>
        EndAsync("WHERE n.id = @node AND n.stopped_at IS NULL", new { node, ended = "stopped", now = Now }, cancellationToken);

    // Ends the nodes the clause picks and releases what they held, in one statement: only a claim that still names an
    // ended node is released (one another node has made since is its own).
    private async Task<int> EndAsync(string nodes, object values, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"""
            WITH ended AS (UPDATE nodes n SET stopped_at = @now, ended = @ended {nodes} RETURNING n.id),
            sms AS (UPDATE sms SET claimed_until = NULL, claimed_by = NULL WHERE claimed_by IN (SELECT id FROM ended) RETURNING 1),
            mail AS (UPDATE outbound_mail SET due_at = @now, claimed_by = NULL WHERE claimed_by IN (SELECT id FROM ended) AND status = 'queued' RETURNING 1)
            SELECT (SELECT count(*) FROM sms) + (SELECT count(*) FROM mail)
            """, values, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>How many nodes run now, and how many were found dead (rather than stopped cleanly) since <paramref name="since"/>.</summary>
    public async Task<(long Alive, long Dead)> CountAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            """
            SELECT (SELECT count(*) FROM nodes WHERE stopped_at IS NULL),
                   (SELECT count(*) FROM nodes WHERE ended = 'dead' AND stopped_at >= @since)
            """, new { since = since.ToUniversalTime() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}

using Mail2Sms.Core.Nodes;

namespace Mail2Sms.Gateway.Storage;

/// <summary>
/// The gateway's nodes (one a serve process) as the store keeps them: registered at start, a heartbeat while they
/// run, stopped cleanly or found dead; the claims on SMS and the outbound mail taken by a node that stops or is found
/// dead are released at once.
/// </summary>
public interface INodeRegistry
{
    /// <summary>Registers a node starting now; returns its ID.</summary>
    Task<long> RegisterAsync(string hostName, int processId, string? processSpace, string? processStart, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the node's heartbeat. Returns false when it had been found dead meanwhile (its claims went to
    /// others): it runs again from now.
    /// </summary>
    Task<bool> HeartbeatAsync(long node, CancellationToken cancellationToken = default);

    /// <summary>The nodes not stopped, found dead or not, by ID.</summary>
    Task<IReadOnlyList<RunningNode>> RunningAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks each node found <paramref name="dead"/> so, unless it wrote a heartbeat since it was read, and releases
    /// its claims on queued SMS and the outbound mail it took, to be claimed or taken again at once. Returns how many
    /// claims and mails were released.
    /// </summary>
    Task<int> TakeOverAsync(IReadOnlyCollection<RunningNode> dead, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the node stopped, cleanly, and releases its claims on queued SMS and the outbound mail it took. Returns how
    /// many claims and mails were released.
    /// </summary>
    Task<int> StopAsync(long node, CancellationToken cancellationToken = default);

    /// <summary>How many nodes run now, and how many were found dead (rather than stopped cleanly) since <paramref name="since"/>.</summary>
    Task<(long Alive, long Dead)> CountAsync(DateTimeOffset since, CancellationToken cancellationToken = default);
}

namespace Mail2Sms.Core.Nodes;

/// <summary>A gateway process registered as a node and not stopped, as the store knows it.</summary>
/// <param name="Id">The node.</param>
/// <param name="HostName">The machine it runs on, as the operator knows it.</param>
/// <param name="ProcessId">Its process ID.</param>
/// <param name="ProcessSpace">
/// The kernel boot and PID namespace its process ID counts in, or null where the system does not say: only a
/// process in the same space can look its ID up (a container with the host's name has a space of its own).
/// </param>
/// <param name="ProcessStart">When its process started, in that space's clock: a later process given the same ID started later.</param>
/// <param name="HeartbeatAt">When it last said it was alive.</param>
public sealed record RunningNode(long Id, string HostName, int ProcessId, string? ProcessSpace, string? ProcessStart, DateTimeOffset HeartbeatAt);

/// <summary>The processes the looking node can see: its own process space, and the start of the process that has an ID now.</summary>
/// <param name="Space">Its kernel boot and PID namespace, or null where the system does not say.</param>
/// <param name="StartOf">The start of the process with this ID now, or null when there is none (or it is a zombie).</param>
public sealed record MachineProcesses(string? Space, Func<int, string?> StartOf);

/// <summary>
/// Which nodes are dead, so that their claims are taken over: a node in the looker's own process space when its process
/// no longer exists, or its process ID now belongs to a process that started at another time (the ID was given again),
/// at once, and never while its process runs however late its heartbeat; a node in another space (or one that does not
/// say) when its heartbeat is older than the timeout.
/// </summary>
public static class NodeLiveness
{
    /// <summary>Whether <paramref name="node"/> is dead at <paramref name="now"/>, as a node seeing <paramref name="machine"/> can tell.</summary>
    public static bool IsDead(RunningNode node, DateTimeOffset now, TimeSpan timeout, MachineProcesses machine)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(machine);
        // In the looker's own space the process decides: a live process whose heartbeat is late (waiting for the database's
        // write turn, say) is not dead, and a gone one is dead at once.
        if (node.ProcessSpace is not null && node.ProcessStart is not null && string.Equals(node.ProcessSpace, machine.Space, StringComparison.Ordinal))
        {
            return !string.Equals(machine.StartOf(node.ProcessId), node.ProcessStart, StringComparison.Ordinal);
        }

        // Another space's process IDs mean nothing here: only the heartbeat tells.
        return now - node.HeartbeatAt > timeout;
    }

    /// <summary>The nodes of <paramref name="running"/> that are dead at <paramref name="now"/>.</summary>
    public static IReadOnlyList<RunningNode> Dead(IEnumerable<RunningNode> running, DateTimeOffset now, TimeSpan timeout, MachineProcesses machine) =>
        [.. running.Where(node => IsDead(node, now, timeout, machine))];
}

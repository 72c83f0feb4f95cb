using Mail2Sms.Core.Nodes;
using Mail2Sms.Gateway.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>
/// This process as a node of the gateway: registered at start, when the claims of nodes found dead (a predecessor on
/// this machine whose process is gone) are taken over at once; a heartbeat every third of the node timeout; on each
/// of the dispatcher's sweeps, the claims of any node found dead since taken over; a clean stop releases its own.
/// </summary>
public sealed class GatewayNode
{
    private readonly INodeRegistry _store;
    private readonly TimeSpan _timeout;
    private readonly MachineProcesses _machine;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;

    private GatewayNode(long id, INodeRegistry store, TimeSpan timeout, MachineProcesses machine, TimeProvider clock, ILogger log)
    {
        Id = id;
        _store = store;
        _timeout = timeout;
        _machine = machine;
        _clock = clock;
        _log = log;
    }

    /// <summary>The node's ID: the claims it makes name it.</summary>
    public long Id { get; }

    /// <summary>How often it writes its heartbeat: a third of the timeout, so a beat or two may be late before it is taken for dead.</summary>
    public TimeSpan HeartbeatInterval => _timeout / 3;

    /// <summary>
    /// Registers this process (<paramref name="processId"/>, by default this one, seen through <paramref name="machine"/>,
    /// by default <see cref="LocalProcesses.Machine"/>) as a node, then takes over the claims of the nodes dead now.
    /// </summary>
    public static async Task<GatewayNode> StartAsync(
        INodeRegistry store, TimeSpan timeout, TimeProvider clock, ILogger? log = null, MachineProcesses? machine = null, int? processId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        machine ??= LocalProcesses.Machine;
        var process = processId ?? Environment.ProcessId;
        var id = await store.RegisterAsync(Environment.MachineName, process, machine.Space, machine.StartOf(process), cancellationToken).ConfigureAwait(false);
        var node = new GatewayNode(id, store, timeout, machine, clock, log ?? NullLogger.Instance);
        node._log.NodeStarted(id, Environment.MachineName, process);
        await node.TakeOverDeadAsync(cancellationToken).ConfigureAwait(false);
        return node;
    }

    /// <summary>Writes the heartbeat every <see cref="HeartbeatInterval"/> until <paramref name="cancellationToken"/> is cancelled; a failed beat is logged and the next one tried.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(HeartbeatInterval, _clock, cancellationToken).ConfigureAwait(false);
                if (!await _store.HeartbeatAsync(Id, cancellationToken).ConfigureAwait(false))
                {
                    _log.NodeTakenForDead(Id, _timeout.TotalSeconds);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _log.HeartbeatFailed(e);
            }
        }
    }

    /// <summary>
    /// Takes over the claims of the other nodes dead now (<see cref="NodeLiveness"/>): they are released, to be claimed
    /// again at once. Returns how many claims were released.
    /// </summary>
    public async Task<int> TakeOverDeadAsync(CancellationToken cancellationToken = default)
    {
        var running = await _store.RunningAsync(cancellationToken).ConfigureAwait(false);
        var dead = NodeLiveness.Dead(running.Where(n => n.Id != Id), _clock.GetUtcNow(), _timeout, _machine);
        if (dead.Count == 0)
        {
            return 0;
        }

        var released = await _store.TakeOverAsync(dead, cancellationToken).ConfigureAwait(false);
        _log.NodesTakenOver(string.Join(", ", dead.Select(n => $"{n.Id} ({n.HostName}, process {n.ProcessId})")), released);
        return released;
    }

    /// <summary>Marks the node stopped and releases its claims (submits cut short were queued again already); returns how many.</summary>
    public Task<int> StopAsync(CancellationToken cancellationToken = default) => _store.StopAsync(Id, cancellationToken);
}

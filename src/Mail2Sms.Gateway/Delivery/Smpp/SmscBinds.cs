using Mail2Sms.Smpp;

namespace Mail2Sms.Gateway.Delivery.Smpp;

/// <summary>
/// The sessions to the SMS centre (<c>Smpp:Binds</c> of them, each with its own window): a submit goes
/// to the bound session with the fewest requests outstanding, so the binds share the load and one that
/// drops leaves the others working.
/// </summary>
public sealed class SmscBinds : IAsyncDisposable
{
    private readonly SmppClient[] _clients;
    // Each session's last bind or unbind, written by its SMPP thread and read by the web side: a reference, so never read half written.
    private readonly LastChange?[] _lastChange;

    /// <summary>Starts <paramref name="binds"/> sessions with <paramref name="options"/>; each connects at once.</summary>
    public SmscBinds(SmppClientOptions options, int binds, Func<ShortMessage, Task> onDeliver, Action<SmppEvent>? onEvent = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(binds, 1);
        clock ??= TimeProvider.System;
        _lastChange = new LastChange?[binds];
        // Throttling is counted for /metrics, and each session's last bind or unbind kept for the dashboard, whoever else listens to the events.
        _clients = [.. Enumerable.Range(0, binds).Select(i => new SmppClient(options, onDeliver, e =>
        {
            if (e.Kind == SmppEventKind.Throttled)
            {
                GatewayMetrics.Throttled();
            }
            else if (e.Kind is SmppEventKind.Bound or SmppEventKind.Unbound)
            {
                Volatile.Write(ref _lastChange[i], new LastChange(clock.GetUtcNow(), e.Detail));
            }

            onEvent?.Invoke(e);
        }))];
        Window = options.WindowSize * binds;
        Target = $"{options.Host}:{options.Port} as {options.SystemId}";
    }

    /// <summary>Where the sessions go and as whom: <c>host:port as system_id</c>.</summary>
    public string Target { get; }

    /// <summary>Each session now.</summary>
    public IReadOnlyList<BindStatus> Statuses =>
        [.. _clients.Select((c, i) =>
        {
            var last = Volatile.Read(ref _lastChange[i]);
            return new BindStatus(i + 1, c.IsBound, last?.At, last?.Detail, c.Outstanding);
        })];

    /// <summary>Submits that can be outstanding at once over all the binds.</summary>
    public int Window { get; }

    /// <summary>How many sessions are bound now.</summary>
    public int Bound => _clients.Count(c => c.IsBound);

    /// <summary>Waits until at least one session is bound.</summary>
    public Task WaitBoundAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAny(_clients.Select(c => c.WaitBoundAsync(cancellationToken))).Unwrap();

    /// <summary>Submits through the least busy bound session (the first, to wait for its bind, when none is bound).</summary>
    public Task<MessageResp> SubmitAsync(ShortMessage submit, CancellationToken cancellationToken = default)
    {
        var best = _clients[0];
        foreach (var client in _clients)
        {
            if (client.IsBound && (!best.IsBound || client.Outstanding < best.Outstanding))
            {
                best = client;
            }
        }

        return best.SubmitAsync(submit, cancellationToken);
    }

    /// <summary>Unbinds every session once its window has drained.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed record LastChange(DateTimeOffset At, string? Detail);
}

using Mail2Sms.Smpp;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>
/// The sessions to the SMS centre (<c>Smpp:Binds</c> of them, each with its own window): a submit goes
/// to the bound session with the fewest requests outstanding, so the binds share the load and one that
/// drops leaves the others working.
/// </summary>
public sealed class SmscBinds : IAsyncDisposable
{
    private readonly SmppClient[] _clients;

    /// <summary>Starts <paramref name="binds"/> sessions with <paramref name="options"/>; each connects at once.</summary>
    public SmscBinds(SmppClientOptions options, int binds, Func<ShortMessage, Task> onDeliver, Action<SmppEvent>? onEvent = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(binds, 1);
        // Throttling is counted for /metrics whoever else listens to the sessions' events.
        _clients = [.. Enumerable.Range(0, binds).Select(_ => new SmppClient(options, onDeliver, e =>
        {
            if (e.Kind == SmppEventKind.Throttled)
            {
                GatewayMetrics.Throttled();
            }

            onEvent?.Invoke(e);
        }))];
        Window = options.WindowSize * binds;
    }

    /// <summary>Submits that can be outstanding at once over all the binds.</summary>
    public int Window { get; }

    /// <summary>How many sessions are bound now.</summary>
    public int Bound => _clients.Count(c => c.IsBound);

    /// <summary>Submits outstanding now over all the binds: the part of the window in use.</summary>
    public int Outstanding => _clients.Sum(c => c.Outstanding);

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
}

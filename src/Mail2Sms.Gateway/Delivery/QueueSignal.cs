using System.Threading.Channels;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>
/// Tells the dispatcher that SMS are waiting: set when an email commits (and when a submit ends and
/// frees a place), so an SMS goes out the moment it is queued rather than at the next look at the store.
/// Signals that come while nobody waits are kept as one.
/// </summary>
public sealed class QueueSignal
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Wakes the waiter, or the next one to wait.</summary>
    public void Set() => _signals.Writer.TryWrite(true);

    /// <summary>Waits for a signal or for <paramref name="timeout"/> on <paramref name="clock"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (_signals.Reader.TryRead(out _))
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signalled = _signals.Reader.WaitToReadAsync(stop.Token).AsTask();
        await Task.WhenAny(signalled, Task.Delay(timeout, clock, stop.Token)).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        _signals.Reader.TryRead(out _);
    }
}

using System.Collections.Concurrent;
using Mail2Sms.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace Mail2Sms.Smpp.Tests;

/// <summary>
/// A fake clock that records every wait started on it (each timer's due time), so that a test moves time
/// only once the wait it means to end has begun, instead of racing the code under test.
/// </summary>
internal sealed class WatchedClock : FakeTimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _started = new();

    /// <summary>The due time of every timer started so far, in the order they started.</summary>
    public IReadOnlyList<TimeSpan> Started => [.. _started];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        // Recorded once it is set: whoever sees it may advance the clock past it.
        _started.Enqueue(dueTime);
        return timer;
    }

    /// <summary>Waits until <paramref name="count"/> timers due after <paramref name="due"/> have started.</summary>
    public Task UntilStartedAsync(TimeSpan due, int count = 1) =>
        Waits.UntilAsync(() => Started.Count(d => d == due) >= count, $"{count} wait(s) of {due} started on the clock");
}

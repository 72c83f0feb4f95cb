namespace Mail2Sms.Gateway.Storage;

/// <summary>The topics nodes wake one another for.</summary>
public static class WakeupTopics
{
    /// <summary>SMS were queued: the dispatchers look at the queue now rather than at their next poll.</summary>
    public const string Sms = "sms";

    /// <summary>Outbound mail was queued: the outbox senders look now.</summary>
    public const string Mail = "mail";
}

/// <summary>
/// Wake-up hints between the nodes of one database: a node that queued work tells the others to look now. Only a hint,
/// with polling behind it: a hint lost (a dropped connection, a node starting) delays the work by at most the poll interval.
/// </summary>
public interface IWakeups
{
    /// <summary>
    /// Wakes the listeners of <paramref name="topic"/>, this node's at once and the other nodes' through the database;
    /// returns at once. Many notifies in a burst go out as one or two.
    /// </summary>
    void Notify(string topic);

    /// <summary>
    /// Calls <paramref name="wake"/> for each notify of <paramref name="topic"/> (on any node), and whenever the listening
    /// connection is made again (hints may have been lost meanwhile), until <paramref name="cancellationToken"/> is cancelled.
    /// Completes once the node listens.
    /// </summary>
    Task ListenAsync(string topic, Action wake, CancellationToken cancellationToken = default);
}

/// <summary>
/// Wake-ups within this process alone: enough for one machine's embedded database; the listeners a provider that
/// reaches other nodes calls when a hint comes.
/// </summary>
public sealed class LocalWakeups : IWakeups
{
    private readonly Lock _gate = new();
    private readonly List<(string Topic, Action Wake)> _listeners = [];

    public void Notify(string topic) => Wake(topic);

    public Task ListenAsync(string topic, Action wake, CancellationToken cancellationToken = default)
    {
        var listener = (topic, wake);
        lock (_gate)
        {
            _listeners.Add(listener);
        }

        cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _listeners.Remove(listener);
            }
        });
        return Task.CompletedTask;
    }

    /// <summary>Calls the listeners of <paramref name="topic"/>; null calls every listener.</summary>
    public void Wake(string? topic)
    {
        Action[] woken;
        lock (_gate)
        {
            woken = [.. _listeners.Where(l => topic is null || l.Topic == topic).Select(l => l.Wake)];
        }

        foreach (var wake in woken)
        {
            wake();
        }
    }
}

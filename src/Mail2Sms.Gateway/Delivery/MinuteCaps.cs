namespace Mail2Sms.Gateway.Delivery;

/// <summary>The SMS each account started in the last minute, for its cap of SMS per minute.</summary>
public sealed class MinuteCaps(TimeProvider clock)
{
    private readonly Dictionary<string, Queue<DateTimeOffset>> _started = new(StringComparer.Ordinal);

    /// <summary>How many more SMS <paramref name="account"/> may start now under a cap of <paramref name="perMinute"/> (0: no cap).</summary>
    public int Allowance(string account, int perMinute)
    {
        lock (_started)
        {
            if (perMinute <= 0)
            {
                _started.Remove(account);
                return int.MaxValue;
            }

            if (!_started.TryGetValue(account, out var times))
            {
                _started[account] = times = new Queue<DateTimeOffset>();
            }

            var since = clock.GetUtcNow() - TimeSpan.FromMinutes(1);
            while (times.TryPeek(out var oldest) && oldest <= since)
            {
                times.Dequeue();
            }

            return perMinute - times.Count;
        }
    }

    /// <summary>Counts an SMS of <paramref name="account"/> started now, when it has a cap.</summary>
    public void Started(string account)
    {
        lock (_started)
        {
            if (_started.TryGetValue(account, out var times))
            {
                times.Enqueue(clock.GetUtcNow());
            }
        }
    }
}

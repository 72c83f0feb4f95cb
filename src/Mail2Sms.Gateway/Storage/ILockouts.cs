namespace Mail2Sms.Gateway.Storage;

/// <summary>How a key's failures stand after one more was counted (or refused because the key is locked).</summary>
/// <param name="Failures">The failures counted within the key's window, this one included; 0 when it was refused.</param>
/// <param name="LockedUntil">The end of the key's lock, when it has one (it may already be over).</param>
/// <param name="Refused">The key was locked, so this failure was not counted.</param>
public sealed record LockoutCount(int Failures, DateTimeOffset? LockedUntil, bool Refused);

/// <summary>
/// Password failures per key, kept in the store so that every node counts against the same number and a lock made on
/// one node holds on all. Each operation is one atomic step on the key's row; the rule (how many failures, how long a
/// window, who a key is) is the caller's, given with each count. "Now" is the store's clock.
/// </summary>
public interface ILockouts
{
    /// <summary>
    /// Counts one failure of <paramref name="key"/>: the first after its window and lock are over starts a new window of
    /// <paramref name="window"/>; the one that reaches <paramref name="maxFailures"/> locks the key until that window's length
    /// from now (a lock already set stays as it is). With <paramref name="unlessLocked"/>, a key locked now is refused instead, and nothing counted.
    /// </summary>
    Task<LockoutCount> CountFailureAsync(string key, int maxFailures, TimeSpan window, bool unlessLocked, CancellationToken cancellationToken = default);

    /// <summary>The end of <paramref name="key"/>'s lock when it is locked now, else null.</summary>
    Task<DateTimeOffset?> LockedUntilAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Forgets <paramref name="key"/>'s failures (a right password), its lock included.</summary>
    Task ClearAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Removes every key whose window and lock are both over; returns how many went.</summary>
    Task<int> SweepAsync(CancellationToken cancellationToken = default);

    /// <summary>How many keys have failures kept, over or not (what sweeping bounds).</summary>
    Task<int> TrackedAsync(CancellationToken cancellationToken = default);
}

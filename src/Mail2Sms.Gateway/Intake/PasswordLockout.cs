using System.Collections.Concurrent;
using System.Net;

namespace Mail2Sms.Gateway.Intake;

/// <summary>
/// Locks an (account, client address) pair out after repeated wrong <c>[SENDER]</c> passwords, for a
/// while. Only passwords count: IP-authenticated mail is never locked out, so an attacker cannot
/// silence an account's alerts.
/// </summary>
public sealed class PasswordLockout(TimeProvider clock, int maxFailures = 5, TimeSpan? window = null)
{
    private readonly TimeSpan _window = window ?? TimeSpan.FromMinutes(15);
    private readonly ConcurrentDictionary<(string Account, IPAddress? Client), Failures> _failures = new();

    // Pairs kept before those that no longer count are swept out.
    private const int MaxTracked = 10_000;

    private sealed record Failures(int Count, DateTimeOffset FirstAt, DateTimeOffset? LockedUntil);

    /// <summary>When the pair is locked out, until when; else null.</summary>
    public DateTimeOffset? LockedUntil(string accountId, IPAddress? client)
    {
        var key = Key(accountId, client);
        return _failures.TryGetValue(key, out var failures) && failures.LockedUntil is { } until && until > clock.GetUtcNow() ? until : null;
    }

    /// <summary>Counts a wrong password; the pair locks after <c>maxFailures</c> within the window.</summary>
    public void Fail(string accountId, IPAddress? client)
    {
        var now = clock.GetUtcNow();
        // Many addresses failing (a scan) must not grow this for ever: past a bound, those whose window and lock are over go.
        if (_failures.Count >= MaxTracked)
        {
            foreach (var (key, old) in _failures)
            {
                if (now - old.FirstAt > _window && (old.LockedUntil is null || old.LockedUntil <= now))
                {
                    _failures.TryRemove(key, out _);
                }
            }
        }

        _failures.AddOrUpdate(Key(accountId, client),
            _ => new Failures(1, now, maxFailures <= 1 ? now + _window : null),
            (_, old) =>
            {
                var fresh = now - old.FirstAt > _window && (old.LockedUntil is null || old.LockedUntil <= now);
                var count = fresh ? 1 : old.Count + 1;
                return new Failures(count, fresh ? now : old.FirstAt, count >= maxFailures ? now + _window : null);
            });
    }

    /// <summary>Pairs with failures counted now.</summary>
    internal int Tracked => _failures.Count;

    /// <summary>A right password clears the pair's count.</summary>
    public void Succeed(string accountId, IPAddress? client) => _failures.TryRemove(Key(accountId, client), out _);

    private static (string, IPAddress?) Key(string accountId, IPAddress? client) =>
        (accountId.ToUpperInvariant(), client is { IsIPv4MappedToIPv6: true } ? client.MapToIPv4() : client);
}

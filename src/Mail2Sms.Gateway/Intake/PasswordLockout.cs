using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Mail2Sms.Gateway.Intake;

/// <summary>Where a password was tried: each is counted in <c>/metrics</c> when it locks a pair out.</summary>
public enum PasswordPath
{
    /// <summary>A <c>[SENDER]</c> block in an email's body.</summary>
    SenderBlock,
    /// <summary>SMTP AUTH.</summary>
    SmtpAuth,
    /// <summary>The dashboard's sign-in.</summary>
    Dashboard,
    /// <summary>An API key.</summary>
    ApiKey,
}

/// <summary>
/// Who password failures are counted against: an account (or an operator) together with the client's
/// address when the one trying belongs to it, else the client's address alone (a stranger), so that
/// a stranger's guesses never lock a customer out. An IPv6 client counts by its /64, which one
/// subscriber holds whole.
/// </summary>
public readonly record struct LockoutKey
{
    private LockoutKey(string subject, IPAddress? client)
    {
        Subject = subject;
        Client = client switch
        {
            { IsIPv4MappedToIPv6: true } => client.MapToIPv4(),
            { AddressFamily: AddressFamily.InterNetworkV6 } => new IPNetwork(client, 64).BaseAddress,
            _ => client,
        };
    }

    /// <summary>The account ID (upper case), <c>operator:</c> and a name, or empty for a stranger.</summary>
    public string Subject { get; }

    /// <summary>The client's address (an IPv6 one as its /64).</summary>
    public IPAddress? Client { get; }

    /// <summary>A user of <paramref name="accountId"/> trying from <paramref name="client"/>.</summary>
    public static LockoutKey Account(string accountId, IPAddress? client) => new(accountId.ToUpperInvariant(), client);

    /// <summary>The dashboard's operator <paramref name="name"/> trying from <paramref name="client"/>.</summary>
    public static LockoutKey Operator(string name, IPAddress? client) => new("operator:" + name.ToUpperInvariant(), client);

    /// <summary>Someone who is not who it names (an unknown user, an address of another account) trying from <paramref name="client"/>.</summary>
    public static LockoutKey Stranger(IPAddress? client) => new(string.Empty, client);
}

/// <summary>
/// The one lockout of every password path (<c>[SENDER]</c>, SMTP AUTH, the dashboard): a <see cref="LockoutKey"/> with
/// <c>maxFailures</c> wrong passwords within the window is locked out for the window, and its right password is refused
/// too while locked. Only passwords count: IP-authenticated mail is never locked out, so an attacker cannot silence an
/// account's alerts. It also counts each client's SMTP AUTH failures, which its replies are slowed by.
/// </summary>
public sealed class PasswordLockout(TimeProvider clock, int maxFailures = PasswordLockout.DefaultMaxFailures, TimeSpan? window = null)
{
    /// <summary>Wrong passwords within the window that lock a key out.</summary>
    public const int DefaultMaxFailures = 5;

    // Keys kept before those that no longer count are swept out.
    private const int MaxTracked = 10_000;

    private readonly TimeSpan _window = window ?? TimeSpan.FromMinutes(15);
    private readonly ConcurrentDictionary<LockoutKey, Failures> _failures = new();
    private readonly ConcurrentDictionary<LockoutKey, Failures> _authFailures = new();

    private sealed record Failures(int Count, DateTimeOffset FirstAt, DateTimeOffset? LockedUntil);

    /// <summary>The window: failures within it count together, and a lock lasts this long.</summary>
    public TimeSpan Window => _window;

    /// <summary>When <paramref name="key"/> is locked out, until when; else null.</summary>
    public DateTimeOffset? LockedUntil(LockoutKey key) =>
        _failures.TryGetValue(key, out var failures) && failures.LockedUntil is { } until && until > clock.GetUtcNow() ? until : null;

    /// <summary>
    /// Reserves an attempt at <paramref name="key"/>'s password before it is verified: the attempt counts as a failure at
    /// once, so parallel attempts whose slow hashes are still running count too, and an attempt beyond <c>maxFailures</c>
    /// within the window is refused (<see cref="PasswordAttempt.RefusedUntil"/>) without its password being looked at.
    /// A right password then clears the count with <see cref="Succeed"/>; a wrong one calls <see cref="Failed"/>.
    /// </summary>
    public PasswordAttempt BeginAttempt(LockoutKey key)
    {
        var now = clock.GetUtcNow();
        Sweep(_failures, now);
        while (true)
        {
            if (!_failures.TryGetValue(key, out var old))
            {
                var first = Next(null, now, maxFailures);
                if (_failures.TryAdd(key, first))
                {
                    return new PasswordAttempt(key, null, first.LockedUntil is not null);
                }

                continue;
            }

            if (old.LockedUntil is { } until && until > now)
            {
                return new PasswordAttempt(key, until, false);
            }

            var next = Next(old, now, maxFailures);
            if (_failures.TryUpdate(key, next, old))
            {
                return new PasswordAttempt(key, null, next.LockedUntil is not null);
            }
        }
    }

    /// <summary>The reserved <paramref name="attempt"/>'s password was wrong (it is already counted); returns the key's lock end when it is locked now.</summary>
    public DateTimeOffset? Failed(PasswordAttempt attempt, PasswordPath path)
    {
        if (attempt.Locks)
        {
            GatewayMetrics.LockedOut(path);
        }

        return LockedUntil(attempt.Key);
    }

    /// <summary>Counts a wrong password checked without a reservation (an API key, looked up rather than verified); returns the lock's end once it locks.</summary>
    public DateTimeOffset? Fail(LockoutKey key, PasswordPath path)
    {
        var failures = Count(_failures, key, maxFailures);
        if (failures.Count == maxFailures && failures.LockedUntil is { } until)
        {
            GatewayMetrics.LockedOut(path);
            return until;
        }

        return LockedUntil(key);
    }

    /// <summary>A right password clears the key's count, attempts still in flight included.</summary>
    public void Succeed(LockoutKey key) => _failures.TryRemove(key, out _);

    /// <summary>Counts an SMTP AUTH failure of <paramref name="client"/>, whoever it named, and returns its failures within the window (what its delay grows with).</summary>
    public int AuthFailed(IPAddress? client) => Count(_authFailures, LockoutKey.Stranger(client), int.MaxValue).Count;

    /// <summary>A client whose SMTP AUTH succeeded is answered at once again.</summary>
    public void AuthSucceeded(IPAddress? client) => _authFailures.TryRemove(LockoutKey.Stranger(client), out _);

    /// <summary>Keys with failures counted now.</summary>
    internal int Tracked => _failures.Count;

    private Failures Count(ConcurrentDictionary<LockoutKey, Failures> counts, LockoutKey key, int lockAfter)
    {
        var now = clock.GetUtcNow();
        Sweep(counts, now);
        return counts.AddOrUpdate(key, _ => Next(null, now, lockAfter), (_, old) => Next(old, now, lockAfter));
    }

    // Many addresses failing (a scan) must not grow this for ever: past a bound, those whose window and lock are over go.
    private void Sweep(ConcurrentDictionary<LockoutKey, Failures> counts, DateTimeOffset now)
    {
        if (counts.Count < MaxTracked)
        {
            return;
        }

        foreach (var (old, failures) in counts)
        {
            if (IsOver(failures, now))
            {
                counts.TryRemove(old, out _);
            }
        }
    }

    // One more failure after old (none: the first); the one that reaches lockAfter locks the key for the window.
    private Failures Next(Failures? old, DateTimeOffset now, int lockAfter)
    {
        if (old is null || IsOver(old, now))
        {
            return new Failures(1, now, lockAfter <= 1 ? now + _window : null);
        }

        var count = old.Count + 1;
        return new Failures(count, old.FirstAt, count >= lockAfter ? old.LockedUntil ?? now + _window : null);
    }

    private bool IsOver(Failures failures, DateTimeOffset now) =>
        now - failures.FirstAt > _window && (failures.LockedUntil is null || failures.LockedUntil <= now);
}

/// <summary>A password attempt reserved by <see cref="PasswordLockout.BeginAttempt"/>.</summary>
/// <param name="Key">Whom it counts against.</param>
/// <param name="RefusedUntil">When the key is locked out, until when: the password must then not be verified.</param>
/// <param name="Locks">True when this attempt is the one that reached the limit and locked the key.</param>
public readonly record struct PasswordAttempt(LockoutKey Key, DateTimeOffset? RefusedUntil, bool Locks);

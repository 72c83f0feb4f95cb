using System.Net;
using System.Net.Sockets;
using Mail2Sms.Gateway.Storage;

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
/// The one lockout of every password path (<c>[SENDER]</c>, SMTP AUTH, the dashboard, API keys): a <see cref="LockoutKey"/> with
/// <c>maxFailures</c> wrong passwords within the window is locked out for the window, and its right password is refused
/// too while locked. Only passwords count: IP-authenticated mail is never locked out, so an attacker cannot silence an
/// account's alerts. It also counts each client's SMTP AUTH failures, which its replies are slowed by. The counts live in
/// the store (<see cref="ILockouts"/>), so a lock made on one node holds on every node; nothing is cached here, so no node
/// lets a key locked elsewhere through. <paramref name="scope"/> keeps lockouts with other rules (the API's keys) apart.
/// </summary>
public sealed class PasswordLockout(ILockouts store, TimeProvider clock, int maxFailures = PasswordLockout.DefaultMaxFailures, TimeSpan? window = null, string scope = "password")
{
    /// <summary>Wrong passwords within the window that lock a key out.</summary>
    public const int DefaultMaxFailures = 5;

    private readonly TimeSpan _window = window ?? TimeSpan.FromMinutes(15);
    private long _nextSweepTicks = long.MinValue;

    /// <summary>The window: failures within it count together, and a lock lasts this long.</summary>
    public TimeSpan Window => _window;

    /// <summary>When <paramref name="key"/> is locked out, until when; else null.</summary>
    public Task<DateTimeOffset?> LockedUntilAsync(LockoutKey key, CancellationToken cancellationToken = default) =>
        store.LockedUntilAsync(Stored(key), cancellationToken);

    /// <summary>
    /// Reserves an attempt at <paramref name="key"/>'s password before it is verified: the attempt counts as a failure at
    /// once, so parallel attempts whose slow hashes are still running count too (on any node), and an attempt beyond
    /// <c>maxFailures</c> within the window is refused (<see cref="PasswordAttempt.RefusedUntil"/>) without its password being
    /// looked at. A right password then clears the count with <see cref="SucceedAsync"/>; a wrong one calls <see cref="FailedAsync"/>.
    /// </summary>
    public async Task<PasswordAttempt> BeginAttemptAsync(LockoutKey key, CancellationToken cancellationToken = default)
    {
        var count = await CountAsync(Stored(key), maxFailures, unlessLocked: true, cancellationToken).ConfigureAwait(false);
        // A lock cleared between the refusal and its read still refuses this attempt, until now.
        return count.Refused
            ? new PasswordAttempt(key, count.LockedUntil ?? clock.GetUtcNow(), false)
            : new PasswordAttempt(key, null, count.LockedUntil is not null);
    }

    /// <summary>The reserved <paramref name="attempt"/>'s password was wrong (it is already counted); returns the key's lock end when it is locked now.</summary>
    public Task<DateTimeOffset?> FailedAsync(PasswordAttempt attempt, PasswordPath path, CancellationToken cancellationToken = default)
    {
        if (attempt.Locks)
        {
            GatewayMetrics.LockedOut(path);
        }

        return LockedUntilAsync(attempt.Key, cancellationToken);
    }

    /// <summary>Counts a wrong password checked without a reservation (an API key, looked up rather than verified); returns the lock's end once it locks.</summary>
    public async Task<DateTimeOffset?> FailAsync(LockoutKey key, PasswordPath path, CancellationToken cancellationToken = default)
    {
        var count = await CountAsync(Stored(key), maxFailures, unlessLocked: false, cancellationToken).ConfigureAwait(false);
        if (count.Failures == maxFailures && count.LockedUntil is { } until)
        {
            GatewayMetrics.LockedOut(path);
            return until;
        }

        return count.LockedUntil > clock.GetUtcNow() ? count.LockedUntil : null;
    }

    /// <summary>A right password clears the key's count, attempts still in flight included.</summary>
    public Task SucceedAsync(LockoutKey key, CancellationToken cancellationToken = default) => store.ClearAsync(Stored(key), cancellationToken);

    /// <summary>Counts an SMTP AUTH failure of <paramref name="client"/>, whoever it named, and returns its failures within the window (what its delay grows with).</summary>
    public async Task<int> AuthFailedAsync(IPAddress? client, CancellationToken cancellationToken = default) =>
        (await CountAsync(AuthDelayKey(client), int.MaxValue, unlessLocked: false, cancellationToken).ConfigureAwait(false)).Failures;

    /// <summary>A client whose SMTP AUTH succeeded is answered at once again.</summary>
    public Task AuthSucceededAsync(IPAddress? client, CancellationToken cancellationToken = default) => store.ClearAsync(AuthDelayKey(client), cancellationToken);

    /// <summary>Keys with failures kept now (every scope's).</summary>
    internal Task<int> TrackedAsync() => store.TrackedAsync();

    // Many addresses failing (a scan) must not grow the store for ever: once a window, this process sweeps the keys whose window and lock are over.
    private async Task<LockoutCount> CountAsync(string key, int lockAfter, bool unlessLocked, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now >= due && Interlocked.CompareExchange(ref _nextSweepTicks, now + _window.Ticks, due) == due)
        {
            await store.SweepAsync(cancellationToken).ConfigureAwait(false);
        }

        return await store.CountFailureAsync(key, lockAfter, _window, unlessLocked, cancellationToken).ConfigureAwait(false);
    }

    private string Stored(LockoutKey key) => $"{scope}:{key.Subject}|{key.Client}";

    private string AuthDelayKey(IPAddress? client) => Stored(LockoutKey.Stranger(client)) + "|smtp-auth-delay";
}
/// <summary>A password attempt reserved by <see cref="PasswordLockout.BeginAttemptAsync"/>.</summary>
/// <param name="Key">Whom it counts against.</param>
/// <param name="RefusedUntil">When the key is locked out, until when: the password must then not be verified.</param>
/// <param name="Locks">True when this attempt is the one that reached the limit and locked the key.</param>
public readonly record struct PasswordAttempt(LockoutKey Key, DateTimeOffset? RefusedUntil, bool Locks);

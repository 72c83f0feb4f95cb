using System.Net;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Tests.Storage;

namespace Mail2Sms.Gateway.Tests.Intake;

/// <summary>The lockout's rule over the store it keeps its counts in (a real SQLite file; every provider's in <c>LockoutsContractTests</c>).</summary>
public sealed class PasswordLockoutTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    // Addresses of a scan: sweeping goes by time (once a window), not by how many keys are kept, so a few hundred show it.
    private const int Scanned = 200;

    private PasswordLockout Lockout(int maxFailures = PasswordLockout.DefaultMaxFailures, TimeSpan? window = null) =>
        new(_db.Storage.Lockouts, _db.Clock, maxFailures, window);

    [Fact]
    public async Task A_scan_from_many_addresses_does_not_grow_the_count_for_ever_and_a_lock_still_holds()
    {
        var lockout = Lockout(maxFailures: 3, window: TimeSpan.FromMinutes(1));
        var attacker = IPAddress.Parse("198.51.100.7");
        for (var i = 0; i < 3; i++)
        {
            await lockout.FailAsync(LockoutKey.Stranger(attacker), PasswordPath.ApiKey);
        }

        for (var i = 0; i < Scanned; i++)
        {
            await lockout.FailAsync(LockoutKey.Stranger(new IPAddress(BitConverter.GetBytes(0x0A000000 + i))), PasswordPath.ApiKey);
        }

        Assert.Equal(Scanned + 1, await lockout.TrackedAsync());
        _db.Clock.Advance(TimeSpan.FromSeconds(61));
        await lockout.FailAsync(LockoutKey.Stranger(IPAddress.Parse("203.0.113.1")), PasswordPath.ApiKey);
        Assert.Equal(1, await lockout.TrackedAsync());
        Assert.Null(await lockout.LockedUntilAsync(LockoutKey.Stranger(attacker)));
    }

    [Fact]
    public async Task A_locked_pair_is_kept_through_a_sweep_until_its_lock_ends()
    {
        var lockout = Lockout(maxFailures: 2, window: TimeSpan.FromMinutes(1));
        for (var i = 0; i < Scanned; i++)
        {
            await lockout.FailAsync(LockoutKey.Stranger(new IPAddress(BitConverter.GetBytes(0x0A000000 + i))), PasswordPath.ApiKey);
        }

        _db.Clock.Advance(TimeSpan.FromSeconds(50));
        var attacker = IPAddress.Parse("198.51.100.7");
        await lockout.FailAsync(LockoutKey.Stranger(attacker), PasswordPath.ApiKey);
        await lockout.FailAsync(LockoutKey.Stranger(attacker), PasswordPath.ApiKey);
        var until = await lockout.LockedUntilAsync(LockoutKey.Stranger(attacker));
        Assert.Equal(_db.Clock.GetUtcNow().AddMinutes(1), until);

        _db.Clock.Advance(TimeSpan.FromSeconds(30));
        await lockout.FailAsync(LockoutKey.Stranger(IPAddress.Parse("203.0.113.1")), PasswordPath.ApiKey);
        Assert.Equal(2, await lockout.TrackedAsync());
        Assert.Equal(until, await lockout.LockedUntilAsync(LockoutKey.Stranger(attacker)));
    }

    [Fact]
    public async Task A_user_of_the_account_and_a_stranger_from_the_same_address_are_counted_apart()
    {
        var lockout = Lockout();
        var shared = IPAddress.Parse("198.51.100.7");
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(await lockout.FailAsync(LockoutKey.Stranger(shared), PasswordPath.SenderBlock));
        }

        var before = GatewayMetrics.Lockouts(PasswordPath.SenderBlock);
        Assert.Equal(_db.Clock.GetUtcNow().AddMinutes(15), await lockout.FailAsync(LockoutKey.Stranger(shared), PasswordPath.SenderBlock));
        Assert.True(GatewayMetrics.Lockouts(PasswordPath.SenderBlock) > before);
        Assert.Null(await lockout.LockedUntilAsync(LockoutKey.Account("CI00000001", shared)));
        Assert.Null(await lockout.LockedUntilAsync(LockoutKey.Operator("admin", shared)));
        Assert.Equal(LockoutKey.Account("ci00000001", shared), LockoutKey.Account("CI00000001", IPAddress.Parse("::ffff:198.51.100.7")));
    }

    [Fact]
    public async Task An_ipv6_client_counts_by_its_64_so_rotating_addresses_in_it_gains_nothing()
    {
        var lockout = Lockout();
        for (var i = 1; i <= 5; i++)
        {
            await lockout.FailAsync(LockoutKey.Account("CI00000001", IPAddress.Parse($"2001:db8:1:2::{i:x}")), PasswordPath.SmtpAuth);
        }

        Assert.NotNull(await lockout.LockedUntilAsync(LockoutKey.Account("CI00000001", IPAddress.Parse("2001:db8:1:2:ffff::1"))));
        Assert.Null(await lockout.LockedUntilAsync(LockoutKey.Account("CI00000001", IPAddress.Parse("2001:db8:1:3::1"))));
    }

    [Fact]
    public async Task A_lock_ends_after_the_window_and_the_count_starts_again()
    {
        var lockout = Lockout(maxFailures: 2, window: TimeSpan.FromMinutes(15));
        var key = LockoutKey.Operator("admin", IPAddress.Loopback);
        await lockout.FailAsync(key, PasswordPath.Dashboard);
        var until = await lockout.FailAsync(key, PasswordPath.Dashboard);
        _db.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(until, await lockout.FailAsync(key, PasswordPath.Dashboard));
        _db.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(await lockout.LockedUntilAsync(key));
        Assert.Null(await lockout.FailAsync(key, PasswordPath.Dashboard));
    }

    [Fact]
    public async Task Attempts_in_flight_count_so_the_one_past_the_limit_is_refused_before_any_verdict_and_a_success_clears_them()
    {
        var lockout = Lockout(maxFailures: 3, window: TimeSpan.FromMinutes(15));
        var key = LockoutKey.Operator("admin", IPAddress.Loopback);
        var inFlight = new List<PasswordAttempt>();
        for (var i = 0; i < 3; i++)
        {
            inFlight.Add(await lockout.BeginAttemptAsync(key));
        }

        Assert.All(inFlight, a => Assert.Null(a.RefusedUntil));
        Assert.Equal([false, false, true], inFlight.Select(a => a.Locks));
        Assert.Equal(_db.Clock.GetUtcNow().AddMinutes(15), (await lockout.BeginAttemptAsync(key)).RefusedUntil);

        await lockout.SucceedAsync(key);
        Assert.Null((await lockout.BeginAttemptAsync(key)).RefusedUntil);
    }

    [Fact]
    public async Task A_lock_made_through_one_node_refuses_on_another_and_a_success_there_clears_it_for_both()
    {
        await using var otherNode = new Gateway.Storage.Sqlite.SqliteStorage(new Gateway.Storage.Sqlite.SqliteDatabase($"Data Source={_db.Path}"), _db.Clock);
        var here = Lockout(maxFailures: 2);
        var there = new PasswordLockout(otherNode.Lockouts, _db.Clock, maxFailures: 2);
        var key = LockoutKey.Account("CI00000001", IPAddress.Parse("198.51.100.7"));

        await here.FailAsync(key, PasswordPath.SenderBlock);
        var second = await there.BeginAttemptAsync(key);
        Assert.Equal((null, true), (second.RefusedUntil, second.Locks));

        Assert.Equal(_db.Clock.GetUtcNow().AddMinutes(15), (await there.BeginAttemptAsync(key)).RefusedUntil);
        Assert.Equal(_db.Clock.GetUtcNow().AddMinutes(15), (await here.BeginAttemptAsync(key)).RefusedUntil);
        await there.SucceedAsync(key);
        Assert.Null((await here.BeginAttemptAsync(key)).RefusedUntil);
    }
}

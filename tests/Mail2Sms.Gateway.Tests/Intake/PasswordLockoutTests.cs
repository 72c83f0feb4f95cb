using System.Net;
using Mail2Sms.Gateway.Intake;
using Microsoft.Extensions.Time.Testing;

namespace Mail2Sms.Gateway.Tests.Intake;

public sealed class PasswordLockoutTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_scan_from_many_addresses_does_not_grow_the_count_for_ever_and_a_lock_still_holds()
    {
        var lockout = new PasswordLockout(_clock, maxFailures: 3, window: TimeSpan.FromMinutes(1));
        var attacker = IPAddress.Parse("198.51.100.7");
        for (var i = 0; i < 3; i++)
        {
            lockout.Fail(LockoutKey.Stranger(attacker), PasswordPath.ApiKey);
        }

        for (var i = 0; i < 10_000; i++)
        {
            lockout.Fail(LockoutKey.Stranger(new IPAddress(BitConverter.GetBytes(0x0A000000 + i))), PasswordPath.ApiKey);
        }

        Assert.Equal(10_001, lockout.Tracked);
        _clock.Advance(TimeSpan.FromSeconds(61));
        lockout.Fail(LockoutKey.Stranger(IPAddress.Parse("203.0.113.1")), PasswordPath.ApiKey);
        Assert.Equal(1, lockout.Tracked);
        Assert.Null(lockout.LockedUntil(LockoutKey.Stranger(attacker)));
    }

    [Fact]
    public void A_locked_pair_is_kept_through_a_sweep_until_its_lock_ends()
    {
        var lockout = new PasswordLockout(_clock, maxFailures: 2, window: TimeSpan.FromMinutes(1));
        for (var i = 0; i < 10_000; i++)
        {
            lockout.Fail(LockoutKey.Stranger(new IPAddress(BitConverter.GetBytes(0x0A000000 + i))), PasswordPath.ApiKey);
        }

        _clock.Advance(TimeSpan.FromSeconds(50));
        var attacker = IPAddress.Parse("198.51.100.7");
        lockout.Fail(LockoutKey.Stranger(attacker), PasswordPath.ApiKey);
        lockout.Fail(LockoutKey.Stranger(attacker), PasswordPath.ApiKey);
        var until = lockout.LockedUntil(LockoutKey.Stranger(attacker));
        Assert.Equal(_clock.GetUtcNow().AddMinutes(1), until);

        _clock.Advance(TimeSpan.FromSeconds(30));
        lockout.Fail(LockoutKey.Stranger(IPAddress.Parse("203.0.113.1")), PasswordPath.ApiKey);
        Assert.Equal(2, lockout.Tracked);
        Assert.Equal(until, lockout.LockedUntil(LockoutKey.Stranger(attacker)));
    }

    [Fact]
    public void A_user_of_the_account_and_a_stranger_from_the_same_address_are_counted_apart()
    {
        var lockout = new PasswordLockout(_clock);
        var shared = IPAddress.Parse("198.51.100.7");
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(lockout.Fail(LockoutKey.Stranger(shared), PasswordPath.SenderBlock));
        }

        var before = GatewayMetrics.Lockouts(PasswordPath.SenderBlock);
        Assert.Equal(_clock.GetUtcNow().AddMinutes(15), lockout.Fail(LockoutKey.Stranger(shared), PasswordPath.SenderBlock));
        Assert.True(GatewayMetrics.Lockouts(PasswordPath.SenderBlock) > before);
        Assert.Null(lockout.LockedUntil(LockoutKey.Account("CI00000001", shared)));
        Assert.Null(lockout.LockedUntil(LockoutKey.Operator("admin", shared)));
        Assert.Equal(LockoutKey.Account("ci00000001", shared), LockoutKey.Account("CI00000001", IPAddress.Parse("::ffff:198.51.100.7")));
    }

    [Fact]
    public void An_ipv6_client_counts_by_its_64_so_rotating_addresses_in_it_gains_nothing()
    {
        var lockout = new PasswordLockout(_clock);
        for (var i = 1; i <= 5; i++)
        {
            lockout.Fail(LockoutKey.Account("CI00000001", IPAddress.Parse($"2001:db8:1:2::{i:x}")), PasswordPath.SmtpAuth);
        }

        Assert.NotNull(lockout.LockedUntil(LockoutKey.Account("CI00000001", IPAddress.Parse("2001:db8:1:2:ffff::1"))));
        Assert.Null(lockout.LockedUntil(LockoutKey.Account("CI00000001", IPAddress.Parse("2001:db8:1:3::1"))));
    }

    [Fact]
    public void A_lock_ends_after_the_window_and_the_count_starts_again()
    {
        var lockout = new PasswordLockout(_clock, maxFailures: 2, window: TimeSpan.FromMinutes(15));
        var key = LockoutKey.Operator("admin", IPAddress.Loopback);
        lockout.Fail(key, PasswordPath.Dashboard);
        var until = lockout.Fail(key, PasswordPath.Dashboard);
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(until, lockout.Fail(key, PasswordPath.Dashboard));
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(lockout.LockedUntil(key));
        Assert.Null(lockout.Fail(key, PasswordPath.Dashboard));
    }

    [Fact]
    public void Attempts_in_flight_count_so_the_one_past_the_limit_is_refused_before_any_verdict_and_a_success_clears_them()
    {
        var lockout = new PasswordLockout(_clock, maxFailures: 3, window: TimeSpan.FromMinutes(15));
        var key = LockoutKey.Operator("admin", IPAddress.Loopback);
        var inFlight = Enumerable.Range(0, 3).Select(_ => lockout.BeginAttempt(key)).ToList();

        Assert.All(inFlight, a => Assert.Null(a.RefusedUntil));
        Assert.Equal([false, false, true], inFlight.Select(a => a.Locks));
        Assert.Equal(_clock.GetUtcNow().AddMinutes(15), lockout.BeginAttempt(key).RefusedUntil);

        lockout.Succeed(key);
        Assert.Null(lockout.BeginAttempt(key).RefusedUntil);
    }
}

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
            lockout.Fail("api-key", attacker);
        }

        for (var i = 0; i < 10_000; i++)
        {
            lockout.Fail("api-key", new IPAddress(BitConverter.GetBytes(0x0A000000 + i)));
        }

        Assert.Equal(10_001, lockout.Tracked);
        _clock.Advance(TimeSpan.FromSeconds(61));
        lockout.Fail("api-key", IPAddress.Parse("203.0.113.1"));
        Assert.Equal(1, lockout.Tracked);
        Assert.Null(lockout.LockedUntil("api-key", attacker));
    }

    [Fact]
    public void A_locked_pair_is_kept_through_a_sweep_until_its_lock_ends()
    {
        var lockout = new PasswordLockout(_clock, maxFailures: 2, window: TimeSpan.FromMinutes(1));
        for (var i = 0; i < 10_000; i++)
        {
            lockout.Fail("api-key", new IPAddress(BitConverter.GetBytes(0x0A000000 + i)));
        }

        _clock.Advance(TimeSpan.FromSeconds(50));
        var attacker = IPAddress.Parse("198.51.100.7");
        lockout.Fail("api-key", attacker);
        lockout.Fail("api-key", attacker);
        var until = lockout.LockedUntil("api-key", attacker);
        Assert.Equal(_clock.GetUtcNow().AddMinutes(1), until);

        _clock.Advance(TimeSpan.FromSeconds(30));
        lockout.Fail("api-key", IPAddress.Parse("203.0.113.1"));
        Assert.Equal(2, lockout.Tracked);
        Assert.Equal(until, lockout.LockedUntil("api-key", attacker));
    }
}

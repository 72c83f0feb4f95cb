using Mail2Sms.Gateway.Delivery;
using Microsoft.Extensions.Time.Testing;

namespace Mail2Sms.Gateway.Tests.Delivery;

/// <summary>The scheduler's cap of SMS per minute per account.</summary>
public sealed class MinuteCapsTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void An_account_without_a_cap_may_start_any_number()
    {
        var caps = new MinuteCaps(_clock);
        caps.Started("CI00000001");
        Assert.Equal(int.MaxValue, caps.Allowance("CI00000001", 0));
    }

    [Fact]
    public void A_capped_account_may_start_what_is_left_of_its_minute_and_more_as_the_minute_moves_on()
    {
        var caps = new MinuteCaps(_clock);
        Assert.Equal(3, caps.Allowance("CI00000001", 3));
        caps.Started("CI00000001");
        _clock.Advance(TimeSpan.FromSeconds(30));
        caps.Started("CI00000001");
        caps.Started("CI00000001");

        Assert.Equal(0, caps.Allowance("CI00000001", 3));
        Assert.Equal(3, caps.Allowance("CI00000002", 3));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, caps.Allowance("CI00000001", 3));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(3, caps.Allowance("CI00000001", 3));
    }
}

using Mail2Sms.Core.Delivery;

namespace Mail2Sms.Core.Tests.Delivery;

public sealed class SourceAddressesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly string[] Pool = ["61400000001", "61400000002", "61400000003"];

    [Fact]
    public void The_accounts_own_sender_goes_first_trimmed() => Assert.Equal("ACME", SourceAddresses.Fixed(" ACME ", Pool, "Mail2Sms"));

    [Fact]
    public void Without_a_sender_or_pool_the_default_goes() => Assert.Equal("Mail2Sms", SourceAddresses.Fixed("  ", [], "Mail2Sms"));

    [Fact]
    public void Without_a_sender_the_pool_decides() => Assert.Null(SourceAddresses.Fixed(null, Pool, "Mail2Sms"));

    [Fact]
    public void A_pair_keeps_its_number_while_the_pool_holds_it()
    {
        Assert.True(SourceAddresses.Keeps(Pool, "61400000002"));
        Assert.False(SourceAddresses.Keeps(Pool, "61499999999"));
        Assert.False(SourceAddresses.Keeps(Pool, null));
    }

    [Fact]
    public void A_new_pair_never_gets_a_number_another_account_used_for_the_mobile_within_its_window()
    {
        var others = new[]
        {
            new PoolAssignment("61400000001", Now - TimeSpan.FromDays(6), null),
            new PoolAssignment("61400000003", Now - TimeSpan.FromDays(1), TimeSpan.FromDays(2)),
        };
        Assert.Equal("61400000002", SourceAddresses.FromPool(Pool, "CI00000001", "61412345678", others, Now, Week));
    }

    [Fact]
    public void A_number_past_the_other_accounts_own_window_is_free_again()
    {
        var others = new[]
        {
            new PoolAssignment("61400000001", Now - TimeSpan.FromDays(3), TimeSpan.FromDays(2)),
            new PoolAssignment("61400000002", Now, null),
            new PoolAssignment("61400000003", Now, null),
        };
        Assert.Equal("61400000001", SourceAddresses.FromPool(Pool, "CI00000001", "61412345678", others, Now, Week));
    }

    [Fact]
    public void Pairs_spread_over_the_free_numbers()
    {
        var chosen = Enumerable.Range(0, 30).Select(i => SourceAddresses.FromPool(Pool, "CI00000001", $"614123456{i:00}", [], Now, Week)).ToHashSet();
        Assert.Equal(Pool.ToHashSet(), chosen);
    }

    [Fact]
    public void When_none_is_free_the_one_used_least_recently_goes()
    {
        var others = new[]
        {
            new PoolAssignment("61400000001", Now - TimeSpan.FromHours(1), null),
            new PoolAssignment("61400000002", Now - TimeSpan.FromHours(3), null),
            new PoolAssignment("61400000003", Now - TimeSpan.FromHours(2), null),
            new PoolAssignment("61499999999", Now - TimeSpan.FromDays(30), null),
        };
        Assert.Equal("61400000002", SourceAddresses.FromPool(Pool, "CI00000001", "61412345678", others, Now, Week));
    }
}

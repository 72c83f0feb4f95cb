using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

public abstract class LockoutsContractTests(string provider)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task Failures_count_up_and_the_one_that_reaches_the_limit_locks_the_key_for_the_window()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        var lockouts = store.Storage.Lockouts;
        var start = store.Clock.GetUtcNow();

        Assert.Equal(new LockoutCount(1, null, false), await lockouts.CountFailureAsync("k", 3, Window, unlessLocked: true));
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new LockoutCount(2, null, false), await lockouts.CountFailureAsync("k", 3, Window, unlessLocked: true));
        Assert.Equal(new LockoutCount(3, start.AddMinutes(16), false), await lockouts.CountFailureAsync("k", 3, Window, unlessLocked: true));

        Assert.Equal(start.AddMinutes(16), await lockouts.LockedUntilAsync("k"));
        Assert.Null(await lockouts.LockedUntilAsync("other"));
        Assert.Equal(new LockoutCount(0, start.AddMinutes(16), true), await lockouts.CountFailureAsync("k", 3, Window, unlessLocked: true));
        // Counted without a reservation, a failure of a locked key still counts, and the lock stays as it was.
        store.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(new LockoutCount(4, start.AddMinutes(16), false), await lockouts.CountFailureAsync("k", 3, Window, unlessLocked: false));
    }

    [Fact]
    public async Task Once_the_window_and_the_lock_are_over_the_count_starts_again_and_a_clear_forgets_the_key()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        var lockouts = store.Storage.Lockouts;
        await lockouts.CountFailureAsync("k", 2, Window, unlessLocked: true);
        await lockouts.CountFailureAsync("k", 2, Window, unlessLocked: true);

        store.Clock.Advance(Window + TimeSpan.FromSeconds(1));

        Assert.Null(await lockouts.LockedUntilAsync("k"));
        Assert.Equal(new LockoutCount(1, null, false), await lockouts.CountFailureAsync("k", 2, Window, unlessLocked: true));
        await lockouts.ClearAsync("k");
        Assert.Equal(new LockoutCount(1, null, false), await lockouts.CountFailureAsync("k", 2, Window, unlessLocked: true));
        Assert.Equal(new LockoutCount(1, store.Clock.GetUtcNow() + Window, false), await lockouts.CountFailureAsync("single", 1, Window, unlessLocked: true));
    }

    [Fact]
    public async Task A_sweep_removes_the_keys_whose_window_and_lock_are_over_and_keeps_a_lock_that_still_holds()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        var lockouts = store.Storage.Lockouts;
        await lockouts.CountFailureAsync("old-1", 2, TimeSpan.FromMinutes(1), unlessLocked: false);
        await lockouts.CountFailureAsync("old-2", 2, TimeSpan.FromMinutes(1), unlessLocked: false);
        store.Clock.Advance(TimeSpan.FromSeconds(50));
        await lockouts.CountFailureAsync("locked", 2, TimeSpan.FromMinutes(1), unlessLocked: false);
        var until = (await lockouts.CountFailureAsync("locked", 2, TimeSpan.FromMinutes(1), unlessLocked: false)).LockedUntil;
        Assert.Equal(3, await lockouts.TrackedAsync());

        store.Clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(2, await lockouts.SweepAsync());
        Assert.Equal(1, await lockouts.TrackedAsync());
        Assert.Equal(until, await lockouts.LockedUntilAsync("locked"));
        store.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await lockouts.SweepAsync());
        Assert.Equal(0, await lockouts.TrackedAsync());
    }

    [Fact]
    public async Task Two_storages_on_one_database_count_against_one_number_and_share_the_lock()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await using var second = store.OpenSecond();

        // Ten attempts at once, half through each storage (as two nodes): each counts once, and exactly one locks.
        var counts = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            (i % 2 == 0 ? store.Storage : second).Lockouts.CountFailureAsync("k", 10, Window, unlessLocked: true)));

        Assert.Equal(Enumerable.Range(1, 10), counts.Select(c => c.Failures).Order());
        Assert.Single(counts, c => c.LockedUntil is not null);
        var until = store.Clock.GetUtcNow() + Window;
        Assert.Equal(until, await second.Lockouts.LockedUntilAsync("k"));
        Assert.Equal(new LockoutCount(0, until, true), await store.Storage.Lockouts.CountFailureAsync("k", 10, Window, unlessLocked: true));

        await second.Lockouts.ClearAsync("k");
        Assert.Null(await store.Storage.Lockouts.LockedUntilAsync("k"));
    }
}

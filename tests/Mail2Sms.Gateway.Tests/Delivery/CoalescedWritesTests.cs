using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Gateway.Tests.Delivery;

/// <summary>The single writer that records submits and receipts in batches: the first at once, what came meanwhile together next.</summary>
public sealed class CoalescedWritesTests
{
    private readonly List<IReadOnlyList<int>> _written = [];
    private readonly List<TaskCompletionSource> _holds = [];

    // Each write waits until the test lets it finish, so what arrives meanwhile is known.
    private Task HeldWrite(IReadOnlyList<int> items)
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_written)
        {
            _written.Add(items);
            _holds.Add(hold);
        }

        return hold.Task;
    }

    private int Writes
    {
        get
        {
            lock (_written)
            {
                return _written.Count;
            }
        }
    }

    [Fact]
    public async Task The_first_item_is_written_at_once_and_those_arriving_meanwhile_together_next()
    {
        var writes = new CoalescedWrites<int>(HeldWrite);
        var first = writes.WriteAsync(1);
        Assert.Equal([1], _written.Single());

        var later = new[] { writes.WriteAsync(2), writes.WriteAsync(3), writes.WriteAsync(4) };
        Assert.Equal(1, Writes);
        Assert.False(first.IsCompleted);

        _holds[0].SetResult();
        await first;
        await Waits.UntilAsync(() => Writes == 2, "the second write");
        Assert.Equal([2, 3, 4], _written[1]);
        Assert.All(later, t => Assert.False(t.IsCompleted));

        _holds[1].SetResult();
        await Task.WhenAll(later);
        Assert.Equal(2, Writes);
    }

    [Fact]
    public async Task A_failed_write_fails_its_own_items_and_the_next_goes_ahead()
    {
        var writes = new CoalescedWrites<int>(HeldWrite, largest: 2);
        var first = writes.WriteAsync(1);
        var second = writes.WriteAsync(2);
        var third = writes.WriteAsync(3);
        var fourth = writes.WriteAsync(4);

        _holds[0].SetException(new InvalidOperationException("store down"));
        Assert.Equal("store down", (await Assert.ThrowsAsync<InvalidOperationException>(() => first)).Message);
        await Waits.UntilAsync(() => Writes == 2, "the second write");
        Assert.Equal([2, 3], _written[1]);
        _holds[1].SetResult();
        await Task.WhenAll(second, third);

        await Waits.UntilAsync(() => Writes == 3, "the third write");
        Assert.Equal([4], _written[2]);
        Assert.False(fourth.IsCompleted);
        _holds[2].SetResult();
        await fourth;
    }
}

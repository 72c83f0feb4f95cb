using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>
/// What every provider does with the parts of a reply that came in parts: kept until the last one comes, whichever node's
/// bind it came on, then handed on once; given up as far as they got when the rest stop coming, once, whichever node sweeps.
/// </summary>
public abstract class ReplyPartsContractTests(string provider) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private ContractStorage _contract = null!;

    private IReplyStore Replies => _contract.Storage.Replies;

    public async Task InitializeAsync() => _contract = await ContractStorage.OpenAsync(provider);

    public async Task DisposeAsync() => await _contract.DisposeAsync();

    private static ReplyPart Part(int number, int total = 3, int reference = 7, string source = "61412345678", string text = "") =>
        new(source, "Mail2Sms", reference, total, number, text.Length > 0 ? text : $"part {number}. ");

    [Fact]
    public async Task A_reply_is_handed_on_whole_when_its_last_part_comes_in_any_order()
    {
        Assert.Null(await Replies.AddPartAsync(Part(3)));
        Assert.Null(await Replies.AddPartAsync(Part(1)));

        var whole = await Replies.AddPartAsync(Part(2));

        Assert.Equal(new JoinedReply("61412345678", "Mail2Sms", "part 1. part 2. part 3. ", 3, 3), whole);
        Assert.True(whole!.Complete);
        _contract.Clock.Advance(Timeout);
        Assert.Empty(await Replies.TakeUnfinishedAsync(Timeout));
    }

    [Fact]
    public async Task A_part_that_comes_twice_counts_once_and_keeps_its_first_text()
    {
        Assert.Null(await Replies.AddPartAsync(Part(1, total: 2)));
        Assert.Null(await Replies.AddPartAsync(Part(1, total: 2, text: "again")));

        Assert.Equal("part 1. part 2. ", (await Replies.AddPartAsync(Part(2, total: 2)))!.Text);
    }

    [Fact]
    public async Task Parts_of_other_replies_are_kept_apart_by_mobile_reference_and_total()
    {
        Assert.Null(await Replies.AddPartAsync(Part(1, total: 2)));
        Assert.Null(await Replies.AddPartAsync(Part(2, total: 2, reference: 8)));
        Assert.Null(await Replies.AddPartAsync(Part(2, total: 2, source: "61499999999")));
        Assert.Null(await Replies.AddPartAsync(Part(2, total: 3)));

        Assert.Equal(("61412345678", "part 1. part 2. "), (await Replies.AddPartAsync(Part(2, total: 2))) is { } whole ? (whole.Source, whole.Text) : default);
    }

    [Fact]
    public async Task A_reply_whose_parts_stopped_coming_is_handed_on_as_far_as_it_got_after_the_timeout_once()
    {
        await Replies.AddPartAsync(Part(1));
        _contract.Clock.Advance(TimeSpan.FromMinutes(1));
        await Replies.AddPartAsync(Part(3));
        await Replies.AddPartAsync(Part(1, total: 2, reference: 9));

        _contract.Clock.Advance(Timeout - TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(1));
        Assert.Empty(await Replies.TakeUnfinishedAsync(Timeout));
        _contract.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([new JoinedReply("61412345678", "Mail2Sms", "part 1. part 3. ", 2, 3)], await Replies.TakeUnfinishedAsync(Timeout));
        await using var other = _contract.OpenSecond();
        Assert.Empty(await other.Replies.TakeUnfinishedAsync(Timeout));
        // A part that comes after its reply was handed on starts a new one.
        Assert.Null(await Replies.AddPartAsync(Part(2)));
    }

    [Fact]
    public async Task Two_nodes_storing_the_last_two_parts_at_once_hand_the_reply_on_exactly_once()
    {
        await using var other = _contract.OpenSecond();
        for (var reference = 0; reference < 20; reference++)
        {
            Assert.Null(await Replies.AddPartAsync(Part(1, reference: reference)));
            using var start = new Barrier(2);
            var stored = await Task.WhenAll(
                Task.Run(() => { start.SignalAndWait(); return Replies.AddPartAsync(Part(2, reference: reference)); }),
                Task.Run(() => { start.SignalAndWait(); return other.Replies.AddPartAsync(Part(3, reference: reference)); }));

            Assert.Equal("part 1. part 2. part 3. ", Assert.Single(stored, s => s is not null)!.Text);
        }
    }

    [Fact]
    public async Task Two_nodes_sweeping_at_once_hand_each_unfinished_reply_on_exactly_once()
    {
        await using var other = _contract.OpenSecond();
        for (var reference = 0; reference < 20; reference++)
        {
            await Replies.AddPartAsync(Part(1, reference: reference));
        }

        _contract.Clock.Advance(Timeout);
        using var start = new Barrier(2);
        var swept = await Task.WhenAll(
            Task.Run(() => { start.SignalAndWait(); return Replies.TakeUnfinishedAsync(Timeout); }),
            Task.Run(() => { start.SignalAndWait(); return other.Replies.TakeUnfinishedAsync(Timeout); }));

        Assert.Equal(20, swept.Sum(s => s.Count));
    }
}

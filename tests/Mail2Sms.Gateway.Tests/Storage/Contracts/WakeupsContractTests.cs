using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>What every provider's wake-up hints do within one node: a notify wakes this node's listeners of its topic at once.</summary>
public abstract class WakeupsContractTests(string provider) : IAsyncLifetime
{
    private ContractStorage _contract = null!;

    private IWakeups Wakeups => _contract.Storage.Wakeups;

    public async Task InitializeAsync() => _contract = await ContractStorage.OpenAsync(provider);

    public async Task DisposeAsync() => await _contract.DisposeAsync();

    [Fact]
    public async Task A_notify_wakes_this_nodes_listeners_of_its_topic_at_once_and_no_others()
    {
        var (sms, mail) = (0, 0);
        await Wakeups.ListenAsync(WakeupTopics.Sms, () => Interlocked.Increment(ref sms));
        await Wakeups.ListenAsync(WakeupTopics.Mail, () => Interlocked.Increment(ref mail));
        var (smsBefore, mailBefore) = (Volatile.Read(ref sms), Volatile.Read(ref mail));

        Wakeups.Notify(WakeupTopics.Sms);

        Assert.True(Volatile.Read(ref sms) > smsBefore, "the SMS listener woken");
        Assert.Equal(mailBefore, Volatile.Read(ref mail));
    }

    [Fact]
    public async Task A_listener_whose_listening_was_cancelled_is_not_woken()
    {
        var woken = 0;
        using var listening = new CancellationTokenSource();
        await Wakeups.ListenAsync(WakeupTopics.Sms, () => Interlocked.Increment(ref woken), listening.Token);
        await listening.CancelAsync();
        var before = Volatile.Read(ref woken);

        Wakeups.Notify(WakeupTopics.Sms);

        Assert.Equal(before, Volatile.Read(ref woken));
    }
}

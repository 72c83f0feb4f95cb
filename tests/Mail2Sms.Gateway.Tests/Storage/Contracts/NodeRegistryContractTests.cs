using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>What every provider's <see cref="INodeRegistry"/> does: registration, heartbeats, takeover and clean stops, with the claims they release.</summary>
public abstract class NodeRegistryContractTests(string provider) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private ContractStorage _contract = null!;
    private QueueSeeding _seed = null!;

    private INodeRegistry Nodes => _contract.Storage.Nodes;

    public async Task InitializeAsync()
    {
        _contract = await ContractStorage.OpenAsync(provider);
        _seed = new QueueSeeding(_contract);
        await _seed.AddAccountAsync("CI00000001");
    }

    public async Task DisposeAsync() => await _contract.DisposeAsync();

    [Fact]
    public async Task Registered_nodes_run_with_what_they_said_of_themselves()
    {
        var a = await Nodes.RegisterAsync("gw-1", 100, "boot-1", "7000");
        var b = await Nodes.RegisterAsync("gw-2", 200, null, null);

        Assert.NotEqual(a, b);
        var running = await Nodes.RunningAsync();
        Assert.Equal([a, b], running.Select(n => n.Id));
        Assert.Equal(("gw-1", 100, "boot-1", "7000", _contract.Clock.GetUtcNow()), (running[0].HostName, running[0].ProcessId, running[0].ProcessSpace, running[0].ProcessStart, running[0].HeartbeatAt));
        Assert.Equal((2L, 0L), await Nodes.CountAsync(_contract.Clock.GetUtcNow().AddDays(-1)));
    }

    [Fact]
    public async Task A_heartbeat_moves_the_nodes_time_on()
    {
        var node = await Nodes.RegisterAsync("gw-1", 100, null, null);
        _contract.Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.True(await Nodes.HeartbeatAsync(node));
        Assert.Equal(_contract.Clock.GetUtcNow(), Assert.Single(await Nodes.RunningAsync()).HeartbeatAt);
    }

    [Fact]
    public async Task A_node_taken_over_loses_its_claims_and_learns_it_at_its_next_heartbeat()
    {
        var dead = await Nodes.RegisterAsync("gw-1", 100, null, null);
        var alive = await Nodes.RegisterAsync("gw-2", 200, null, null);
        await _seed.QueueAsync("CI00000001", alert: true, ("61412345670", "held"));
        var sms = Assert.Single(await _contract.Storage.Queue.ClaimAsync(10, Lease, node: dead));
        Assert.Empty(await _contract.Storage.Queue.ClaimAsync(10, Lease, node: alive));

        var running = await Nodes.RunningAsync();
        Assert.Equal(1, await Nodes.TakeOverAsync([.. running.Where(n => n.Id == dead)]));

        Assert.Equal(sms.Id, Assert.Single(await _contract.Storage.Queue.ClaimAsync(10, Lease, node: alive)).Id);
        Assert.Equal([alive], (await Nodes.RunningAsync()).Select(n => n.Id));
        Assert.Equal((1L, 1L), await Nodes.CountAsync(_contract.Clock.GetUtcNow().AddDays(-1)));
        Assert.False(await Nodes.HeartbeatAsync(dead));
        Assert.Equal([dead, alive], (await Nodes.RunningAsync()).Select(n => n.Id));
    }

    [Fact]
    public async Task A_node_that_beat_since_it_was_read_is_not_taken_over()
    {
        var node = await Nodes.RegisterAsync("gw-1", 100, null, null);
        var seen = await Nodes.RunningAsync();
        _contract.Clock.Advance(TimeSpan.FromSeconds(5));
        await Nodes.HeartbeatAsync(node);

        Assert.Equal(0, await Nodes.TakeOverAsync(seen));
        Assert.Equal([node], (await Nodes.RunningAsync()).Select(n => n.Id));
        Assert.Equal((1L, 0L), await Nodes.CountAsync(_contract.Clock.GetUtcNow().AddDays(-1)));
    }

    [Fact]
    public async Task A_clean_stop_releases_the_nodes_claims_and_is_not_counted_dead()
    {
        var node = await Nodes.RegisterAsync("gw-1", 100, null, null);
        await _seed.QueueAsync("CI00000001", alert: true, ("61412345670", "held"));
        Assert.Single(await _contract.Storage.Queue.ClaimAsync(10, Lease, node: node));

        Assert.Equal(1, await Nodes.StopAsync(node));

        Assert.Empty(await Nodes.RunningAsync());
        Assert.Equal((0L, 0L), await Nodes.CountAsync(_contract.Clock.GetUtcNow().AddDays(-1)));
        Assert.Single(await _contract.Storage.Queue.ClaimAsync(10, Lease));
        Assert.Equal(0, await Nodes.StopAsync(node));
    }
}

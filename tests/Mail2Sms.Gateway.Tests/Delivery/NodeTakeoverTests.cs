using System.Diagnostics;
using Dapper;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Nodes;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;
using Mail2Sms.Gateway.Tests.Storage;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Gateway.Tests.Delivery;

/// <summary>
/// Nodes and their claims on a real SQLite file and a fake clock: a node whose heartbeat stops loses its claims to a
/// live one after the node timeout, long before their lease ends; a predecessor on the same machine whose process is
/// gone (or whose process ID another process now has) at once.
/// </summary>
public sealed class NodeTakeoverTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _db = new();
    private readonly NodeStore _nodes;
    private readonly DeliveryStore _queue;

    // The processes of one machine the nodes below share: process ID to start.
    private readonly Dictionary<int, string> _processes = new() { [100] = "7000", [200] = "7100" };

    public NodeTakeoverTests()
    {
        _nodes = new NodeStore(_db.Database, _db.Clock);
        _queue = new DeliveryStore(_db.Database, _db.Clock);
        _db.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 100).GetAwaiter().GetResult();
    }

    public void Dispose() => _db.Dispose();

    private MachineProcesses ThisMachine => new("boot-1 pid:[4026531836]", pid => _processes.GetValueOrDefault(pid));

    private static MachineProcesses MachineOf(string space) => new(space, _ => null);

    private Task<GatewayNode> StartNodeAsync(int processId, MachineProcesses? machine = null) =>
        GatewayNode.StartAsync(_nodes, Timeout, _db.Clock, machine: machine ?? ThisMachine, processId: processId);


    private async Task<long> QueueAsync()
    {
        var email = new ReceivedEmail("CI00000001", $"<alert-{Guid.NewGuid():N}@example.com>", "ops@example.com", "ops@example.com", "203.0.113.5",
            EmailFormat.Mobile, "Alert", 100, ["x@sms.localhost"]);
        await _db.Emails.AcceptAsync(email, new Acceptance([new OutboundSms("61412345670", "Bob", SmsText.From("Server 23 is offline."), "0")], [], null));
        await using var connection = await _db.Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT max(id) FROM sms");
    }

    private async Task<(long? ClaimedBy, string? Ended)> ClaimOf(long smsId, long node)
    {
        await using var connection = await _db.Database.OpenAsync();
        return (await connection.ExecuteScalarAsync<long?>("SELECT claimed_by FROM sms WHERE id = @smsId", new { smsId }),
            await connection.ExecuteScalarAsync<string?>("SELECT ended FROM nodes WHERE id = @node", new { node }));
    }

    private static RunningNode Node(DateTimeOffset heartbeatAt, string? space = "boot-1 pid:[4026531836]", int processId = 100, string? start = "7000") =>
        new(1, "gw1", processId, space, start, heartbeatAt);

    [Fact]
    public void A_node_in_another_space_whose_heartbeat_is_older_than_the_timeout_is_dead_and_one_within_it_is_not()
    {
        var elsewhere = MachineOf("boot-2 pid:[4026531836]");
        Assert.False(NodeLiveness.IsDead(Node(Now - Timeout), Now, Timeout, elsewhere));
        Assert.True(NodeLiveness.IsDead(Node(Now - Timeout - TimeSpan.FromMilliseconds(1)), Now, Timeout, elsewhere));
    }

    [Fact]
    public void A_node_on_this_machine_whose_process_runs_is_alive_however_late_its_heartbeat_and_dead_once_it_is_gone()
    {
        // Its heartbeat may wait for the SQLite write turn: the process it names still runs, so nothing is taken over.
        Assert.False(NodeLiveness.IsDead(Node(Now - Timeout - TimeSpan.FromMinutes(5)), Now, Timeout, ThisMachine));
        _processes.Remove(100);
        Assert.True(NodeLiveness.IsDead(Node(Now - Timeout - TimeSpan.FromMinutes(5)), Now, Timeout, ThisMachine));
    }

    [Fact]
    public void A_node_in_another_process_space_or_one_that_does_not_say_is_judged_by_its_heartbeat_alone()
    {
        // Neither process 100 of another boot or container, nor a node with no space, is looked up here.
        var empty = MachineOf("boot-1 pid:[4026531836]");
        Assert.False(NodeLiveness.IsDead(Node(Now, space: "boot-1 pid:[4026532999]"), Now, Timeout, empty));
        Assert.False(NodeLiveness.IsDead(Node(Now, space: "boot-0 pid:[4026531836]"), Now, Timeout, empty));
        Assert.False(NodeLiveness.IsDead(Node(Now, space: null, start: null), Now, Timeout, empty));
        Assert.False(NodeLiveness.IsDead(Node(Now), Now, Timeout, new MachineProcesses(null, _ => null)));
    }

    [Fact]
    public void A_node_on_this_machine_whose_process_is_gone_is_dead_at_once_and_one_whose_process_runs_is_not()
    {
        Assert.False(NodeLiveness.IsDead(Node(Now), Now, Timeout, ThisMachine));
        _processes.Remove(100);
        Assert.True(NodeLiveness.IsDead(Node(Now), Now, Timeout, ThisMachine));
    }

    [Fact]
    public void A_process_id_given_again_to_another_process_is_not_taken_for_the_node_that_had_it()
    {
        _processes[100] = "9100";
        Assert.True(NodeLiveness.IsDead(Node(Now), Now, Timeout, ThisMachine));
        Assert.Equal([2L], NodeLiveness.Dead([Node(Now) with { Id = 2 }, Node(Now, processId: 200, start: "7100") with { Id = 3 }], Now, Timeout, ThisMachine).Select(n => n.Id));
    }

    [Fact]
    public async Task A_node_whose_heartbeat_stops_loses_its_claims_to_a_live_node_after_the_timeout_long_before_the_lease_ends()
    {
        // Two machines: neither can see the other's processes, so only the heartbeat tells.
        var a = await StartNodeAsync(100, MachineOf("boot-a pid:[1]"));
        var b = await StartNodeAsync(200, MachineOf("boot-b pid:[1]"));
        var sms = await QueueAsync();
        Assert.Equal(sms, Assert.Single(await _queue.ClaimAsync(10, Lease, node: a.Id)).Id);

        // Both beat; ten seconds on, a live node keeps its claim.
        _db.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await _nodes.HeartbeatAsync(a.Id));
        Assert.True(await _nodes.HeartbeatAsync(b.Id));
        Assert.Equal(0, await b.TakeOverDeadAsync());
        Assert.Empty(await _queue.ClaimAsync(10, Lease, node: b.Id));
        Assert.Equal((a.Id, null), await ClaimOf(sms, a.Id));

        // A stops beating: 16 seconds after its last beat B takes its claim over, and claims the SMS itself.
        _db.Clock.Advance(TimeSpan.FromSeconds(16));
        Assert.True(await _nodes.HeartbeatAsync(b.Id));
        Assert.Equal(1, await b.TakeOverDeadAsync());
        Assert.Equal(sms, Assert.Single(await _queue.ClaimAsync(10, Lease, node: b.Id)).Id);
        Assert.Equal((b.Id, "dead"), await ClaimOf(sms, a.Id));

        // A beats again late: it learns it was found dead, and its renewal does not take back B's claim.
        Assert.False(await _nodes.HeartbeatAsync(a.Id));
        await _queue.RenewAsync([sms], _db.Clock.GetUtcNow() + Lease, a.Id);
        Assert.Equal((b.Id, null), await ClaimOf(sms, a.Id));
        Assert.Equal(0, await a.TakeOverDeadAsync());
    }

    [Fact]
    public async Task A_restarted_node_takes_over_its_dead_predecessors_claims_at_once()
    {
        var predecessor = await StartNodeAsync(100);
        var sms = await QueueAsync();
        Assert.Single(await _queue.ClaimAsync(10, Lease, node: predecessor.Id));

        // Killed: its process is gone; the next one starts on the same machine with no time passing.
        _processes.Remove(100);
        var restarted = await StartNodeAsync(200);
        Assert.Equal((null, "dead"), await ClaimOf(sms, predecessor.Id));
        Assert.Equal(sms, Assert.Single(await _queue.ClaimAsync(10, Lease, node: restarted.Id)).Id);
    }

    [Fact]
    public async Task A_predecessor_whose_process_id_another_process_now_has_is_taken_over_at_once_and_a_running_one_is_not()
    {
        var running = await StartNodeAsync(200);
        var predecessor = await StartNodeAsync(100);
        var first = await QueueAsync();
        Assert.Single(await _queue.ClaimAsync(10, Lease, node: running.Id));
        var second = await QueueAsync();
        Assert.Single(await _queue.ClaimAsync(10, Lease, node: predecessor.Id));

        _processes[100] = "9100"; // process 100 now is another, later process
        var restarted = await StartNodeAsync(300);
        Assert.Equal((running.Id, null), await ClaimOf(first, running.Id));
        Assert.Equal((null, "dead"), await ClaimOf(second, predecessor.Id));
        Assert.Equal(second, Assert.Single(await _queue.ClaimAsync(10, Lease, node: restarted.Id)).Id);
    }

    [Fact]
    public async Task A_clean_stop_releases_the_nodes_claims_and_marks_it_stopped()
    {
        var node = await StartNodeAsync(100);
        var sms = await QueueAsync();
        Assert.Single(await _queue.ClaimAsync(10, Lease, node: node.Id));
        Assert.Equal(1, await node.StopAsync());
        Assert.Equal((null, "stopped"), await ClaimOf(sms, node.Id));
        Assert.Empty(await _nodes.RunningAsync());
    }

    [Fact]
    public async Task A_node_found_dead_that_ran_on_cannot_clobber_the_new_claim_with_a_retry_but_its_real_submit_is_recorded()
    {
        var a = await StartNodeAsync(100, MachineOf("boot-a pid:[1]"));
        var b = await StartNodeAsync(200, MachineOf("boot-b pid:[1]"));
        var retried = await QueueAsync();
        var submitted = await QueueAsync();
        Assert.Equal(2, (await _queue.ClaimAsync(10, Lease, node: a.Id)).Count);
        _db.Clock.Advance(TimeSpan.FromSeconds(16));
        Assert.True(await _nodes.HeartbeatAsync(b.Id));
        Assert.Equal(2, await b.TakeOverDeadAsync());
        Assert.Equal(2, (await _queue.ClaimAsync(10, Lease, node: b.Id)).Count);

        // A's late retry leaves B's claim alone; the submit the SMSC really took from A is recorded, and B's claim with it ends.
        await _queue.RetryAsync(retried, _db.Clock.GetUtcNow().AddMinutes(1), "No bind to the SMS centre took it in time.", node: a.Id);
        Assert.Equal((b.Id, "dead"), await ClaimOf(retried, a.Id));
        await _queue.SubmittedAsync([(submitted, new SentParts(1, ["A-1"], Smpp.ReceiptIdForm.SameText))]);
        await using var connection = await _db.Database.OpenAsync();
        Assert.Equal(("submitted", (long?)null, "A-1"), await connection.QuerySingleAsync<(string, long?, string)>(
            "SELECT status, claimed_by, smsc_message_ids FROM sms WHERE id = @submitted", new { submitted }));

        // B's submit of the same part, had it gone too, keeps A's record and changes nothing.
        await _queue.SubmittedAsync([(submitted, new SentParts(1, ["B-1"], Smpp.ReceiptIdForm.SameText))]);
        Assert.Equal("A-1", await connection.ExecuteScalarAsync<string>("SELECT group_concat(smsc_message_id) FROM sms_parts WHERE sms_id = @submitted", new { submitted }));
    }

    [Fact]
    public async Task The_heartbeat_is_written_every_third_of_the_timeout()
    {
        var node = await StartNodeAsync(100);
        Assert.Equal(TimeSpan.FromSeconds(5), node.HeartbeatInterval);
        using var stop = new CancellationTokenSource();
        var beating = node.RunAsync(stop.Token);
        var started = _db.Clock.GetUtcNow();
        await Waits.UntilAsync(async () =>
        {
            _db.Clock.Advance(TimeSpan.FromSeconds(5)); // the next beat's wait ends
            return (await _nodes.RunningAsync()).Single().HeartbeatAt > started;
        }, "a heartbeat written");
        await stop.CancelAsync();
        await beating;
    }

    [Fact]
    public async Task A_real_process_has_a_start_while_it_runs_the_same_each_time_and_none_once_killed()
    {
        Assert.NotNull(LocalProcesses.Machine.Space);
        Assert.NotNull(LocalProcesses.StartOf(Environment.ProcessId));
        using var sleeper = Process.Start("sleep", "60");
        var start = LocalProcesses.StartOf(sleeper.Id);
        Assert.NotNull(start);
        Assert.Equal(start, LocalProcesses.StartOf(sleeper.Id));
        Assert.False(NodeLiveness.IsDead(new RunningNode(1, "gw1", sleeper.Id, LocalProcesses.Machine.Space, start, Now), Now, Timeout, LocalProcesses.Machine));

        sleeper.Kill();
        await sleeper.WaitForExitAsync();
        Assert.Null(LocalProcesses.StartOf(sleeper.Id));
        Assert.True(NodeLiveness.IsDead(new RunningNode(1, "gw1", sleeper.Id, LocalProcesses.Machine.Space, start, Now), Now, Timeout, LocalProcesses.Machine));
    }
}

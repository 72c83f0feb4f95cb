using Mail2Sms.Core.Delivery;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Smpp;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>
/// What every provider's <see cref="ISmsQueue"/> does with an SMS whose submit's answer never came: held uncertain (not
/// claimed) through its grace, queued again once by whichever sweep comes after it, or ended as taken by a receipt quoting it.
/// </summary>
public abstract class UncertainSmsContractTests(string provider) : QueueContractTests(provider)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    private DateTimeOffset Now => Contract.Clock.GetUtcNow();

    // A receipt as the SMS centre sends it for a message whose submit_sm_resp never arrived: an ID the gateway never saw.
    private async Task<bool> ReceiptAsync(string id, string state, string mobile, string text, string from = "Mail2Sms") =>
        await Queue.ReceiptsAsync([new SmsReceipt(MessageIds.Key(id), state, new ReceiptQuote(id, mobile, from, text))]) == 1;

    // A receipt for a part whose ID was recorded.
    private async Task<bool> ReceiptAsync(string id, string state) => await Queue.ReceiptsAsync([new SmsReceipt(MessageIds.Key(id), state)]) == 1;

    private async Task<ClaimedSms> UncertainAsync(string number, string text, SentParts? taken = null, string? partText = null, long? node = null)
    {
        await Seed.QueueAsync("CI00000001", alert: true, (number, text));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease, node: node));
        await Queue.UncertainAsync(sms.Id, Now + Grace, "No answer came from the SMS centre.", taken, partText ?? text, node);
        return sms;
    }

    [Fact]
    public async Task An_uncertain_sms_is_not_claimed_during_its_grace_then_goes_back_once_whichever_node_sweeps()
    {
        var node = await Contract.Storage.Nodes.RegisterAsync("gw", 100, null, null);
        var sms = await UncertainAsync("61412345670", "Server 23 is offline.", node: node);

        Assert.Empty(await Queue.ClaimAsync(10, Lease));
        Assert.Equal(0, await Queue.ReleaseUncertainAsync(Now + Grace - TimeSpan.FromSeconds(1)));
        Assert.Equal(0, await Queue.ExpireAsync(Now + TimeSpan.FromDays(2), "expired"));
        Assert.Empty(await Queue.FinishedAsync(10));

        // The node that made it uncertain is gone: two others sweep at once, and it goes back once.
        Contract.Clock.Advance(Grace);
        var swept = await Task.WhenAll(Queue.ReleaseUncertainAsync(Now), Queue.ReleaseUncertainAsync(Now));
        Assert.Equal(1, swept.Sum());
        Assert.Equal(0, await Queue.ReleaseUncertainAsync(Now));

        var again = Assert.Single(await Queue.ClaimAsync(10, Lease));
        Assert.Equal((sms.Id, 1, 0), (again.Id, again.Attempts, again.PartsDone));
    }

    [Fact]
    public async Task The_parts_taken_before_are_recorded_and_not_sent_again()
    {
        var sms = await UncertainAsync("61412345670", new string('x', 200), Parts(1, "A1"), partText: new string('x', 47));
        Contract.Clock.Advance(Grace);
        Assert.Equal(1, await Queue.ReleaseUncertainAsync(Now));

        var again = Assert.Single(await Queue.ClaimAsync(10, Lease));
        Assert.Equal((sms.Id, 2, 1), (again.Id, again.Parts, again.PartsDone));
    }

    [Fact]
    public async Task A_receipt_quoting_the_part_under_way_ends_the_uncertainty_as_submitted_then_delivered()
    {
        var email = await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "Server 23 is offline since 04:10 UTC."));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease));
        await Queue.UncertainAsync(sms.Id, Now + Grace, "No answer came from the SMS centre.", null, "Server 23 is offline since 04:10 UTC.");

        // An ENROUTE receipt says it was taken: the SMS is submitted, never queued again.
        Assert.True(await ReceiptAsync("0000beef", "ENROUTE", "61412345670", "Server 23 is offline"));
        Contract.Clock.Advance(Grace);
        Assert.Equal(0, await Queue.ReleaseUncertainAsync(Now));
        Assert.Empty(await Queue.ClaimAsync(10, Lease));
        Assert.Empty(await Queue.FinishedAsync(10));

        // Its final receipt finds the part by the ID it was recorded with.
        Assert.True(await ReceiptAsync("beef", "DELIVRD"));
        var finished = Assert.Single(await Queue.FinishedAsync(10));
        Assert.Equal(email, finished.EmailId);
        Assert.Equal("61412345670", Assert.Single(finished.Delivered).Number);
        Assert.Equal(99, await Seed.CreditsAsync("CI00000001"));
    }

    [Fact]
    public async Task A_receipt_that_came_before_the_submit_timed_out_ends_the_uncertainty_when_it_begins()
    {
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "Server 23 is offline."));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease));

        // The SMS centre took it and its receipt came while the gateway still waited for the answer.
        Assert.False(await ReceiptAsync("0000cafe", "DELIVRD", "61412345670", "Server 23 is offlin"));
        await Queue.UncertainAsync(sms.Id, Now + Grace, "No bind to the SMS centre took it in time.", null, "Server 23 is offline.");

        Assert.Single(Assert.Single(await Queue.FinishedAsync(10)).Delivered);
        Contract.Clock.Advance(Grace);
        Assert.Equal(0, await Queue.ReleaseUncertainAsync(Now));
    }

    [Fact]
    public async Task A_receipt_for_a_middle_part_records_it_and_queues_the_rest_at_once()
    {
        var text = new string('y', 400); // three parts: 153, 153 and 94
        var sms = await UncertainAsync("61412345670", text, Parts(1, "A1"), partText: new string('y', 153));

        Assert.True(await ReceiptAsync("A2", "ENROUTE", "+61412345670", "yyyyyyyyyyyyyyyyyyyy"));

        var rest = Assert.Single(await Queue.ClaimAsync(10, Lease));
        Assert.Equal((sms.Id, 3, 2, 1), (rest.Id, rest.Parts, rest.PartsDone, rest.Attempts));
    }

    [Fact]
    public async Task A_receipt_that_quotes_another_mobile_source_or_text_matches_nothing()
    {
        await UncertainAsync("61412345670", "Server 23 is offline.");

        Assert.False(await ReceiptAsync("c1", "DELIVRD", "61412345679", "Server 23 is offline"));
        Assert.False(await ReceiptAsync("c2", "DELIVRD", "61412345670", "Server 23 is offline", from: "ACME"));
        Assert.False(await ReceiptAsync("c3", "DELIVRD", "61412345670", "Server 24 is offline"));
        Assert.False(await ReceiptAsync("c4", "DELIVRD", "61412345670", string.Empty));

        Contract.Clock.Advance(Grace);
        Assert.Equal(1, await Queue.ReleaseUncertainAsync(Now));
    }

    [Fact]
    public async Task Two_uncertain_sms_a_receipt_could_be_about_match_neither_and_the_receipt_waits_for_its_part()
    {
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "Disk full on db1, 95%"), ("61412345670", "Disk full on db1, 99%"));
        var both = await Queue.ClaimAsync(10, Lease);
        Assert.Equal(2, both.Count);
        foreach (var sms in both)
        {
            await Queue.UncertainAsync(sms.Id, Now + Grace, "No answer came from the SMS centre.", null, sms.Text);
        }

        Assert.False(await ReceiptAsync("d1", "DELIVRD", "61412345670", "Disk full on db1"));

        Contract.Clock.Advance(Grace);
        Assert.Equal(2, await Queue.ReleaseUncertainAsync(Now));
        var again = await Queue.ClaimAsync(10, Lease);
        Assert.Equal(2, again.Count);

        // The receipt was kept: the submit that records its ID gets it.
        await Queue.SubmittedAsync([(again[0].Id, Parts(1, "d1"))]);
        await Queue.SubmittedAsync([(again[1].Id, Parts(1, "d2"))]);
        Assert.True(await ReceiptAsync("d2", "DELIVRD"));
        Assert.Equal(2, Assert.Single(await Queue.FinishedAsync(10)).Delivered.Count);
    }

    [Fact]
    public async Task A_node_that_lost_its_claim_cannot_make_the_sms_uncertain()
    {
        var (one, two) = (await Contract.Storage.Nodes.RegisterAsync("gw", 100, null, null), await Contract.Storage.Nodes.RegisterAsync("gw", 101, null, null));
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "contended"));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease, node: two));

        await Queue.UncertainAsync(sms.Id, Now + Grace, "late", null, "contended", node: one);
        await Queue.SubmittedAsync([(sms.Id, Parts(1, "e1"))]);

        Contract.Clock.Advance(Grace);
        Assert.Equal(0, await Queue.ReleaseUncertainAsync(Now));
        Assert.True(await ReceiptAsync("e1", "DELIVRD"));
        Assert.Single(Assert.Single(await Queue.FinishedAsync(10)).Delivered);
    }
}

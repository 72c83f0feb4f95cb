using Mail2Sms.Core.Delivery;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Smpp;
using MimeKit;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>What every provider's <see cref="ISmsQueue"/> does: claims with leases in order, submits, retries, receipts, expiry, reports.</summary>
public abstract class SmsQueueContractTests(string provider) : QueueContractTests(provider)
{
    private Task<long> NodeAsync() => Contract.Storage.Nodes.RegisterAsync("gw", 100, null, null);

    private static OutboundMail Report(string to) => new("report", "reports@sms.localhost", to, new MimeMessage { Subject = "report" });

    [Fact]
    public async Task A_claim_holds_an_sms_until_its_lease_ends()
    {
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "Server 23 is offline."));

        var claimed = Assert.Single(await Queue.ClaimAsync(10, Lease));
        Assert.Equal(("CI00000001", "61412345670", "Server 23 is offline.", 1, 0, 0), (claimed.AccountId, claimed.Number, claimed.Text, claimed.Parts, claimed.Attempts, claimed.PartsDone));
        Assert.Equal("Mail2Sms", claimed.Source);
        Assert.False(claimed.OptedOut);
        Assert.Empty(await Queue.ClaimAsync(10, Lease));

        Contract.Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(claimed.Id, Assert.Single(await Queue.ClaimAsync(10, Lease)).Id);
    }

    [Fact]
    public async Task Alerts_come_before_bulk_and_accounts_take_turns_within_their_caps_per_minute()
    {
        await Seed.AddAccountAsync("CI00000002");
        await Seed.AddAccountAsync("CI00000003", smsPerMinute: 1);
        await Seed.QueueAsync("CI00000001", alert: false, [.. Enumerable.Range(0, 5).Select(i => ($"6141234560{i}", $"bulk {i}"))]);
        await Seed.QueueAsync("CI00000002", alert: true, ("61412345670", "alert a"), ("61412345671", "alert b"));
        await Seed.QueueAsync("CI00000003", alert: true, ("61412345672", "capped 1"), ("61412345673", "capped 2"));

        var first = await Queue.ClaimAsync(4, Lease);

        // Both accounts' alerts before any bulk SMS, the capped account's one alone, then bulk with what room is left.
        Assert.Equal(["alert a", "alert b", "bulk 0", "capped 1"], first.Select(s => s.Text).Order(StringComparer.Ordinal));
        Assert.Equal("bulk 0", first[^1].Text);
        Assert.Equal(["bulk 1", "bulk 2"], (await Queue.ClaimAsync(2, Lease)).Select(s => s.Text));

        Contract.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("capped 2", (await Queue.ClaimAsync(1, Lease)).Single().Text);
    }

    [Fact]
    public async Task Two_nodes_on_one_database_keep_an_accounts_cap_per_minute_together()
    {
        await Seed.AddAccountAsync("CI00000002", smsPerMinute: 3);
        await Seed.QueueAsync("CI00000002", alert: true, [.. Enumerable.Range(0, 10).Select(i => ($"6141234560{i}", $"capped {i}"))]);
        await using var other = Contract.OpenSecond();

        // Six claims at once, three from each node: the cap holds over both.
        var first = (await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? Queue : other.Queue).ClaimAsync(10, Lease)))).SelectMany(c => c).ToList();
        Assert.Equal(3, first.Count);
        Assert.Empty(await other.Queue.ClaimAsync(10, Lease));

        // A minute on, three more (none of the first three, still claimed).
        Contract.Clock.Advance(TimeSpan.FromSeconds(61));
        var next = (await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? other.Queue : Queue).ClaimAsync(10, TimeSpan.FromMinutes(5))))).SelectMany(c => c).ToList();
        Assert.Equal(3, next.Count);
        Assert.Equal(6, first.Concat(next).Select(s => s.Id).Distinct().Count());
    }

    [Fact]
    public async Task Two_nodes_claiming_at_once_never_take_the_same_sms()
    {
        await Seed.AddAccountAsync("CI00000002");
        await Seed.QueueAsync("CI00000001", alert: false, [.. Enumerable.Range(0, 20).Select(i => ($"614123456{i:00}", $"bulk {i}"))]);
        await Seed.QueueAsync("CI00000002", alert: true, [.. Enumerable.Range(0, 10).Select(i => ($"614123457{i:00}", $"alert {i}"))]);
        await using var other = Contract.OpenSecond();

        var claimed = (await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? Queue : other.Queue).ClaimAsync(5, Lease)))).SelectMany(c => c).ToList();

        Assert.Equal(claimed.Count, claimed.Select(s => s.Id).Distinct().Count());
        Assert.Equal(30 - claimed.Count, (await Queue.ClaimAsync(50, Lease)).Count);
    }

    [Fact]
    public async Task Submits_and_receipts_of_many_sms_are_recorded_in_one_call_each_receipt_in_its_turn()
    {
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "one"), ("61412345671", "two"), ("61412345672", "three"));
        var sms = await Queue.ClaimAsync(10, Lease);

        await Queue.SubmittedAsync([(sms[0].Id, Parts(1, "B1")), (424242, Parts(1, "B9")), (sms[1].Id, Parts(1, "B2")), (sms[2].Id, Parts(1, "B3"))]);
        var receipts = new SmsReceipt[]
        {
            new(MessageIds.Key("B1"), "ENROUTE"), new(MessageIds.Key("B1"), "DELIVRD"), new(MessageIds.Key("B2"), "UNDELIV"), new(MessageIds.Key("B7"), "DELIVRD"),
        };
        Assert.Equal(3, await Queue.ReceiptsAsync(receipts));
        Assert.Empty(await Queue.FinishedAsync(10));
        Assert.Equal(1, await Queue.ReceiptsAsync([new SmsReceipt(MessageIds.Key("B3"), "DELIVRD")]));

        var finished = Assert.Single(await Queue.FinishedAsync(10));
        Assert.Equal(["61412345670", "61412345672"], finished.Delivered.Select(d => d.Number));
        Assert.Equal("61412345671", Assert.Single(finished.Undelivered).Number);
    }

    [Fact]
    public async Task An_accounts_sender_goes_as_the_source()
    {
        await Seed.AddAccountAsync("CI00000002", sender: "ACME");
        await Seed.QueueAsync("CI00000002", alert: true, ("61412345670", "from ACME"));
        Assert.Equal("ACME", Assert.Single(await Queue.ClaimAsync(10, Lease, new ClaimRules { SourceAddress = "Default" })).Source);
    }

    [Fact]
    public async Task A_pair_keeps_its_pool_number_from_claim_to_claim()
    {
        var rules = new ClaimRules { SourcePool = ["61400000001", "61400000002", "61400000003"] };
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "one"));
        var first = Assert.Single(await Queue.ClaimAsync(10, Lease, rules));
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "two"));

        Assert.Contains(first.Source, rules.SourcePool);
        Assert.Equal(first.Source, Assert.Single(await Queue.ClaimAsync(10, Lease, rules)).Source);
    }

    [Fact]
    public async Task A_delivered_sms_settles_its_email_which_is_reported_once()
    {
        var email = await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "Server 23 is offline."));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease));
        Assert.Empty(await Queue.FinishedAsync(10));

        await Queue.SubmittedAsync([(sms.Id, Parts(1, "00000001"))]);
        Assert.Empty(await Queue.FinishedAsync(10));
        Assert.Equal(1, await Queue.ReceiptsAsync([new SmsReceipt(MessageIds.Key("00000001"), ReceiptState.Delivered.Word())]));

        var finished = Assert.Single(await Queue.FinishedAsync(10));
        Assert.Equal((email, "ops@example.com", "Alert", false), (finished.EmailId, finished.Originator, finished.Subject, finished.Receipts));
        Assert.Equal("61412345670", Assert.Single(finished.Delivered).Number);
        Assert.Empty(finished.Undelivered);
        Assert.Equal(0, await Queue.ReportedAsync([new EmailReport(email, null)]));
        Assert.Empty(await Queue.FinishedAsync(10));
    }

    [Fact]
    public async Task A_report_is_queued_once_however_often_the_email_is_marked()
    {
        var email = await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "Server 23 is offline."));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease));
        await Queue.SubmittedAsync([(sms.Id, Parts(1, "00000001"))]);
        await Queue.ReceiptsAsync([new SmsReceipt(MessageIds.Key("00000001"), "UNDELIV")]);
        var undelivered = Assert.Single(Assert.Single(await Queue.FinishedAsync(10)).Undelivered);
        Assert.Equal(("failed", "The SMS centre reported it UNDELIV: the phone did not get it."), (undelivered.Status, undelivered.Reason));

        Assert.Equal(1, await Queue.ReportedAsync([new EmailReport(email, Report("ops@example.com"))]));
        Assert.Equal(0, await Queue.ReportedAsync([new EmailReport(email, Report("ops@example.com"))]));

        Assert.Equal(["report to ops@example.com"], await Seed.OutboxKindsAsync());
    }

    [Fact]
    public async Task A_receipt_that_comes_before_its_submit_is_recorded_is_applied_then()
    {
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "early"));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease));

        Assert.Equal(0, await Queue.ReceiptsAsync([new SmsReceipt(MessageIds.Key("00000042"), "DELIVRD")]));
        await Queue.SubmittedAsync([(sms.Id, Parts(1, "00000042"))]);

        Assert.Single(Assert.Single(await Queue.FinishedAsync(10)).Delivered);
    }

    [Fact]
    public async Task An_sms_is_delivered_only_once_every_part_is_and_an_enroute_receipt_changes_nothing()
    {
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", new string('x', 200)));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease));
        Assert.Equal(2, sms.Parts);
        await Queue.SubmittedAsync([(sms.Id, Parts(1, "A1", "A2"))]);

        await Queue.ReceiptsAsync([new SmsReceipt(MessageIds.Key("A1"), "DELIVRD")]);
        await Queue.ReceiptsAsync([new SmsReceipt(MessageIds.Key("A2"), "ENROUTE")]);
        Assert.Empty(await Queue.FinishedAsync(10));
        await Queue.ReceiptsAsync([new SmsReceipt(MessageIds.Key("A2"), "DELIVRD")]);
        Assert.Single(Assert.Single(await Queue.FinishedAsync(10)).Delivered);
    }

    [Fact]
    public async Task A_retry_waits_until_due_keeps_the_parts_taken_and_counts_the_attempt()
    {
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", new string('x', 200)));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease, node: null));

        await Queue.RetryAsync(sms.Id, Contract.Clock.GetUtcNow().AddMinutes(1), "No bind to the SMS centre took it in time.", Parts(1, "A1"));
        Assert.Empty(await Queue.ClaimAsync(10, Lease));

        Contract.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = Assert.Single(await Queue.ClaimAsync(10, Lease));
        Assert.Equal((sms.Id, 1, 1), (again.Id, again.Attempts, again.PartsDone));
    }

    [Fact]
    public async Task A_retry_or_renewal_of_a_claim_another_node_holds_leaves_it_alone()
    {
        var (one, two) = (await NodeAsync(), await NodeAsync());
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "contended"));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease, node: two));

        await Queue.RetryAsync(sms.Id, Contract.Clock.GetUtcNow(), "cut short", node: one);
        await Queue.RenewAsync([sms.Id], Contract.Clock.GetUtcNow() + Lease + Lease, node: one);
        Assert.Empty(await Queue.ClaimAsync(10, Lease));

        Contract.Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(0, Assert.Single(await Queue.ClaimAsync(10, Lease)).Attempts);
    }

    [Fact]
    public async Task A_renewal_holds_the_nodes_own_claim_past_its_lease()
    {
        var node = await NodeAsync();
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "slow submit"));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease, node: node));

        await Queue.RenewAsync([sms.Id], Contract.Clock.GetUtcNow() + Lease + Lease, node: node);
        Contract.Clock.Advance(Lease + TimeSpan.FromSeconds(1));

        Assert.Empty(await Queue.ClaimAsync(10, Lease));
    }

    [Fact]
    public async Task An_sms_ended_unsent_gives_its_credits_back_with_its_reason()
    {
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", new string('x', 200)));
        Assert.Equal(98, await Seed.CreditsAsync("CI00000001"));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease));

        await Queue.EndUnsentAsync(sms.Id, SmsStatus.Failed, "The SMS centre refused it: InvalidDestinationAddress (0x0B).");

        Assert.Equal(100, await Seed.CreditsAsync("CI00000001"));
        var undelivered = Assert.Single(Assert.Single(await Queue.FinishedAsync(10)).Undelivered);
        Assert.Equal(("failed", "The SMS centre refused it: InvalidDestinationAddress (0x0B)."), (undelivered.Status, undelivered.Reason));
    }

    [Fact]
    public async Task An_sms_refused_part_way_keeps_the_parts_taken_and_gives_back_the_rest()
    {
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", new string('x', 400)));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease));
        Assert.Equal(3, sms.Parts);
        Assert.Equal(97, await Seed.CreditsAsync("CI00000001"));

        await Queue.EndPartlySentAsync(sms.Id, Parts(1, "A1"), "The SMS centre refused it: MessageQueueFull (0x14).");

        Assert.Equal(99, await Seed.CreditsAsync("CI00000001"));
        Assert.Equal("The SMS centre refused it: MessageQueueFull (0x14).", Assert.Single(Assert.Single(await Queue.FinishedAsync(10)).Undelivered).Reason);
    }

    [Fact]
    public async Task Queued_sms_past_their_validity_expire_unless_claimed_now()
    {
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "late, claimed"), ("61412345671", "late"));
        Contract.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal("late, claimed", Assert.Single(await Queue.ClaimAsync(1, TimeSpan.FromHours(1))).Text);

        Assert.Equal(1, await Queue.ExpireAsync(Contract.Clock.GetUtcNow() - TimeSpan.FromHours(24), "Not submitted within its validity of 24 hours."));
        Assert.Empty(await Queue.FinishedAsync(10));
        Contract.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await Queue.ExpireAsync(Contract.Clock.GetUtcNow() - TimeSpan.FromHours(24), "Not submitted within its validity of 24 hours."));

        var finished = Assert.Single(await Queue.FinishedAsync(10));
        Assert.Equal(2, finished.Undelivered.Count);
        Assert.All(finished.Undelivered, s => Assert.Equal(("expired", "Not submitted within its validity of 24 hours."), (s.Status, s.Reason)));
        Assert.Equal(100, await Seed.CreditsAsync("CI00000001"));
    }

    [Fact]
    public async Task A_submitted_sms_without_a_receipt_in_time_is_marked_unknown()
    {
        await Seed.QueueAsync("CI00000001", alert: true, ("61412345670", "silent"));
        var sms = Assert.Single(await Queue.ClaimAsync(10, Lease));
        await Queue.SubmittedAsync([(sms.Id, Parts(1, "00000001"))]);

        Assert.Equal(0, await Queue.MarkUnknownAsync(Contract.Clock.GetUtcNow() - TimeSpan.FromHours(48)));
        Contract.Clock.Advance(TimeSpan.FromHours(49));
        Assert.Equal(1, await Queue.MarkUnknownAsync(Contract.Clock.GetUtcNow() - TimeSpan.FromHours(48)));

        var undelivered = Assert.Single(Assert.Single(await Queue.FinishedAsync(10)).Undelivered);
        Assert.Equal(("unknown", "No receipt came from the SMS centre."), (undelivered.Status, undelivered.Reason));
    }
}

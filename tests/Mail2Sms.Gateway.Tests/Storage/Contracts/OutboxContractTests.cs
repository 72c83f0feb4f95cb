using Mail2Sms.Gateway.Storage;
using MimeKit;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

public abstract class OutboxContractTests(string provider)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private static OutboundMail Mail(string rcptTo, string kind = "report", string? messageId = null)
    {
        var message = new MimeMessage { Subject = "Report" };
        message.From.Add(new MailboxAddress("Mail2Sms", "postmaster@sms.localhost"));
        message.To.Add(MailboxAddress.Parse(rcptTo));
        message.MessageId = messageId ?? MimeKit.Utils.MimeUtils.GenerateMessageId("sms.localhost");
        message.Body = new TextPart("plain") { Text = "hello" };
        return new OutboundMail(kind, string.Empty, rcptTo, message);
    }

    [Fact]
    public async Task A_queued_mail_comes_back_as_it_went_in()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        var mail = Mail("ops@example.com", kind: "postmaster");

        var id = await store.Storage.Outbox.QueueAsync(mail);

        var queued = Assert.Single(await store.Storage.Outbox.QueuedAsync(10));
        Assert.Equal((id, "postmaster", "", "ops@example.com", 0L), (queued.Id, queued.Kind, queued.MailFrom, queued.RcptTo, queued.Attempts));
        Assert.Equal(mail.ToBytes(), queued.Message);
    }

    [Fact]
    public async Task Due_mail_is_taken_oldest_first_and_only_up_to_the_limit()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        var first = await store.Storage.Outbox.QueueAsync(Mail("a@example.com"));
        var second = await store.Storage.Outbox.QueueAsync(Mail("b@example.com"));
        var third = await store.Storage.Outbox.QueueAsync(Mail("c@example.com"));

        Assert.Equal([first, second], (await store.Storage.Outbox.TakeDueAsync(2, Lease)).Select(m => m.Id));
        Assert.Equal([third], (await store.Storage.Outbox.TakeDueAsync(2, Lease)).Select(m => m.Id));
    }

    [Fact]
    public async Task A_taken_mail_is_not_taken_again_until_its_lease_ends()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        var id = await store.Storage.Outbox.QueueAsync(Mail("ops@example.com"));

        Assert.Equal(id, Assert.Single(await store.Storage.Outbox.TakeDueAsync(10, Lease)).Id);
        Assert.Empty(await store.Storage.Outbox.TakeDueAsync(10, Lease));
        store.Clock.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Empty(await store.Storage.Outbox.TakeDueAsync(10, Lease));
        Assert.Single(await store.Storage.Outbox.QueuedAsync(10)); // still queued while leased

        store.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(id, Assert.Single(await store.Storage.Outbox.TakeDueAsync(10, Lease)).Id);
    }

    [Fact]
    public async Task Two_senders_taking_at_once_never_take_one_mail_twice()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        for (var i = 0; i < 20; i++)
        {
            await store.Storage.Outbox.QueueAsync(Mail($"user{i}@example.com"));
        }

        var takes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.Storage.Outbox.TakeDueAsync(5, Lease))));

        var ids = takes.SelectMany(t => t.Select(m => m.Id)).ToList();
        Assert.Equal(20, ids.Count);
        Assert.Equal(20, ids.Distinct().Count());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Mail_sent_or_failed_for_good_is_never_taken_again(bool refused)
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        var id = await store.Storage.Outbox.QueueAsync(Mail("ops@example.com"));
        await store.Storage.Outbox.TakeDueAsync(10, Lease);

        await (refused ? store.Storage.Outbox.MarkFailedAsync(id, "550 no such user") : store.Storage.Outbox.MarkSentAsync(id));
        store.Clock.Advance(TimeSpan.FromDays(2));

        Assert.Empty(await store.Storage.Outbox.TakeDueAsync(10, Lease));
        Assert.Empty(await store.Storage.Outbox.QueuedAsync(10));
    }

    [Fact]
    public async Task A_mail_put_off_comes_back_at_its_retry_time_with_the_attempt_counted()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        var id = await store.Storage.Outbox.QueueAsync(Mail("ops@example.com"));
        await store.Storage.Outbox.TakeDueAsync(10, Lease);

        await store.Storage.Outbox.PutOffAsync(id, store.Clock.GetUtcNow() + TimeSpan.FromMinutes(1), "451 try later");

        Assert.Empty(await store.Storage.Outbox.TakeDueAsync(10, Lease));
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = Assert.Single(await store.Storage.Outbox.TakeDueAsync(10, Lease));
        Assert.Equal((id, 1L), (again.Id, again.Attempts));
    }

    [Fact]
    public async Task Released_mail_is_due_again_at_once()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Outbox.QueueAsync(Mail("a@example.com"));
        var second = await store.Storage.Outbox.QueueAsync(Mail("b@example.com"));
        Assert.Equal(2, (await store.Storage.Outbox.TakeDueAsync(10, Lease)).Count);

        await store.Storage.Outbox.ReleaseAsync([second]);

        Assert.Equal(second, Assert.Single(await store.Storage.Outbox.TakeDueAsync(10, Lease)).Id); // the other is still leased
    }

    [Fact]
    public async Task Only_the_gateways_own_reply_emails_are_recognised_as_replies()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Outbox.QueueAsync(Mail("ops@example.com", kind: "reply", messageId: "reply-1@sms.localhost"));
        await store.Storage.Outbox.QueueAsync(Mail("ops@example.com", kind: "report", messageId: "report-1@sms.localhost"));

        Assert.True(await store.Storage.Outbox.IsGatewayReplyAsync(["other@example.com", "reply-1@sms.localhost"]));
        Assert.False(await store.Storage.Outbox.IsGatewayReplyAsync(["report-1@sms.localhost"]));
        Assert.False(await store.Storage.Outbox.IsGatewayReplyAsync([]));
    }

    [Fact]
    public async Task Mail_taken_by_a_node_found_dead_is_due_again_at_once_for_another()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        var dead = await store.Storage.Nodes.RegisterAsync("gw-1", 100, null, null);
        var alive = await store.Storage.Nodes.RegisterAsync("gw-2", 200, null, null);
        var id = await store.Storage.Outbox.QueueAsync(Mail("ops@example.com"));
        Assert.Single(await store.Storage.Outbox.TakeDueAsync(10, Lease, dead));
        Assert.Empty(await store.Storage.Outbox.TakeDueAsync(10, Lease, alive));

        var seen = await store.Storage.Nodes.RunningAsync();
        Assert.Equal(1, await store.Storage.Nodes.TakeOverAsync([.. seen.Where(n => n.Id == dead)]));

        Assert.Equal(id, Assert.Single(await store.Storage.Outbox.TakeDueAsync(10, Lease, alive)).Id);
    }

    [Fact]
    public async Task A_clean_stop_gives_back_the_mail_its_node_took_but_not_what_it_finished_or_another_node_took()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        var stopping = await store.Storage.Nodes.RegisterAsync("gw-1", 100, null, null);
        var other = await store.Storage.Nodes.RegisterAsync("gw-2", 200, null, null);
        var sent = await store.Storage.Outbox.QueueAsync(Mail("a@example.com"));
        var held = await store.Storage.Outbox.QueueAsync(Mail("b@example.com"));
        var others = await store.Storage.Outbox.QueueAsync(Mail("c@example.com"));
        Assert.Equal([sent, held], (await store.Storage.Outbox.TakeDueAsync(2, Lease, stopping)).Select(m => m.Id));
        Assert.Equal([others], (await store.Storage.Outbox.TakeDueAsync(2, Lease, other)).Select(m => m.Id));
        await store.Storage.Outbox.MarkSentAsync(sent);

        Assert.Equal(1, await store.Storage.Nodes.StopAsync(stopping));

        Assert.Equal([held], (await store.Storage.Outbox.TakeDueAsync(10, Lease, other)).Select(m => m.Id));
        Assert.Equal([held, others], (await store.Storage.Outbox.QueuedAsync(10)).Select(m => m.Id));
    }

    [Fact]
    public async Task Mail_put_off_by_a_node_keeps_its_retry_time_when_that_node_stops()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        var node = await store.Storage.Nodes.RegisterAsync("gw-1", 100, null, null);
        var id = await store.Storage.Outbox.QueueAsync(Mail("ops@example.com"));
        await store.Storage.Outbox.TakeDueAsync(10, Lease, node);
        await store.Storage.Outbox.PutOffAsync(id, store.Clock.GetUtcNow() + TimeSpan.FromMinutes(1), "451 try later");

        Assert.Equal(0, await store.Storage.Nodes.StopAsync(node));

        Assert.Empty(await store.Storage.Outbox.TakeDueAsync(10, Lease));
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(id, Assert.Single(await store.Storage.Outbox.TakeDueAsync(10, Lease)).Id);
    }
}

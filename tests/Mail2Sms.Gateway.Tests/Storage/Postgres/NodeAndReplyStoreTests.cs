using Dapper;
using Mail2Sms.Core.Replies;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Tests.Storage.Contracts;
using MimeKit;
using Npgsql;

namespace Mail2Sms.Gateway.Tests.Storage.Postgres;

/// <summary>
/// The PostgreSQL node registry and reply store over SMS rows seeded with SQL: the contract tests that would seed them
/// through the account directory, the email committer and the SMS queue run once those PostgreSQL stores are merged.
/// </summary>
public sealed class NodeAndReplyStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(7);
    private ContractStorage _contract = null!;
    private NpgsqlConnection _sql = null!;

    private IStorage Storage => _contract.Storage;

    private DateTimeOffset Now => _contract.Clock.GetUtcNow();

    public async Task InitializeAsync()
    {
        _contract = await ContractStorage.OpenAsync("postgres");
        _sql = await ((Gateway.Storage.Postgres.PostgresStorage)Storage).Database.OpenAsync();
        await _sql.ExecuteAsync("INSERT INTO accounts (id, country, created_at) VALUES ('CI00000001', 'AU', @now), ('CI00000002', 'AU', @now)", new { now = Now });
    }

    public async Task DisposeAsync()
    {
        await _sql.DisposeAsync();
        await _contract.DisposeAsync();
    }

    // An SMS of an email from originator (null: through the REST API) to number, submitted now from source unless not submitted, claimed by node when given.
    private Task<long> SmsAsync(string number, string account = "CI00000001", string? originator = "ops@example.com", bool submitted = true, long? claimedBy = null, string source = "Mail2Sms") =>
        _sql.ExecuteScalarAsync<long>(
            """
            WITH email AS (
                INSERT INTO emails (account_id, message_id, originator, mail_from, format, subject, size_bytes, credits, received_at)
                VALUES (@account, '<alert-1@example.com>', @originator, 'ops@example.com', 1, 'Server 23', 100, 1, @now) RETURNING id)
            INSERT INTO sms (email_id, account_id, number, name, text, encoding, parts, priority, status, due_at, created_at, submitted_at, source_address, claimed_by, claimed_until)
            SELECT id, @account, @number, 'Bob', 'Server 23 is offline.', 'gsm7', 1, 0, @status, @now, @now, @submittedAt, @source, @claimedBy, @claimedUntil FROM email
            RETURNING id
            """,
            new
            {
                account,
                originator,
                number,
                now = Now,
                status = submitted ? "delivered" : "queued",
                submittedAt = submitted ? Now : (DateTimeOffset?)null,
                source,
                claimedBy,
                claimedUntil = claimedBy is null ? (DateTimeOffset?)null : Now.AddMinutes(5),
            });

    private Task<long> ClaimedAsync() => _sql.ExecuteScalarAsync<long>("SELECT count(*) FROM sms WHERE claimed_by IS NOT NULL");

    private static OutboundMail Compose(string mobile, string text, AnsweredSms answered)
    {
        var message = new MimeMessage { Subject = $"Re: {answered.Subject}", MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("sms.localhost") };
        message.From.Add(new MailboxAddress(mobile, $"{mobile}@sms.localhost"));
        message.To.Add(MailboxAddress.Parse(answered.Originator));
        message.Body = new TextPart("plain") { Text = text };
        return new OutboundMail("reply", string.Empty, answered.Originator, message);
    }

    [Fact]
    public async Task A_node_taken_over_gives_back_its_sms_claims_and_mail_but_not_another_nodes()
    {
        var dead = await Storage.Nodes.RegisterAsync("gw-1", 100, null, null);
        var alive = await Storage.Nodes.RegisterAsync("gw-2", 200, null, null);
        await SmsAsync("61412345670", submitted: false, claimedBy: dead);
        await SmsAsync("61412345671", submitted: false, claimedBy: dead);
        await SmsAsync("61412345672", submitted: false, claimedBy: alive);
        await Storage.Outbox.QueueAsync(Compose("61412345670", "hello", new AnsweredSms("ops@example.com", null, "Alert", null, "x", Now)));
        Assert.Single(await Storage.Outbox.TakeDueAsync(10, TimeSpan.FromMinutes(2), dead));

        var seen = await Storage.Nodes.RunningAsync();
        Assert.Equal(3, await Storage.Nodes.TakeOverAsync([.. seen.Where(n => n.Id == dead)]));

        Assert.Equal(1, await ClaimedAsync());
        Assert.Equal((1L, 1L), await Storage.Nodes.CountAsync(Now.AddDays(-1)));
        _contract.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.False(await Storage.Nodes.HeartbeatAsync(dead));
        Assert.True(await Storage.Nodes.HeartbeatAsync(alive));
        Assert.Equal(0, await Storage.Nodes.TakeOverAsync(seen)); // both beat since they were read
    }

    [Fact]
    public async Task A_clean_stop_gives_back_the_nodes_claims_once_and_is_not_counted_dead()
    {
        var node = await Storage.Nodes.RegisterAsync("gw-1", 100, "boot-1", "7000");
        await SmsAsync("61412345670", submitted: false, claimedBy: node);

        Assert.Equal(1, await Storage.Nodes.StopAsync(node));

        Assert.Equal(0, await ClaimedAsync());
        Assert.Empty(await Storage.Nodes.RunningAsync());
        Assert.Equal((0L, 0L), await Storage.Nodes.CountAsync(Now.AddDays(-1)));
        Assert.Equal(0, await Storage.Nodes.StopAsync(node));
    }

    [Fact]
    public async Task A_reply_to_a_submitted_sms_is_emailed_to_its_originator_and_STOP_then_START_change_the_opt_outs()
    {
        var sms = await SmsAsync("61412345678");
        _contract.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(ReplyOutcome.Emailed, await Storage.Replies.ReceiveAsync("+61412345678", "Mail2Sms", "ACK, on my way", Window, Compose));
        Assert.Equal(ReplyOutcome.Emailed, await Storage.Replies.ReceiveAsync("61412345678", "Mail2Sms", "STOP", Window, Compose));
        Assert.True(await Storage.Replies.IsOptedOutAsync("CI00000001", "+61412345678"));
        Assert.False(await Storage.Replies.IsOptedOutAsync("CI00000002", "61412345678"));
        Assert.Equal(ReplyOutcome.Emailed, await Storage.Replies.ReceiveAsync("61412345678", "Mail2Sms", "start", Window, Compose));
        Assert.False(await Storage.Replies.IsOptedOutAsync("CI00000001", "61412345678"));

        Assert.Equal(["ACK, on my way", "STOP", "start"], (await Storage.Outbox.QueuedAsync(10)).Select(m => MimeMessage.Load(new MemoryStream(m.Message)).TextBody?.TrimEnd()));
        var listed = await Storage.Replies.ListAsync("emailed", 10, accountId: "CI00000001");
        Assert.Equal([(sms, "CI00000001", "61412345678")], listed.Select(r => (r.SmsId!.Value, r.AccountId!, r.Mobile)).Distinct());
        Assert.Equal(Now, listed[0].ReceivedAt);
    }

    [Fact]
    public async Task A_reply_past_the_window_is_unmatched_and_assigned_by_hand_once()
    {
        var sms = await SmsAsync("61412345678");
        var candidate = Assert.Single((await Storage.Replies.CandidatesAsync(["61412345678"], 3))["61412345678"]);
        Assert.Equal((sms, "CI00000001", Now), (candidate.SmsId, candidate.AccountId, candidate.SentAt));
        _contract.Clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(ReplyOutcome.Unmatched, await Storage.Replies.ReceiveAsync("61412345678", "Mail2Sms", "late", Window, Compose));
        var reply = Assert.Single(await Storage.Replies.ListAsync("unmatched", 10)).Id;

        var assigned = await Storage.Replies.AssignAsync(reply, sms, "ops", Compose);

        Assert.Equal(new ReplyAssignment(reply, sms, "CI00000001", ReplyOutcome.Emailed, "ops@example.com"), assigned);
        var listed = Assert.Single(await Storage.Replies.ListAsync(null, 10));
        Assert.Equal(("emailed", "ops", (DateTimeOffset?)Now), (listed.Status, listed.AssignedBy, listed.AssignedAt));
        Assert.Equal($"Reply {reply} was assigned to SMS {sms} by ops already.",
            (await Assert.ThrowsAsync<StoreException>(() => Storage.Replies.AssignAsync(reply, sms, "ops", Compose))).Message);
        Assert.Single(await Storage.Outbox.QueuedAsync(10));
    }

    [Fact]
    public async Task A_reply_to_an_sms_sent_through_the_api_is_kept_and_two_accounts_texting_the_mobile_make_it_ambiguous()
    {
        await SmsAsync("61412345678", originator: null);
        Assert.Equal(ReplyOutcome.Kept, await Storage.Replies.ReceiveAsync("61412345678", "Mail2Sms", "who?", Window, Compose));

        await SmsAsync("61412345679", account: "CI00000001");
        _contract.Clock.Advance(TimeSpan.FromMinutes(1));
        await SmsAsync("61412345679", account: "CI00000002", originator: "other@example.com");
        Assert.Equal(ReplyOutcome.Ambiguous, await Storage.Replies.ReceiveAsync("61412345679", "Mail2Sms", "yes", Window, Compose));

        Assert.Equal(["other@example.com"], (await Storage.Outbox.QueuedAsync(10)).Select(m => m.RcptTo));
    }
}

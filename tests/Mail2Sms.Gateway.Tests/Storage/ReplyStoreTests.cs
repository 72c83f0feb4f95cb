using Dapper;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Replies;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;
using Mail2Sms.Smpp;

namespace Mail2Sms.Gateway.Tests.Storage;

/// <summary>An operator assigns a reply that matched no SMS (or matched ambiguously) to the SMS it answers, over a real SQLite file.</summary>
public sealed class ReplyStoreTests : IDisposable
{
    private const string Mobile = "61412345678";
    private readonly TempDatabase _db = new();
    private readonly ReplyForwarder _replies;
    private int _emails;

    public ReplyStoreTests()
    {
        _db.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 100).GetAwaiter().GetResult();
        _replies = new ReplyForwarder(new ReplyStore(_db.Database, _db.Clock), new ReplyComposer("sms.localhost"), TimeSpan.FromDays(7));
    }

    public void Dispose() => _db.Dispose();

    // An email (<alert-1@example.com>, then -2 ...) from ops@example.com with one SMS to the number, submitted now; returns the SMS's ID.
    private async Task<long> SentAsync(string number, string? originator = "ops@example.com")
    {
        var email = new ReceivedEmail("CI00000001", $"<alert-{++_emails}@example.com>", originator, "ops@example.com", "203.0.113.5", EmailFormat.Mobile, "Server 23", 100, [$"{number}@sms.localhost"]);
        await _db.Emails.AcceptAsync(email, new Acceptance([new OutboundSms(number, "Bob", SmsText.From("Server 23 is offline."), number)], [], null));
        var delivery = new DeliveryStore(_db.Database, _db.Clock);
        var sms = Assert.Single(await delivery.ClaimAsync(10, TimeSpan.FromMinutes(1)));
        await delivery.SubmittedAsync([(sms.Id, new SentParts(1, ["00000001"], ReceiptIdForm.SameText))]);
        return sms.Id;
    }

    // A reply that comes after the reply window has closed on every SMS sent: kept as unmatched.
    private async Task<long> UnmatchedAsync(string text)
    {
        _db.Clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(ReplyOutcome.Unmatched, await _replies.ReceiveAsync(Mobile, "Mail2Sms", text));
        return (await _db.Replies.ListAsync("unmatched", 1))[0].Id;
    }

    [Fact]
    public async Task An_unmatched_reply_assigned_to_an_sms_is_emailed_to_its_originator_threaded_under_the_original()
    {
        var sms = await SentAsync(Mobile);
        var reply = await UnmatchedAsync("ACK, on my way");

        var assigned = await _replies.AssignAsync(reply, sms, "ops");

        Assert.Equal(new ReplyAssignment(reply, sms, "CI00000001", ReplyOutcome.Emailed, "ops@example.com"), assigned);
        var mail = Assert.Single(await _db.Outbox.QueuedAsync(10));
        Assert.Equal(("reply", "ops@example.com"), (mail.Kind, mail.RcptTo));
        var message = MimeKit.MimeMessage.Load(new MemoryStream(mail.Message));
        Assert.Equal(("ops@example.com", "Re: Server 23", "alert-1@example.com"), (message.To.Mailboxes.Single().Address, message.Subject, message.InReplyTo));
        Assert.StartsWith("ACK, on my way\n\nOn ", message.TextBody, StringComparison.Ordinal);
        var listed = Assert.Single(await _db.Replies.ListAsync(null, 10));
        Assert.Equal(("emailed", sms, "ops", _db.Clock.GetUtcNow()), (listed.Status, listed.SmsId, listed.AssignedBy, listed.AssignedAt));
    }

    [Fact]
    public async Task A_reply_assigned_to_an_sms_sent_through_the_api_is_kept_for_the_account()
    {
        var sms = await SentAsync(Mobile, originator: null);
        var reply = await UnmatchedAsync("thanks");

        Assert.Equal(ReplyOutcome.Kept, (await _replies.AssignAsync(reply, sms, "ops")).Outcome);
        Assert.Empty(await _db.Outbox.QueuedAsync(10));
        Assert.Equal("kept", (await _db.Replies.ListAsync(null, 10))[0].Status);
    }

    [Fact]
    public async Task An_emailed_reply_is_not_assigned_again()
    {
        var sms = await SentAsync(Mobile);
        Assert.Equal(ReplyOutcome.Emailed, await _replies.ReceiveAsync(Mobile, "Mail2Sms", "On it"));
        var reply = (await _db.Replies.ListAsync(null, 1))[0].Id;

        var refused = await Assert.ThrowsAsync<StoreException>(() => _replies.AssignAsync(reply, sms, "ops"));

        Assert.Equal($"Reply {reply} is emailed: only an unmatched or ambiguous reply can be assigned.", refused.Message);
        Assert.Single(await _db.Outbox.QueuedAsync(10));
    }

    [Fact]
    public async Task A_reply_is_not_assigned_twice()
    {
        var sms = await SentAsync(Mobile);
        var reply = await UnmatchedAsync("ACK");
        await _replies.AssignAsync(reply, sms, "ops");

        var refused = await Assert.ThrowsAsync<StoreException>(() => _replies.AssignAsync(reply, sms, "eve"));

        Assert.Equal($"Reply {reply} was assigned to SMS {sms} by ops already.", refused.Message);
        Assert.Single(await _db.Outbox.QueuedAsync(10));
    }

    [Fact]
    public async Task A_reply_is_not_assigned_to_an_sms_sent_to_another_number()
    {
        var other = await SentAsync("61499999999");
        var reply = await UnmatchedAsync("ACK");

        var refused = await Assert.ThrowsAsync<StoreException>(() => _replies.AssignAsync(reply, other, "ops"));

        Assert.Equal($"SMS {other} went to 61499999999, not to 61412345678.", refused.Message);
        Assert.Equal("unmatched", (await _db.Replies.ListAsync(null, 10))[0].Status);
        Assert.Empty(await _db.Outbox.QueuedAsync(10));
    }

    [Fact]
    public async Task Stop_then_start_puts_the_mobile_on_the_accounts_opt_out_list_and_takes_it_off()
    {
        await SentAsync(Mobile);

        Assert.Equal(ReplyOutcome.Emailed, await _replies.ReceiveAsync("+" + Mobile, "Mail2Sms", " unsubscribe "));
        Assert.True(await _db.Replies.IsOptedOutAsync("CI00000001", Mobile));
        Assert.False(await _db.Replies.IsOptedOutAsync("CI00000002", Mobile));

        await _replies.ReceiveAsync(Mobile, "Mail2Sms", "please stop now");
        Assert.True(await _db.Replies.IsOptedOutAsync("CI00000001", Mobile));

        await _replies.ReceiveAsync(Mobile, "Mail2Sms", "Start");
        Assert.False(await _db.Replies.IsOptedOutAsync("CI00000001", Mobile));
        Assert.Equal(3, (await _db.Outbox.QueuedAsync(10)).Count); // each reply is emailed all the same
    }

    [Fact]
    public async Task Stop_assigned_to_an_sms_puts_the_mobile_on_that_accounts_opt_out_list()
    {
        var sms = await SentAsync(Mobile);
        var reply = await UnmatchedAsync("Stop");

        await _replies.AssignAsync(reply, sms, "ops");

        await using var connection = await _db.Database.OpenAsync();
        Assert.Equal(("CI00000001", Mobile), await connection.QuerySingleAsync<(string, string)>("SELECT account_id, number FROM opt_outs"));
    }

    [Fact]
    public async Task The_candidates_for_replies_are_the_latest_sms_sent_to_each_mobile()
    {
        await SentAsync(Mobile); // the oldest of three: past the limit of 2
        _db.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await SentAsync(Mobile);
        _db.Clock.Advance(TimeSpan.FromMinutes(1));
        var third = await SentAsync(Mobile);
        var other = await SentAsync("61499999999");
        await SentAsync("61477777777");

        var candidates = await _db.Replies.CandidatesAsync([Mobile, "61499999999", "61400000000"], 2);

        Assert.Equal([third, second], candidates[Mobile].Select(c => c.SmsId));
        Assert.Equal([other], candidates["61499999999"].Select(c => c.SmsId));
        Assert.Empty(candidates["61400000000"]);
        Assert.Equal(2, candidates.Count);
        Assert.Equal(("CI00000001", "Server 23 is offline."), (candidates[Mobile].First().AccountId, candidates[Mobile].First().Text));
    }
}

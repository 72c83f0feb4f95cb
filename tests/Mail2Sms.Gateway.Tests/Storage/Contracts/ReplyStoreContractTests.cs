using Mail2Sms.Core.Replies;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>
/// What the reply store does on its own. Matching to sent SMS (window, ambiguity, STOP then START) needs SMS
/// submitted through the SMS queue's contract; until that contract exists those cases run against SQLite in
/// ReplyStoreTests and DeliveryTests, and the rules themselves in Core's ReplyMatchingTests.
/// </summary>
public abstract class ReplyStoreContractTests(string provider)
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(7);

    private static OutboundMail NeverComposed(string mobile, string text, AnsweredSms answered) =>
        throw new InvalidOperationException($"A reply from {mobile} that answers no SMS has no email.");

    [Fact]
    public async Task A_reply_that_answers_no_SMS_is_kept_unmatched_without_an_email()
    {
        await using var store = await ContractStorage.OpenAsync(provider);

        Assert.Equal(ReplyOutcome.Unmatched, await store.Storage.Replies.ReceiveAsync("+61412345678", "Mail2Sms", "Who is this?", Window, NeverComposed));

        var reply = Assert.Single(await store.Storage.Replies.ListAsync(null, 10));
        Assert.Equal((store.Clock.GetUtcNow(), "61412345678", "Mail2Sms", "unmatched", "Who is this?", (long?)null, (string?)null, (string?)null),
            (reply.ReceivedAt, reply.Mobile, reply.ToAddress, reply.Status, reply.Text, reply.SmsId, reply.AccountId, reply.AssignedBy));
        Assert.Empty(await store.Storage.Outbox.QueuedAsync(10));
    }

    [Fact]
    public async Task Replies_are_listed_newest_first_by_status_and_up_to_the_limit()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        foreach (var text in new[] { "one", "two", "three" })
        {
            await store.Storage.Replies.ReceiveAsync("61412345678", "Mail2Sms", text, Window, NeverComposed);
        }

        Assert.Equal(["three", "two"], (await store.Storage.Replies.ListAsync(null, 2)).Select(r => r.Text));
        Assert.Equal(3, (await store.Storage.Replies.ListAsync("UNMATCHED", 10)).Count);
        Assert.Empty(await store.Storage.Replies.ListAsync("emailed", 10));
        Assert.Empty(await store.Storage.Replies.ListAsync(null, 10, accountId: "CI00000001"));
    }

    [Fact]
    public async Task Assigning_a_reply_that_is_not_there_or_to_an_SMS_that_is_not_there_is_refused()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Replies.ReceiveAsync("61412345678", "Mail2Sms", "Hello?", Window, NeverComposed);
        var reply = Assert.Single(await store.Storage.Replies.ListAsync(null, 1)).Id;

        Assert.Equal("There is no reply 999.", (await Assert.ThrowsAsync<StoreException>(() => store.Storage.Replies.AssignAsync(999, 1, "ops", NeverComposed))).Message);
        Assert.Equal("There is no SMS 42.", (await Assert.ThrowsAsync<StoreException>(() => store.Storage.Replies.AssignAsync(reply, 42, "ops", NeverComposed))).Message);
        Assert.Equal("unmatched", Assert.Single(await store.Storage.Replies.ListAsync(null, 10)).Status);
    }

    [Fact]
    public async Task A_mobile_that_never_replied_STOP_is_not_opted_out_and_has_no_candidates()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 10);
        await store.Storage.Replies.ReceiveAsync("61412345678", "Mail2Sms", "STOP", Window, NeverComposed);

        Assert.False(await store.Storage.Replies.IsOptedOutAsync("CI00000001", "61412345678"));
        Assert.Empty(await store.Storage.Replies.CandidatesAsync(["61412345678"], 3));
    }
}

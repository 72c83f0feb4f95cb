using Mail2Sms.Core.Replies;

namespace Mail2Sms.Core.Tests.Replies;

public sealed class ReplyMatchingTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private static SentSms Sent(long id, string account, string? source, double daysAgo, int? windowDays = null) =>
        new(id, account, source, Now - TimeSpan.FromDays(daysAgo), windowDays);

    [Fact]
    public void A_reply_answers_the_latest_SMS_sent_from_the_address_it_replied_to()
    {
        var match = ReplyMatching.Match([Sent(1, "A", "+61400000001", 2), Sent(2, "A", "61400000002", 1), Sent(3, "A", "61400000001", 3)], "61400000001", Now, Week);

        Assert.Equal(1, match.Answered?.SmsId);
        Assert.False(match.Ambiguous);
        Assert.Equal(ReplyOutcome.Emailed, match.Outcome(answeredHasMailbox: true));
    }

    [Fact]
    public void When_nothing_was_sent_from_that_address_the_latest_to_the_mobile_wins()
    {
        Assert.Equal(2, ReplyMatching.Match([Sent(1, "A", "Acme", 2), Sent(2, "A", "Acme", 1)], "61400000009", Now, Week).Answered?.SmsId);
    }

    [Fact]
    public void SMS_outside_the_window_are_not_answered_and_an_account_window_overrides_the_gateway()
    {
        Assert.Equal(ReplyOutcome.Unmatched, ReplyMatching.Match([Sent(1, "A", "S", 8)], "S", Now, Week).Outcome(true));
        Assert.Equal(1, ReplyMatching.Match([Sent(1, "A", "S", 8, windowDays: 10)], "S", Now, Week).Answered?.SmsId);
        Assert.Null(ReplyMatching.Match([Sent(1, "A", "S", 4, windowDays: 3)], "S", Now, Week).Answered);
    }

    [Fact]
    public void Two_accounts_texting_the_mobile_from_that_address_make_the_reply_ambiguous_for_the_latest()
    {
        var match = ReplyMatching.Match([Sent(1, "A", "S", 2), Sent(2, "B", "S", 1)], "S", Now, Week);

        Assert.Equal("B", match.Answered?.AccountId);
        Assert.Equal(ReplyOutcome.Ambiguous, match.Outcome(answeredHasMailbox: true));
        Assert.Equal(ReplyOutcome.Kept, match.Outcome(answeredHasMailbox: false));
    }

    [Fact]
    public void Another_accounts_SMS_from_another_address_does_not_make_it_ambiguous()
    {
        Assert.False(ReplyMatching.Match([Sent(1, "A", "S", 2), Sent(2, "B", "T", 1)], "S", Now, Week).Ambiguous);
    }

    [Fact]
    public void A_store_looks_back_as_far_as_the_widest_window()
    {
        Assert.Equal(TimeSpan.FromDays(30), ReplyMatching.LookBack(30, Week));
        Assert.Equal(Week, ReplyMatching.LookBack(3, Week));
        Assert.Equal(Week, ReplyMatching.LookBack(null, Week));
        Assert.Equal(TimeSpan.FromDays(3), ReplyMatching.WindowOf(3, Week));
        Assert.Equal(Week, ReplyMatching.WindowOf(null, Week));
    }

    [Theory]
    [InlineData("STOP", OptOutChange.OptOut)]
    [InlineData(" stop\n", OptOutChange.OptOut)]
    [InlineData("Unsubscribe", OptOutChange.OptOut)]
    [InlineData("start", OptOutChange.OptIn)]
    [InlineData("please stop", OptOutChange.None)]
    [InlineData("STOPP", OptOutChange.None)]
    public void Only_STOP_UNSUBSCRIBE_or_START_alone_change_the_opt_out_list(string text, OptOutChange change)
    {
        Assert.Equal(change, OptOutWords.Of(text));
    }
}

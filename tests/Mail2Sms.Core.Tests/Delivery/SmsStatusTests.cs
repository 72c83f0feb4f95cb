using Mail2Sms.Core.Delivery;

namespace Mail2Sms.Core.Tests.Delivery;

public sealed class SmsStatusTests
{
    [Theory]
    [InlineData(SmsStatus.Queued, "queued", false)]
    [InlineData(SmsStatus.Uncertain, "uncertain", false)]
    [InlineData(SmsStatus.Submitted, "submitted", false)]
    [InlineData(SmsStatus.Delivered, "delivered", true)]
    [InlineData(SmsStatus.Failed, "failed", true)]
    [InlineData(SmsStatus.Expired, "expired", true)]
    [InlineData(SmsStatus.Unknown, "unknown", true)]
    public void Each_status_has_its_word_and_finality(SmsStatus status, string word, bool final)
    {
        Assert.Equal(word, status.Word());
        Assert.Equal(final, status.IsFinal());
        Assert.Equal(status, SmsStatuses.Parse(word.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sent")]
    [InlineData(null)]
    public void A_word_that_names_no_status_parses_to_null(string? word) => Assert.Null(SmsStatuses.Parse(word));

    [Fact]
    public void Every_status_is_in_the_table() => Assert.Equal(Enum.GetValues<SmsStatus>(), SmsStatuses.All);
}

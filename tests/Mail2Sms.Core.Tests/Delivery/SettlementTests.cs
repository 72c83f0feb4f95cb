using Mail2Sms.Core.Delivery;

namespace Mail2Sms.Core.Tests.Delivery;

public sealed class SettlementTests
{
    private static PartOutcome Part(SmsStatus status, string? word = null) => new(status, word);

    [Fact]
    public void An_sms_is_delivered_once_every_part_is() =>
        Assert.Equal(new Settlement(SmsStatus.Delivered, null), Settlement.Of([Part(SmsStatus.Delivered, "DELIVRD"), Part(SmsStatus.Delivered, "DELIVRD")]));

    [Fact]
    public void An_sms_waits_while_a_part_has_no_final_receipt() =>
        Assert.Null(Settlement.Of([Part(SmsStatus.Delivered, "DELIVRD"), Part(SmsStatus.Submitted, "ENROUTE"), Part(SmsStatus.Submitted)]));

    [Theory]
    [InlineData(SmsStatus.Failed, "UNDELIV")]
    [InlineData(SmsStatus.Expired, "EXPIRED")]
    [InlineData(SmsStatus.Unknown, "UNKNOWN")]
    public void One_part_that_did_not_arrive_settles_the_sms_as_that_part_with_the_receipt_word(SmsStatus status, string word) =>
        Assert.Equal(
            new Settlement(status, $"The SMS centre reported it {word}: the phone did not get it."),
            Settlement.Of([Part(SmsStatus.Delivered, "DELIVRD"), Part(SmsStatus.Submitted), Part(status, word)]));

    [Fact]
    public void The_first_part_that_did_not_arrive_gives_the_reason() =>
        Assert.Equal(
            new Settlement(SmsStatus.Expired, "The SMS centre reported it EXPIRED: the phone did not get it."),
            Settlement.Of([Part(SmsStatus.Expired, "EXPIRED"), Part(SmsStatus.Failed, "REJECTD")]));
}

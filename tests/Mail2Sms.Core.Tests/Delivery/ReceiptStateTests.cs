using Mail2Sms.Core.Delivery;

namespace Mail2Sms.Core.Tests.Delivery;

public sealed class ReceiptStateTests
{
    [Theory]
    [InlineData(ReceiptState.Delivered, "DELIVRD", SmsStatus.Delivered, true)]
    [InlineData(ReceiptState.Expired, "EXPIRED", SmsStatus.Expired, true)]
    [InlineData(ReceiptState.Deleted, "DELETED", SmsStatus.Failed, true)]
    [InlineData(ReceiptState.Undeliverable, "UNDELIV", SmsStatus.Failed, true)]
    [InlineData(ReceiptState.Accepted, "ACCEPTD", SmsStatus.Submitted, false)]
    [InlineData(ReceiptState.Unknown, "UNKNOWN", SmsStatus.Unknown, true)]
    [InlineData(ReceiptState.Rejected, "REJECTD", SmsStatus.Failed, true)]
    [InlineData(ReceiptState.Enroute, "ENROUTE", SmsStatus.Submitted, false)]
    public void Each_state_has_its_word_part_status_and_finality(ReceiptState state, string word, SmsStatus part, bool final)
    {
        Assert.Equal(word, state.Word());
        Assert.Equal(part, state.PartStatus());
        Assert.Equal(final, state.IsFinal());
        Assert.Equal(state, ReceiptStates.Parse(word.ToLowerInvariant()));
        Assert.Equal(part, ReceiptStates.PartStatusOf(word.ToLowerInvariant()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("BOUNCED")]
    public void A_word_no_table_names_fails_the_part(string word)
    {
        Assert.Null(ReceiptStates.Parse(word));
        Assert.Equal(SmsStatus.Failed, ReceiptStates.PartStatusOf(word));
    }

    [Fact]
    public void Every_state_is_in_the_table() => Assert.Equal(Enum.GetValues<ReceiptState>(), ReceiptStates.All);
}

using Mail2Sms.Core.Intake;

namespace Mail2Sms.Core.Tests.Intake;

public sealed class RequestRulesTests
{
    private static readonly string[] Domains = ["sms.localhost"];
    private static readonly Account Australian = new("CI00123456", "AU");

    [Fact]
    public void Each_distinct_number_and_text_is_one_sms_however_the_number_is_written()
    {
        var decision = RequestRules.Decide(
            [new("0412345678", "Server down."), new("+61412345678", "Server down."), new("0412345679", "Server down."), new("0412345678", "Server up.")],
            null, Australian, Domains, null);

        Assert.Equal([0, 0, 1, 2], decision.Positions);
        Assert.Equal(["61412345678", "61412345679", "61412345678"], decision.Acceptance!.Messages.Select(m => m.Number));
        Assert.All(decision.Failures, Assert.Empty);
    }

    [Fact]
    public void A_message_that_cannot_be_sent_keeps_its_reasons_while_the_others_go()
    {
        var decision = RequestRules.Decide([new("ops@example.com", "Hi."), new("0412345678", "Hi.", "Bob"), new("12", "Hi.")],
            "Alert", Australian, Domains, null);

        Assert.Equal([null, 0, null], decision.Positions);
        Assert.Equal((ReasonCode.InvalidNumber, "'ops@example.com' is not a phone number."), (decision.Failures[0][0].Code, decision.Failures[0][0].Text));
        var sms = Assert.Single(decision.Acceptance!.Messages);
        Assert.Equal(("Alert Hi.", "Bob"), (sms.Text.Text, sms.Name));
        Assert.Equal(["ops@example.com", "12"], decision.Acceptance.Failures.Select(f => f.Where));
    }

    [Fact]
    public void A_request_with_nothing_to_send_has_no_acceptance_and_an_empty_text_is_told_in_the_apis_words()
    {
        var decision = RequestRules.Decide([new("0412345678", "")], null, Australian, Domains, null);

        Assert.Null(decision.Acceptance);
        Assert.Equal(Reasons.EmptyApiMessage, Assert.Single(decision.Failures[0]));
    }
}

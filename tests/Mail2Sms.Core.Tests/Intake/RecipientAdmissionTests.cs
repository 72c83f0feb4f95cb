using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Numbers;

namespace Mail2Sms.Core.Tests.Intake;

public sealed class RecipientAdmissionTests
{
    private static Recipient R(string address) => Recipient.Parse(address, [Emails.Domain]);

    [Fact]
    public void Several_format_1_recipients_share_an_email()
    {
        Assert.Null(RecipientAdmission.Check(R("61412345679@mail.completesms.net"), [R("61412345678@mail.completesms.net")]));
    }

    [Fact]
    public void A_second_format_is_deferred_with_452()
    {
        var reason = RecipientAdmission.Check(R("smsmail@mail.completesms.net"), [R("61412345678@mail.completesms.net")]);
        Assert.NotNull(reason);
        Assert.Equal((452, "4.5.3", ReasonCode.MixedFormats), (reason.SmtpCode, reason.EnhancedCode, reason.Code));
        Assert.Contains("format 3", reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Recipients_past_the_limit_are_deferred_with_452()
    {
        var admitted = Enumerable.Range(0, 3).Select(i => R($"6141234567{i}@mail.completesms.net")).ToList();
        var reason = RecipientAdmission.Check(R("61412345679@mail.completesms.net"), admitted, maxRecipients: 3);
        Assert.Equal(ReasonCode.TooManyRecipients, reason?.Code);
        Assert.Equal(452, reason?.SmtpCode);
    }

    [Fact]
    public void Invalid_format_1_number_is_refused_at_rcpt_when_the_account_is_known()
    {
        var reason = RecipientAdmission.Check(R("0298765432@mail.completesms.net"), [], numbers: new PhoneNumberRules("AU"));
        Assert.Equal((550, "5.1.1"), (reason?.SmtpCode, reason?.EnhancedCode));
        Assert.Contains("'0298765432'", reason?.Text, StringComparison.Ordinal);
        Assert.Null(RecipientAdmission.Check(R("0298765432@mail.completesms.net"), [], numbers: null));
    }

    [Fact]
    public void Postmaster_joins_any_transaction_and_strangers_are_refused()
    {
        Assert.Null(RecipientAdmission.Check(R("postmaster@mail.completesms.net"), [R("smsmail@mail.completesms.net")]));
        Assert.Equal(ReasonCode.UnknownMailbox, RecipientAdmission.Check(R("sales@mail.completesms.net"), [])?.Code);
        Assert.Equal(ReasonCode.RelayDenied, RecipientAdmission.Check(R("someone@gmail.com"), [])?.Code);
    }
}

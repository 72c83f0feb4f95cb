using Mail2Sms.Core.Intake;

namespace Mail2Sms.Core.Tests.Intake;

public sealed class RecipientTests
{
    private static readonly string[] Domains = ["mail.completesms.net", "sms.example.org"];

    private static Recipient Parse(string address) => Recipient.Parse(address, Domains);

    [Theory]
    [InlineData("61412345678@mail.completesms.net", "61412345678")]
    [InlineData("+61412345678@mail.completesms.net", "+61412345678")]
    [InlineData("0412-345-678@mail.completesms.net", "0412-345-678")]
    [InlineData("0412.345.678@mail.completesms.net", "0412.345.678")]
    [InlineData("0412345678@MAIL.CompleteSMS.NET", "0412345678")]
    [InlineData("0412345678@sms.example.org", "0412345678")]
    [InlineData("<61412345678@mail.completesms.net>", "61412345678")]
    [InlineData(" <61412345678@mail.completesms.net> ", "61412345678")]
    public void A_mobile_number_local_part_is_format_1_with_the_number_as_written(string address, string number)
    {
        var recipient = Parse(address);
        Assert.Equal(RecipientKind.Sms, recipient.Kind);
        Assert.Equal(EmailFormat.Mobile, recipient.Format);
        Assert.Equal(number, recipient.LocalPart);
        Assert.Null(recipient.Refusal);
    }

    [Theory]
    [InlineData("smsgateway@mail.completesms.net", EmailFormat.Entries)]
    [InlineData("SMSGateway@mail.completesms.net", EmailFormat.Entries)]
    [InlineData("smsmail@mail.completesms.net", EmailFormat.Cellphones)]
    [InlineData("SmsMail@Mail.CompleteSms.Net", EmailFormat.Cellphones)]
    [InlineData("bulksms@mail.completesms.net", EmailFormat.Csv)]
    [InlineData("<BULKSMS@mail.completesms.net>", EmailFormat.Csv)]
    public void The_named_mailboxes_pick_their_format_in_any_case(string address, EmailFormat format)
    {
        var recipient = Parse(address);
        Assert.Equal(RecipientKind.Sms, recipient.Kind);
        Assert.Equal(format, recipient.Format);
        Assert.Null(recipient.Refusal);
    }

    [Theory]
    [InlineData("postmaster@mail.completesms.net")]
    [InlineData("PostMaster@mail.completesms.net")]
    [InlineData("abuse@mail.completesms.net")]
    [InlineData("<Abuse@MAIL.COMPLETESMS.NET>")]
    public void Postmaster_and_abuse_go_to_the_operator(string address)
    {
        var recipient = Parse(address);
        Assert.Equal(RecipientKind.Operator, recipient.Kind);
        Assert.Null(recipient.Format);
        Assert.Null(recipient.Refusal);
    }

    [Theory]
    [InlineData("<Postmaster>")]
    [InlineData("postmaster")]
    public void Postmaster_without_a_domain_goes_to_the_operator_as_RFC_5321_requires(string address)
    {
        Assert.Equal(RecipientKind.Operator, Parse(address).Kind);
    }

    [Theory]
    [InlineData("sales@mail.completesms.net")]
    [InlineData("info@mail.completesms.net")]
    [InlineData("0412abc@mail.completesms.net")]
    [InlineData("0412--345@mail.completesms.net")]
    [InlineData("-0412345678@mail.completesms.net")]
    [InlineData("0412345678-@mail.completesms.net")]
    [InlineData("++61412345678@mail.completesms.net")]
    [InlineData("0412 345 678@mail.completesms.net")]
    [InlineData("@mail.completesms.net")]
    public void Any_other_local_part_at_a_gateway_domain_is_an_unknown_mailbox(string address)
    {
        var recipient = Parse(address);
        Assert.Equal(RecipientKind.UnknownMailbox, recipient.Kind);
        Assert.Null(recipient.Format);
        var refusal = recipient.Refusal!;
        Assert.Equal(ReasonCode.UnknownMailbox, refusal.Code);
        Assert.Equal(550, refusal.SmtpCode);
        Assert.Equal("5.1.1", refusal.EnhancedCode);
        Assert.Contains(address.Trim('<', '>'), refusal.Text, StringComparison.Ordinal);
        Assert.Contains("smsgateway@", refusal.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("61412345678@gmail.com")]
    [InlineData("smsgateway@completesms.net")]
    [InlineData("postmaster@example.com")]
    [InlineData("61412345678@mail.completesms.net.evil.com")]
    [InlineData("61412345678@evil.mail.completesms.net")]
    [InlineData("<bob@example.com>")]
    [InlineData("61412345678")]
    public void Any_other_domain_is_relaying_denied(string address)
    {
        var recipient = Parse(address);
        Assert.Equal(RecipientKind.OtherDomain, recipient.Kind);
        Assert.Null(recipient.Format);
        var refusal = recipient.Refusal!;
        Assert.Equal(ReasonCode.RelayDenied, refusal.Code);
        Assert.Equal(550, refusal.SmtpCode);
        Assert.Equal("5.7.1", refusal.EnhancedCode);
        Assert.Contains("Relaying", refusal.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_at_sign_splits_local_part_and_domain()
    {
        var recipient = Parse("\"a@b\"@example.com");
        Assert.Equal(RecipientKind.OtherDomain, recipient.Kind);
        Assert.Equal("\"a@b\"", recipient.LocalPart);
    }

    [Fact]
    public void The_address_is_kept_without_its_angle_brackets()
    {
        Assert.Equal("61412345678@mail.completesms.net", Parse("<61412345678@mail.completesms.net>").Address);
    }

    [Theory]
    [InlineData(" <61412345678@Mail.CompleteSMS.net> ", "61412345678@mail.completesms.net")]
    [InlineData("SmsGateway@mail.completesms.net", "smsgateway@mail.completesms.net")]
    public void A_resend_is_recognised_by_the_address_without_brackets_space_or_case(string address, string key)
    {
        Assert.Equal(key, Recipient.ResendKey(address));
    }
}

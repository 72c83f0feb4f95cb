using Mail2Sms.Core.Accounts;

namespace Mail2Sms.Core.Tests.Accounts;

public sealed class AccountRulesTests
{
    [Fact]
    public void An_account_opens_with_a_good_id_and_credits_and_warning_level_of_zero_or_more()
    {
        Assert.Null(AccountRules.OpeningProblem("CI00123456", 0, 0, "Acme", "au", out var country));
        Assert.Equal("AU", country);
        Assert.Equal("An account cannot open with negative credits.", AccountRules.OpeningProblem("CI00123456", -1, 0, null, null, out _));
        Assert.Equal("A low-credit warning level is a number of credits, 0 or more (0: no warning).", AccountRules.OpeningProblem("CI00123456", 10, -5, null, null, out _));
        Assert.StartsWith("'bad id' is not an account ID", AccountRules.OpeningProblem("bad id", -1, -1, null, null, out _), StringComparison.Ordinal);
        Assert.StartsWith("'Acme Company Ltd' cannot be a sender", AccountRules.OpeningProblem("A1", 0, 0, "Acme Company Ltd", "XX", out _), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("+61400000000")]
    [InlineData("123456789012345")]
    [InlineData("Acme Co.")]
    [InlineData("R&D-Ops_1")]
    public void A_sender_is_a_number_of_up_to_15_digits_or_up_to_11_letters(string? sender)
    {
        Assert.Null(AccountRules.SenderProblem(sender));
    }

    [Theory]
    [InlineData("1234567890123456")]
    [InlineData("Acme Company Ltd")]
    [InlineData("Acme!")]
    public void Any_other_sender_is_refused_with_the_rule(string sender)
    {
        Assert.Equal($"'{sender}' cannot be a sender: use a number of up to 15 digits, or up to 11 letters, digits and spaces.", AccountRules.SenderProblem($" {sender} "));
    }

    [Fact]
    public void Changes_are_refused_when_none_is_given_or_one_is_out_of_range()
    {
        Assert.Equal("Nothing to change for account A1: give at least one setting.", AccountRules.ChangeProblem("A1", true, null, null, null, null, null, null, out _));
        Assert.Null(AccountRules.ChangeProblem("A1", false, "", "", 0, 255, 0, 0, out var cleared));
        Assert.Equal("", cleared);
        Assert.Null(AccountRules.ChangeProblem("A1", false, null, null, 5, null, null, null, out var kept));
        Assert.Null(kept);
        Assert.Null(AccountRules.ChangeProblem("A1", false, null, "nz", null, null, null, null, out var set));
        Assert.Equal("NZ", set);
        Assert.Equal("The cap of SMS per minute is -1; it must be 0 (no cap) or more.", AccountRules.ChangeProblem("A1", false, null, null, -1, null, null, null, out _));
        Assert.Equal("At most 0 parts an SMS cannot be: give 1 to 255 (an SMS of more parts is refused).", AccountRules.ChangeProblem("A1", false, null, null, null, 0, null, null, out _));
        Assert.Equal("At most 256 parts an SMS cannot be: give 1 to 255 (an SMS of more parts is refused).", AccountRules.ChangeProblem("A1", false, null, null, null, 256, null, null, out _));
        Assert.Equal("A reply window of 366 days cannot be: give 1 to 365 days, or 0 for the gateway's.", AccountRules.ChangeProblem("A1", false, null, null, null, null, 366, null, out _));
        Assert.Equal("A low-credit warning level is a number of credits, 0 or more (0: no warning).", AccountRules.ChangeProblem("A1", false, null, null, null, null, null, -1, out _));
    }

    [Fact]
    public void A_country_is_kept_in_upper_case_and_an_unknown_one_is_refused()
    {
        Assert.Null(AccountRules.CountryProblem("au", out var country));
        Assert.Equal("AU", country);
        Assert.Null(AccountRules.CountryProblem(null, out var none));
        Assert.Null(none);
        Assert.NotNull(AccountRules.CountryProblem("XX", out _));
    }

    [Theory]
    [InlineData("203.0.113.5", "203.0.113.5/32")]
    [InlineData(" 203.0.113.0/24 ", "203.0.113.0/24")]
    [InlineData("203.0.113.7/24", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.5", "203.0.113.5/32")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    [InlineData("2001:db8:ffff::/32", "2001:db8::/32")]
    [InlineData("2001:db8::1/32", "2001:db8::/32")]
    [InlineData(" 2001:DB8::1 ", "2001:db8::1/128")]
    public void A_network_is_kept_in_canonical_CIDR_form(string written, string canonical)
    {
        Assert.Null(AccountRules.NetworkProblem(written, out var kept));
        Assert.Equal(canonical, kept);
    }

    [Theory]
    [InlineData("203.0.113")]
    [InlineData("example.com")]
    [InlineData("203.0.113.0/33")]
    [InlineData("")]
    public void Anything_else_is_not_a_network(string written)
    {
        Assert.Equal($"'{written}' is not an IP address or CIDR range, such as 203.0.113.5 or 203.0.113.0/24.", AccountRules.NetworkProblem(written, out _));
    }
}

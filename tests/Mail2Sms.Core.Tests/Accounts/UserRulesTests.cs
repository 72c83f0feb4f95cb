using Mail2Sms.Core.Accounts;

namespace Mail2Sms.Core.Tests.Accounts;

public sealed class UserRulesTests
{
    [Fact]
    public void A_new_user_is_kept_trimmed_and_in_lower_case()
    {
        Assert.Null(UserRules.NewUserProblem(" Ops@Example.COM ", hasPassword: true, out var address));
        Assert.Equal("ops@example.com", address);
    }

    [Fact]
    public void A_pattern_authenticates_by_IP_only_and_so_has_no_password()
    {
        Assert.Null(UserRules.NewUserProblem("*@Example.com", hasPassword: false, out var pattern));
        Assert.Equal("*@example.com", pattern);
        Assert.True(UserRules.IsPattern(pattern));
        Assert.Equal("*@example.com is a pattern: patterns authenticate by IP address only and have no password.", UserRules.NewUserProblem("*@example.com", hasPassword: true, out _));
    }

    [Fact]
    public void An_address_that_is_not_a_mailbox_is_refused_with_the_mailbox_rule()
    {
        Assert.Equal("'ops' is not an email address or a *@domain pattern: write it as name@domain.", UserRules.NewUserProblem("ops", false, out _));
        Assert.Equal("'a*b@example.com' is not an email address or a *@domain pattern.", UserRules.NewUserProblem("a*b@example.com", false, out _));
    }

    [Fact]
    public void A_change_needs_a_setting_and_a_pattern_takes_no_password()
    {
        Assert.Equal("Nothing to change for ops@example.com: give receipt emails, disabled or a password.", UserRules.ChangeProblem("OPS@example.com", null, null, null, out _));
        Assert.Null(UserRules.ChangeProblem("*@example.com", null, null, "", out var removed));
        Assert.Equal("*@example.com", removed);
        Assert.Equal("*@example.com is a pattern: patterns authenticate by IP address only and have no password.", UserRules.ChangeProblem("*@example.com", null, null, "secret", out _));
        Assert.Equal("'ops' is not an email address or a *@domain pattern.", UserRules.ChangeProblem("ops", true, null, null, out _));
    }

    [Fact]
    public void An_operator_has_a_name_of_1_to_64_characters_and_a_password()
    {
        Assert.Null(UserRules.OperatorProblem(" admin ", "secret", out var name));
        Assert.Equal("admin", name);
        Assert.Equal("Operator admin needs a password.", UserRules.OperatorProblem("admin", "", out _));
        Assert.Equal("An operator's name is 1 to 64 characters, none of them control characters.", UserRules.OperatorProblem("  ", "secret", out _));
        Assert.Equal("An operator's name is 1 to 64 characters, none of them control characters.", UserRules.OperatorProblem(new string('a', 65), "secret", out _));
    }
}

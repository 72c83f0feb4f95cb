using Mail2Sms.Core.Intake;

namespace Mail2Sms.Core.Tests.Intake;

public sealed class SenderNamesTests
{
    [Theory]
    [InlineData("CI00123456")]
    [InlineData("DEMO0001")]
    [InlineData("acme-ops_2")]
    [InlineData("A")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")]
    public void An_account_ID_of_letters_digits_hyphens_and_underscores_up_to_32_is_taken(string id)
    {
        Assert.Null(SenderNames.AccountIdProblem(id));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("CI 001")]
    [InlineData("CI001\r\n")]
    [InlineData("../etc")]
    [InlineData("acme.ops")]
    [InlineData("Zürich1")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456")]
    public void Anything_else_is_refused_with_the_rule(string? id)
    {
        Assert.Equal($"'{id}' is not an account ID: use 1 to 32 letters, digits, - or _, such as CI00123456.", SenderNames.AccountIdProblem(id));
    }

    [Fact]
    public void A_huge_account_ID_is_quoted_cut()
    {
        var problem = SenderNames.AccountIdProblem(new string('A', 100_000))!;
        Assert.StartsWith($"'{new string('A', 63)}\u2026' is not an account ID", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ops@example.com")]
    [InlineData("*@example.com")]
    [InlineData("first.last+tag@mail.example.co.uk")]
    [InlineData("o'brien@example.ie")]
    [InlineData("\"john smith\"@example.com")]
    [InlineData("nagios@[203.0.113.5]")]
    [InlineData("user@[IPv6:2001:db8::1]")]
    [InlineData("josé@exämple.de")]
    public void A_mailbox_or_a_pattern_is_taken(string address)
    {
        Assert.Null(SenderNames.UserAddressProblem(address));
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("ops", "write it as name@domain")]
    [InlineData("ops@", "write it as name@domain")]
    [InlineData("@example.com", "write it as name@domain")]
    [InlineData("a..b@example.com", "the part before @ holds characters an address cannot have unquoted")]
    [InlineData(".a@example.com", "the part before @ holds characters an address cannot have unquoted")]
    [InlineData("a b@example.com", "the part before @ holds characters an address cannot have unquoted")]
    [InlineData("a\r\nb@example.com", "the part before @ holds characters an address cannot have unquoted")]
    [InlineData("a@-example.com", "'-example.com' is not a domain name")]
    [InlineData("a@exa mple.com", "'exa mple.com' is not a domain name")]
    [InlineData("a@example..com", "'example..com' is not a domain name")]
    [InlineData("a@[999.1.1.1]", "'[999.1.1.1]' is not a domain name")]
    public void Anything_else_is_refused_saying_what_is_wrong(string address, string why)
    {
        Assert.Equal($"'{address}' is not an email address or a *@domain pattern: {why}.", SenderNames.UserAddressProblem(address));
    }

    [Fact]
    public void An_address_longer_than_254_octets_or_a_local_part_longer_than_64_is_refused()
    {
        var longest = new string('a', 64) + "@" + new string('d', 63) + "." + new string('d', 63) + "." + new string('d', 61);
        Assert.Equal(254, longest.Length);
        Assert.Null(SenderNames.UserAddressProblem(longest));
        Assert.EndsWith("an address has at most 254 octets.", SenderNames.UserAddressProblem(longest[..253] + "é"), StringComparison.Ordinal);
        Assert.EndsWith("the part before @ has at most 64 octets.", SenderNames.UserAddressProblem(new string('a', 65) + "@example.com"), StringComparison.Ordinal);
    }
}

using System.Net;
using Mail2Sms.Core.Formats;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Tests.Storage;

namespace Mail2Sms.Gateway.Tests.Intake;

public sealed class SenderAuthenticatorTests : IDisposable
{
    private static readonly IPAddress Office = IPAddress.Parse("203.0.113.5");
    private static readonly IPAddress Elsewhere = IPAddress.Parse("198.51.100.7");
    private readonly TempDatabase _db = new();
    private readonly SenderAuthenticator _authenticator;

    public SenderAuthenticatorTests()
    {
        _authenticator = new SenderAuthenticator(_db.Accounts, new PasswordLockout(_db.Storage.Lockouts, _db.Clock), new PasswordVerifier(_db.Clock));
        Setup().GetAwaiter().GetResult();
    }

    private async Task Setup()
    {
        await _db.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 0);
        await _db.Accounts.AllowIpAsync("CI00000001", "203.0.113.0/24");
        await _db.Accounts.AllowIpAsync("CI00000001", "2001:db8::/32");
        await _db.Accounts.AddUserAsync("CI00000001", "ops@example.com.au", "s3cret");
        await _db.Accounts.AddUserAsync("CI00000001", "*@monitor.example.com.au", null);
        await _db.Accounts.AddAccountAsync("CI00000002", "AU", null, false, 0);
        await _db.Accounts.AllowIpAsync("CI00000002", "198.51.100.0/24");
        await _db.Accounts.AddUserAsync("CI00000002", "desk@other.example", "pw2");
    }

    public void Dispose() => _db.Dispose();

    private Task<SenderAuthentication> Authenticate(string address, IPAddress client, SenderBlock? block = null, string? smtpAuthUser = null, bool forwarded = false) =>
        _authenticator.AuthenticateAsync(address, block, smtpAuthUser, client, forwarded);

    private static void Accepted(SenderAuthentication result, string account, AuthenticationMethod method) =>
        Assert.Equal((account, method, null), (result.AccountId, result.Method, result.Failure));

    private static Reason Refused(SenderAuthentication result, ReasonCode code)
    {
        Assert.Null(result.AccountId);
        Assert.Equal(code, result.Failure?.Code);
        return result.Failure!;
    }

    [Theory]
    [InlineData("203.0.113.77")]
    [InlineData("::ffff:203.0.113.77")]
    [InlineData("2001:db8::25")]
    public async Task A_registered_address_is_authenticated_by_the_client_ip(string client)
    {
        Accepted(await Authenticate("Ops@Example.com.au", IPAddress.Parse(client)), "CI00000001", AuthenticationMethod.IpAddress);
    }

    [Fact]
    public async Task A_registered_address_from_another_ip_is_told_how_to_get_through()
    {
        var reason = Refused(await Authenticate("ops@example.com.au", Elsewhere), ReasonCode.AuthenticationFailed);
        Assert.Equal((550, "5.7.1"), (reason.SmtpCode, reason.EnhancedCode));
        Assert.Contains("mail from 198.51.100.7 is not accepted", reason.Text, StringComparison.Ordinal);
        Assert.Contains("[SENDER] block", reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_address_is_refused_saying_it_is_not_registered()
    {
        var reason = Refused(await Authenticate("stranger@example.org", Office), ReasonCode.AuthenticationFailed);
        Assert.Contains("stranger@example.org is not registered", reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pattern_user_authenticates_by_ip_only()
    {
        Accepted(await Authenticate("nagios@monitor.example.com.au", Office), "CI00000001", AuthenticationMethod.IpAddress);
        Refused(await Authenticate("nagios@monitor.example.com.au", Elsewhere), ReasonCode.AuthenticationFailed);
        Refused(await Authenticate("nagios@monitor.example.com.au", Elsewhere, new SenderBlock("CI00000001", "s3cret")), ReasonCode.AuthenticationFailed);
    }

    [Fact]
    public async Task Each_way_of_authenticating_names_the_user_the_sender_is()
    {
        await _db.Accounts.AddUserAsync("CI00000001", "relay@example.com.au", "relay-pw");
        Assert.Equal("ops@example.com.au", (await Authenticate("Ops@Example.com.au", Office)).User);
        Assert.Equal("*@monitor.example.com.au", (await Authenticate("nagios@monitor.example.com.au", Office)).User);
        Assert.Equal("ops@example.com.au", (await Authenticate("ops@example.com.au", Elsewhere, new SenderBlock("CI00000001", "s3cret"))).User);
        Assert.Equal("ops@example.com.au", (await Authenticate("ops@example.com.au", Elsewhere, smtpAuthUser: "relay@example.com.au")).User);
        Assert.Null((await Authenticate("ops@example.com.au", Elsewhere)).User);
    }

    [Fact]
    public async Task An_exact_address_beats_a_pattern_of_another_account()
    {
        await _db.Accounts.AddUserAsync("CI00000002", "*@example.com.au", null);
        await _db.Accounts.AllowIpAsync("CI00000002", "203.0.113.0/24");
        Accepted(await Authenticate("ops@example.com.au", Office), "CI00000001", AuthenticationMethod.IpAddress);
        Refused(await Authenticate("ops@example.com.au", Elsewhere), ReasonCode.AuthenticationFailed);
        Accepted(await Authenticate("someone@example.com.au", Office), "CI00000002", AuthenticationMethod.IpAddress);
    }

    [Fact]
    public async Task An_address_two_accounts_claim_equally_is_refused_naming_both()
    {
        await _db.Accounts.AddUserAsync("CI00000002", "ops@example.com.au", null);
        await _db.Accounts.AllowIpAsync("CI00000002", "203.0.113.5");
        var reason = Refused(await Authenticate("ops@example.com.au", Office), ReasonCode.AmbiguousSender);
        Assert.Contains("accounts CI00000001 and CI00000002", reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sender_block_authenticates_from_anywhere_and_is_always_checked()
    {
        Accepted(await Authenticate("ops@example.com.au", Elsewhere, new SenderBlock("ci00000001", "s3cret")), "CI00000001", AuthenticationMethod.Password);
        var reason = Refused(await Authenticate("ops@example.com.au", Office, new SenderBlock("CI00000001", "wrong")), ReasonCode.AuthenticationFailed);
        Assert.Contains("account ID and password in the [SENDER] block are not those of ops@example.com.au", reason.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", reason.Text, StringComparison.Ordinal);
        Refused(await Authenticate("ops@example.com.au", Office, new SenderBlock("CI00000002", "pw2")), ReasonCode.AuthenticationFailed);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_and_address_out_but_never_ip_authenticated_mail()
    {
        for (var i = 0; i < 5; i++)
        {
            Refused(await Authenticate("ops@example.com.au", Elsewhere, new SenderBlock("CI00000001", "guess" + i)), ReasonCode.AuthenticationFailed);
        }

        var locked = Refused(await Authenticate("ops@example.com.au", Elsewhere, new SenderBlock("CI00000001", "s3cret")), ReasonCode.LockedOut);
        Assert.Equal((451, "4.7.1"), (locked.SmtpCode, locked.EnhancedCode));
        Assert.Equal("Too many wrong passwords for this account from 198.51.100.7: try again after 09:15 UTC.", locked.Text);
        Accepted(await Authenticate("ops@example.com.au", Office), "CI00000001", AuthenticationMethod.IpAddress);
        Accepted(await Authenticate("ops@example.com.au", Office, new SenderBlock("CI00000001", "s3cret")), "CI00000001", AuthenticationMethod.Password);

        _db.Clock.Advance(TimeSpan.FromMinutes(16));
        Accepted(await Authenticate("ops@example.com.au", Elsewhere, new SenderBlock("CI00000001", "s3cret")), "CI00000001", AuthenticationMethod.Password);
    }

    [Fact]
    public async Task Blocks_naming_another_account_lock_out_the_stranger_never_that_accounts_own_users()
    {
        // desk@ is a user of CI00000002 naming CI00000001, from the address CI00000001's own users send from.
        for (var i = 0; i < 5; i++)
        {
            Refused(await Authenticate("desk@other.example", Office, new SenderBlock("CI00000001", "guess" + i)), ReasonCode.AuthenticationFailed);
        }

        var locked = Refused(await Authenticate("desk@other.example", Office, new SenderBlock("CI00000001", "s3cret")), ReasonCode.LockedOut);
        Assert.Equal((451, "4.7.1", "Too many wrong passwords from 203.0.113.5: try again after 09:15 UTC."), (locked.SmtpCode, locked.EnhancedCode, locked.Text));
        Accepted(await Authenticate("ops@example.com.au", Office, new SenderBlock("CI00000001", "s3cret")), "CI00000001", AuthenticationMethod.Password);
        Accepted(await Authenticate("desk@other.example", Office, new SenderBlock("CI00000002", "pw2")), "CI00000002", AuthenticationMethod.Password);
    }

    [Fact]
    public async Task Smtp_auth_as_a_user_of_the_same_account_authenticates()
    {
        await _db.Accounts.AddUserAsync("CI00000001", "relay@example.com.au", "r");
        Accepted(await Authenticate("ops@example.com.au", Elsewhere, smtpAuthUser: "relay@example.com.au"), "CI00000001", AuthenticationMethod.SmtpAuth);
        Refused(await Authenticate("ops@example.com.au", Elsewhere, smtpAuthUser: "desk@other.example"), ReasonCode.AuthenticationFailed);
    }

    [Fact]
    public async Task Forwarded_mail_must_come_from_an_allowed_address_even_with_a_password()
    {
        Accepted(await Authenticate("ops@example.com.au", Office, forwarded: true), "CI00000001", AuthenticationMethod.IpAddress);
        var reason = Refused(await Authenticate("ops@example.com.au", Elsewhere, new SenderBlock("CI00000001", "s3cret"), forwarded: true), ReasonCode.ForwardingNeedsIpAuthentication);
        Assert.Contains("forwarded by a rule", reason.Text, StringComparison.Ordinal);
    }
}

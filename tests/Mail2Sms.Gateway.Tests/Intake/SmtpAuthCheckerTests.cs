using System.Net;
using Mail2Sms.Core.Formats;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Tests.Storage;

namespace Mail2Sms.Gateway.Tests.Intake;

/// <summary>SMTP AUTH under the one lockout: the fake clock runs the lockout's window, real time the (millisecond) delays.</summary>
public sealed class SmtpAuthCheckerTests : IDisposable
{
    private static readonly IPAddress Attacker = IPAddress.Parse("198.51.100.7");
    private static readonly IPAddress Office = IPAddress.Parse("203.0.113.5");
    private readonly TempDatabase _db = new();
    private readonly PasswordLockout _lockout;
    private readonly SmtpAuthChecker _checker;
    private readonly SenderAuthenticator _senders;
    private readonly PasswordVerifier _passwords;

    public SmtpAuthCheckerTests()
    {
        _lockout = new PasswordLockout(_db.Storage.Lockouts, _db.Clock);
        _passwords = new PasswordVerifier(_db.Clock);
        _checker = new SmtpAuthChecker(_db.Accounts, _passwords, _lockout, TimeProvider.System, TimeSpan.FromMilliseconds(1));
        _senders = new SenderAuthenticator(_db.Accounts, _lockout, _passwords);
        _db.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 0).GetAwaiter().GetResult();
        _db.Accounts.AddUserAsync("CI00000001", "relay@example.com.au", "r3lay").GetAwaiter().GetResult();
    }

    public void Dispose() => _db.Dispose();

    private Task<SmtpAuthVerdict> Check(string password, IPAddress client, string user = "relay@example.com.au") => _checker.CheckAsync(user, password, client);

    [Fact]
    public async Task Brute_force_is_slowed_then_locked_and_the_right_password_is_refused_with_454_while_locked()
    {
        var failuresBefore = GatewayMetrics.AuthFailures;
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            var refused = await Check("guess" + i, Attacker);
            Assert.Equal((SmtpAuthOutcome.Refused, "535 5.7.8 Authentication failed: check the user and password."), (refused.Outcome, refused.Reply.ToString()));
            delays.Add(refused.Delay);
        }

        Assert.Equal([1, 2, 4, 8, 8], delays.Select(d => d.TotalMilliseconds));
        var locked = await Check("r3lay", Attacker);
        Assert.Equal((SmtpAuthOutcome.LockedOut, "454 4.7.0 Too many wrong passwords from 198.51.100.7: authentication is refused until 09:15 UTC, also with the right password."),
            (locked.Outcome, locked.Reply.ToString()));
        Assert.True(GatewayMetrics.AuthFailures - failuresBefore >= 6);

        // The lock is the account's from that address: the same account's [SENDER] block from there is locked too, not from elsewhere.
        Assert.Equal(ReasonCode.LockedOut, (await _senders.AuthenticateAsync("relay@example.com.au", new SenderBlock("CI00000001", "r3lay"), null, Attacker, false)).Failure?.Code);
        Assert.Equal("235 2.7.0 Authentication successful.", (await Check("r3lay", Office)).Reply.ToString());

        _db.Clock.Advance(TimeSpan.FromMinutes(16));
        var after = await Check("r3lay", Attacker);
        Assert.Equal((SmtpAuthOutcome.Accepted, TimeSpan.Zero), (after.Outcome, after.Delay));
    }

    [Fact]
    public async Task Wrong_sender_block_passwords_lock_smtp_auth_for_the_same_account_and_address()
    {
        for (var i = 0; i < 5; i++)
        {
            await _senders.AuthenticateAsync("relay@example.com.au", new SenderBlock("CI00000001", "guess" + i), null, Attacker, false);
        }

        Assert.Equal(SmtpAuthOutcome.LockedOut, (await Check("r3lay", Attacker)).Outcome);
    }

    [Fact]
    public async Task Guessing_unknown_users_locks_the_stranger_out_but_never_a_real_user_from_the_same_address()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(SmtpAuthOutcome.Refused, (await Check("guess", Attacker, $"nobody{i}@example.org")).Outcome);
        }

        Assert.Equal(SmtpAuthOutcome.LockedOut, (await Check("guess", Attacker, "someone@example.org")).Outcome);
        Assert.Equal(SmtpAuthOutcome.Accepted, (await Check("r3lay", Attacker)).Outcome);
    }

    [Fact]
    public async Task A_success_answers_the_client_at_once_again()
    {
        await Check("guess", Attacker);
        await Check("guess", Attacker);
        Assert.Equal(SmtpAuthOutcome.Accepted, (await Check("r3lay", Attacker)).Outcome);
        Assert.Equal(TimeSpan.FromMilliseconds(1), (await Check("guess", Attacker)).Delay);
    }

    [Fact]
    public async Task Twenty_parallel_wrong_passwords_get_at_most_five_verdicts_and_the_rest_454()
    {
        var verdicts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => Check("guess" + i, Attacker))));

        Assert.Equal(5, verdicts.Count(v => v.Reply.ToString() == "535 5.7.8 Authentication failed: check the user and password."));
        Assert.Equal(15, verdicts.Count(v => v.Outcome == SmtpAuthOutcome.LockedOut && v.Reply.Code == 454));
        Assert.Equal(5, _passwords.SlowVerifications);
    }

    [Fact]
    public async Task Twenty_parallel_wrong_sender_blocks_get_at_most_five_verdicts_and_the_rest_are_locked_out()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            _senders.AuthenticateAsync("relay@example.com.au", new SenderBlock("CI00000001", "guess" + i), null, Attacker, false))));

        Assert.Equal(5, results.Count(r => r.Failure?.Code == ReasonCode.AuthenticationFailed));
        Assert.Equal(15, results.Count(r => r.Failure?.Code == ReasonCode.LockedOut));
        Assert.Equal(5, _passwords.SlowVerifications);
    }

    [Fact]
    public async Task An_unknown_user_costs_a_slow_hash_like_a_known_one()
    {
        Assert.Equal(SmtpAuthOutcome.Refused, (await Check("guess", Attacker, "nobody@example.org")).Outcome);
        Assert.Equal(1, _passwords.SlowVerifications);
        Assert.Equal(ReasonCode.AuthenticationFailed,
            (await _senders.AuthenticateAsync("relay@example.com.au", new SenderBlock("CI00000099", "guess"), null, Attacker, false)).Failure?.Code);
        Assert.Equal(2, _passwords.SlowVerifications);
    }
}

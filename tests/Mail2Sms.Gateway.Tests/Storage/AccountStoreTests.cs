using System.Net;
using Dapper;
using Mail2Sms.Core.Accounts;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;

namespace Mail2Sms.Gateway.Tests.Storage;

public sealed class AccountStoreTests : IDisposable
{
    private readonly TempDatabase _db = new();
    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task The_file_is_created_in_wal_mode_and_migrating_again_changes_nothing()
    {
        Assert.True(File.Exists(_db.Path));
        Assert.Equal(0, await _db.Database.MigrateAsync());
        await using var connection = await _db.Database.OpenAsync();
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("PRAGMA synchronous"));
    }

    [Fact]
    public async Task Every_connection_has_a_busy_timeout_so_a_writer_waits_in_sqlite_for_the_lock_rather_than_sleeping_150_ms()
    {
        // Two at once: the second is a handle new to the pool, set up as the first was.
        await using var first = await _db.Database.OpenAsync();
        await using var second = await _db.Database.OpenAsync();
        Assert.Equal(10_000, await first.ExecuteScalarAsync<int>("PRAGMA busy_timeout"));
        Assert.Equal(10_000, await second.ExecuteScalarAsync<int>("PRAGMA busy_timeout"));
    }

    [Fact]
    public async Task An_account_is_created_found_and_listed_with_its_opening_credits_in_the_ledger()
    {
        var account = await _db.Accounts.AddAccountAsync("CI00123456", "AU", "Acme", relaxedNumbers: true, credits: 100);
        Assert.Equal(new AccountRecord("CI00123456", "AU", "Acme", true, 12, 100, 0, _db.Clock.GetUtcNow()), account);
        Assert.Equal(account, await _db.Accounts.FindAccountAsync("CI00123456"));
        Assert.Null(await _db.Accounts.FindAccountAsync("CI00000000"));
        await _db.Accounts.AddAccountAsync("CI00000001", null, null, false, 0);
        Assert.Equal(["CI00000001", "CI00123456"], (await _db.Accounts.ListAccountsAsync()).Select(a => a.Id));
        Assert.Equal([new LedgerEntry(100, 100, "opening credits", _db.Clock.GetUtcNow())], await _db.Accounts.LedgerAsync("CI00123456"));
    }

    [Fact]
    public async Task A_second_account_with_the_same_id_is_refused()
    {
        await _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 0);
        var e = await Assert.ThrowsAsync<StoreException>(() => _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 0));
        Assert.Equal("Account CI00123456 already exists.", e.Message);
    }

    [Fact]
    public async Task Credits_go_up_and_down_in_the_ledger_but_never_below_zero()
    {
        await _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 10);
        Assert.Equal(15, await _db.Accounts.CreditAsync("CI00123456", 5, "top-up"));
        Assert.Equal(3, await _db.Accounts.CreditAsync("CI00123456", -12, "refund to customer"));
        var e = await Assert.ThrowsAsync<StoreException>(() => _db.Accounts.CreditAsync("CI00123456", -4, "too much"));
        Assert.Equal("Account CI00123456 has 3 credits; taking 4 would leave it below zero.", e.Message);
        Assert.Equal([(-12L, 3L), (5L, 15L), (10L, 10L)], (await _db.Accounts.LedgerAsync("CI00123456")).Select(l => (l.Delta, l.Balance)));
        await Assert.ThrowsAsync<StoreException>(() => _db.Accounts.CreditAsync("CI00999999", 1, "x"));
    }

    [Fact]
    public async Task Concurrent_debits_never_overspend()
    {
        await _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 20);
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            try
            {
                await _db.Accounts.CreditAsync("CI00123456", -1, "sms");
                return true;
            }
            catch (StoreException)
            {
                return false;
            }
        }));
        Assert.Equal(20, results.Count(ok => ok));
        Assert.Equal(0, (await _db.Accounts.FindAccountAsync("CI00123456"))!.Credits);
        Assert.Equal(0, (await _db.Accounts.LedgerAsync("CI00123456", limit: 100)).Sum(l => l.Delta));
    }

    [Fact]
    public async Task Allowed_networks_belong_to_an_existing_account_once_each()
    {
        await _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 0);
        await _db.Accounts.AllowIpAsync("CI00123456", "203.0.113.0/24");
        await _db.Accounts.AllowIpAsync("CI00123456", "203.0.113.9/24");
        Assert.Equal(["203.0.113.0/24"], await _db.Accounts.AllowedNetworksAsync("CI00123456"));
        await Assert.ThrowsAsync<StoreException>(() => _db.Accounts.AllowIpAsync("CI00999999", "203.0.113.5"));
    }

    [Fact]
    public async Task A_network_no_longer_allowed_is_taken_off_and_mail_from_it_no_longer_authenticates()
    {
        await _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 0);
        await _db.Accounts.AddUserAsync("CI00123456", "ops@example.com.au", null);
        await _db.Accounts.AllowIpAsync("CI00123456", "203.0.113.0/24");
        await _db.Accounts.AllowIpAsync("CI00123456", "2001:db8::/32");
        Assert.True((await _db.Accounts.SenderCandidatesAsync("ops@example.com.au"))[0].Allows(IPAddress.Parse("203.0.113.7")));

        Assert.Equal("203.0.113.0/24", await _db.Accounts.DisallowIpAsync("CI00123456", "203.0.113.9/24"));
        Assert.Equal("203.0.113.0/24 was not allowed for account CI00123456.",
            (await Assert.ThrowsAsync<StoreException>(() => _db.Accounts.DisallowIpAsync("CI00123456", "203.0.113.0/24"))).Message);
        Assert.Equal(["2001:db8::/32"], await _db.Accounts.AllowedNetworksAsync("CI00123456"));
        Assert.False((await _db.Accounts.SenderCandidatesAsync("ops@example.com.au"))[0].Allows(IPAddress.Parse("203.0.113.7")));
    }

    [Fact]
    public async Task Settings_given_change_and_the_others_stay_and_intake_reads_them_at_once()
    {
        await _db.Accounts.AddAccountAsync("CI00123456", "AU", "Acme", false, 10, lowCreditWarning: 5);
        var account = await _db.Accounts.SetAccountAsync("CI00123456", new AccountChanges { Country = "nz", RelaxedNumbers = true, MaxParts = 3, ReplyWindowDays = 30 });
        Assert.Equal(("NZ", "Acme", true, 3, 30, 5L, 0), (account.Country, account.Sender, account.RelaxedNumbers, account.MaxParts, account.ReplyWindowDays, account.LowCreditWarning, account.SmsPerMinute));
        Assert.Equal(new Core.Intake.Account("CI00123456", "NZ", RelaxedNumbers: true, MaxParts: 3), await _db.Accounts.AccountRulesAsync("CI00123456", partSizes: null));
        Assert.Equal(("any 8 to 15 digits, at most 3 parts an SMS", "30 days"), (account.NumbersRule, account.ReplyWindow));

        account = await _db.Accounts.SetAccountAsync("CI00123456", new AccountChanges { Country = string.Empty, Sender = string.Empty, ReplyWindowDays = 0, SmsPerMinute = 60 });
        Assert.Equal((null, null, null, 60, "the gateway's Replies:WindowDays"), (account.Country, account.Sender, account.ReplyWindowDays, account.SmsPerMinute, account.ReplyWindow));
    }

    [Theory]
    [InlineData("XX", null, null, "'XX' is not an ISO 3166 region that phone numbers are known for, such as AU.")]
    [InlineData(null, 0, null, "At most 0 parts an SMS cannot be: give 1 to 255 (an SMS of more parts is refused).")]
    [InlineData(null, 256, null, "At most 256 parts an SMS cannot be: give 1 to 255 (an SMS of more parts is refused).")]
    [InlineData(null, null, 366, "A reply window of 366 days cannot be: give 1 to 365 days, or 0 for the gateway's.")]
    public async Task Settings_that_cannot_be_are_refused_with_the_reason_and_change_nothing(string? country, int? maxParts, int? replyWindowDays, string said)
    {
        await _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 0);
        var e = await Assert.ThrowsAsync<StoreException>(() => _db.Accounts.SetAccountAsync("CI00123456", new AccountChanges { Country = country, MaxParts = maxParts, ReplyWindowDays = replyWindowDays, RelaxedNumbers = true }));
        Assert.Equal(said, e.Message);
        Assert.Equal(("AU", false, 12), await _db.Accounts.FindAccountAsync("CI00123456") is { } a ? (a.Country, a.RelaxedNumbers, a.MaxParts) : default);
        Assert.Equal("Nothing to change for account CI00123456: give at least one setting.", (await Assert.ThrowsAsync<StoreException>(() => _db.Accounts.SetAccountAsync("CI00123456", new AccountChanges()))).Message);
    }

    [Fact]
    public async Task Users_are_stored_lower_case_with_a_slow_salted_hash_never_the_password()
    {
        await _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 0);
        await _db.Accounts.AddUserAsync("CI00123456", "Ops@Example.com.au", "s3cret=x");
        await _db.Accounts.AddUserAsync("CI00123456", "*@monitor.example.com.au", null);
        Assert.Equal(
            [new UserRecord("CI00123456", "*@monitor.example.com.au", false, false, false), new UserRecord("CI00123456", "ops@example.com.au", true, false, false)],
            await _db.Accounts.UsersAsync("CI00123456"));

        await using var connection = await _db.Database.OpenAsync();
        var hash = await connection.ExecuteScalarAsync<string>("SELECT password_hash FROM users WHERE address = 'ops@example.com.au'");
        Assert.StartsWith("pbkdf2-sha256$210000$", hash, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", File.ReadAllText(_db.Path + "-wal", System.Text.Encoding.Latin1) + File.ReadAllText(_db.Path, System.Text.Encoding.Latin1), StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify("s3cret=x", hash!));
        Assert.False(PasswordHasher.Verify("s3cret=y", hash!));
    }

    [Theory]
    [InlineData("*@example.com", "pw", "patterns authenticate by IP address only")]
    [InlineData("not an address", null, "not an email address")]
    [InlineData("ops*@example.com", null, "not an email address")]
    public async Task Users_that_cannot_be_are_refused_with_the_reason(string address, string? password, string said)
    {
        await _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 0);
        var e = await Assert.ThrowsAsync<StoreException>(() => _db.Accounts.AddUserAsync("CI00123456", address, password));
        Assert.Contains(said, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_is_added_once_per_account()
    {
        await _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 0);
        await _db.Accounts.AddUserAsync("CI00123456", "ops@example.com.au", null);
        var e = await Assert.ThrowsAsync<StoreException>(() => _db.Accounts.AddUserAsync("CI00123456", "OPS@example.com.au", null));
        Assert.Equal("ops@example.com.au is already a user of account CI00123456.", e.Message);
    }

    [Fact]
    public async Task Who_may_send_follows_every_change_at_once_whoever_makes_it()
    {
        await _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 0);
        Assert.Empty(await _db.Accounts.SenderCandidatesAsync("ops@example.com.au"));

        // Another store over the same file, as the operator's command line is while the gateway runs.
        using (var operatorsStore = new AccountStore(_db.Database, _db.Clock))
        {
            await operatorsStore.AddUserAsync("CI00123456", "ops@example.com.au", null);
            await operatorsStore.AddUserAsync("CI00123456", "*@example.com.au", null);
            await operatorsStore.AllowIpAsync("CI00123456", "203.0.113.0/24");
        }

        var candidates = await _db.Accounts.SenderCandidatesAsync("OPS@example.com.au");
        Assert.Equal(["ops@example.com.au", "*@example.com.au"], candidates.Select(c => c.Address).Order(StringComparer.Ordinal).Reverse());
        Assert.All(candidates, c => Assert.True(c.Allows(IPAddress.Parse("::ffff:203.0.113.7"))));
        Assert.Equal(new Core.Intake.Account("CI00123456", "AU"), await _db.Accounts.AccountRulesAsync("CI00123456", partSizes: null));

        await using (var connection = await _db.Database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE users SET disabled = 1 WHERE address = 'ops@example.com.au'");
            await connection.ExecuteAsync("DELETE FROM ip_rules");
            await connection.ExecuteAsync("UPDATE accounts SET country = 'NZ', relaxed_numbers = 1, max_parts = 3");
        }

        Assert.Equal(["*@example.com.au"], (await _db.Accounts.SenderCandidatesAsync("ops@example.com.au")).Select(c => c.Address));
        Assert.False((await _db.Accounts.SenderCandidatesAsync("ops@example.com.au"))[0].Allows(IPAddress.Parse("203.0.113.7")));
        Assert.Equal(new Core.Intake.Account("CI00123456", "NZ", RelaxedNumbers: true, MaxParts: 3), await _db.Accounts.AccountRulesAsync("CI00123456", partSizes: null));
        Assert.Null(await _db.Accounts.AccountRulesAsync("CI00999999", partSizes: null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("pbkdf2-sha256$0$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$10$not-base64$AAAA")]
    [InlineData("md5$1$a$b")]
    public void A_malformed_stored_hash_never_verifies(string stored)
    {
        Assert.False(PasswordHasher.Verify("anything", stored));
    }
}

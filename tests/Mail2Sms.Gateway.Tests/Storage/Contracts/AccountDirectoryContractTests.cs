using System.Net;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

public abstract class AccountDirectoryContractTests(string provider)
{
    private const string Id = "CI00123456";

    [Fact]
    public async Task An_account_comes_back_as_it_was_opened_with_its_opening_credits_in_the_ledger()
    {
        await using var store = await ContractStorage.OpenAsync(provider);

        var opened = await store.Storage.Accounts.AddAccountAsync(Id, "au", "Acme", relaxedNumbers: true, credits: 100, lowCreditWarning: 20);

        Assert.Equal(new AccountRecord(Id, "AU", "Acme", true, 12, 100, 20, store.Clock.GetUtcNow()) { SmsPerMinute = 0, ReplyWindowDays = null }, opened);
        Assert.Equal(opened, await store.Storage.Accounts.FindAccountAsync(Id));
        Assert.Equal([opened], await store.Storage.Accounts.ListAccountsAsync());
        Assert.Equal([new LedgerEntry(100, 100, "opening credits", store.Clock.GetUtcNow())], await store.Storage.Accounts.LedgerAsync(Id));
        Assert.Null(await store.Storage.Accounts.FindAccountAsync("CI00000000"));
    }

    [Fact]
    public async Task Accounts_are_listed_by_ID()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Accounts.AddAccountAsync("B2", null, null, false, 0);
        await store.Storage.Accounts.AddAccountAsync("A1", null, null, false, 0);

        Assert.Equal(["A1", "B2"], (await store.Storage.Accounts.ListAccountsAsync()).Select(a => a.Id));
    }

    [Theory]
    [InlineData("bad id", 0L, null, "'bad id' is not an account ID: use 1 to 32 letters, digits, - or _, such as CI00123456.")]
    [InlineData(Id, -1L, null, "An account cannot open with negative credits.")]
    [InlineData(Id, 0L, "Acme Company Ltd", "'Acme Company Ltd' cannot be a sender: use a number of up to 15 digits, or up to 11 letters, digits and spaces.")]
    public async Task An_account_that_cannot_open_is_refused_with_its_sentence(string id, long credits, string? sender, string sentence)
    {
        await using var store = await ContractStorage.OpenAsync(provider);

        var refused = await Assert.ThrowsAsync<StoreException>(() => store.Storage.Accounts.AddAccountAsync(id, "AU", sender, false, credits));

        Assert.Equal(sentence, refused.Message);
        Assert.Empty(await store.Storage.Accounts.ListAccountsAsync());
    }

    [Fact]
    public async Task A_second_account_of_one_ID_is_refused()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Accounts.AddAccountAsync(Id, "AU", null, false, 10);

        var refused = await Assert.ThrowsAsync<StoreException>(() => store.Storage.Accounts.AddAccountAsync(Id, "NZ", null, false, 50));

        Assert.Equal($"Account {Id} already exists.", refused.Message);
        Assert.Equal(("AU", 10L), ((await store.Storage.Accounts.FindAccountAsync(Id))!.Country, (await store.Storage.Accounts.FindAccountAsync(Id))!.Credits));
        Assert.Single(await store.Storage.Accounts.LedgerAsync(Id));
    }

    [Fact]
    public async Task Settings_given_change_and_the_rest_stay()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Accounts.AddAccountAsync(Id, "AU", "Acme", false, 10);

        var changed = await store.Storage.Accounts.SetAccountAsync(Id, new AccountChanges { Country = "nz", MaxParts = 3, ReplyWindowDays = 30, SmsPerMinute = 60 });

        Assert.Equal(("NZ", "Acme", false, 3, 30, 60), (changed.Country, changed.Sender, changed.RelaxedNumbers, changed.MaxParts, changed.ReplyWindowDays, changed.SmsPerMinute));
        var cleared = await store.Storage.Accounts.SetAccountAsync(Id, new AccountChanges { Sender = "", Country = "", ReplyWindowDays = 0 });
        Assert.Equal(((string?)null, (string?)null, (int?)null), (cleared.Sender, cleared.Country, cleared.ReplyWindowDays));
        Assert.Equal(cleared, await store.Storage.Accounts.FindAccountAsync(Id));
    }

    [Fact]
    public async Task Changes_that_cannot_be_made_are_refused_with_their_sentence()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Accounts.AddAccountAsync(Id, "AU", null, false, 10);

        async Task<string> Refused(string id, AccountChanges changes) =>
            (await Assert.ThrowsAsync<StoreException>(() => store.Storage.Accounts.SetAccountAsync(id, changes))).Message;

        Assert.Equal($"Nothing to change for account {Id}: give at least one setting.", await Refused(Id, new AccountChanges()));
        Assert.Equal("At most 256 parts an SMS cannot be: give 1 to 255 (an SMS of more parts is refused).", await Refused(Id, new AccountChanges { MaxParts = 256 }));
        Assert.Equal("There is no account CI00000000.", await Refused("CI00000000", new AccountChanges { MaxParts = 2 }));
        Assert.Equal(12, (await store.Storage.Accounts.FindAccountAsync(Id))!.MaxParts);
    }

    [Fact]
    public async Task Credits_change_through_the_ledger_and_never_go_below_zero()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Accounts.AddAccountAsync(Id, "AU", null, false, 10);

        Assert.Equal(60, await store.Storage.Accounts.CreditAsync(Id, 50, "top-up"));
        var refused = await Assert.ThrowsAsync<StoreException>(() => store.Storage.Accounts.CreditAsync(Id, -61, "too much"));

        Assert.Equal($"Account {Id} has 60 credits; taking 61 would leave it below zero.", refused.Message);
        Assert.Equal("There is no account CI00000000.", (await Assert.ThrowsAsync<StoreException>(() => store.Storage.Accounts.CreditAsync("CI00000000", 5, "x"))).Message);
        Assert.Equal(60, (await store.Storage.Accounts.FindAccountAsync(Id))!.Credits);
        Assert.Equal(["top-up", "opening credits"], (await store.Storage.Accounts.LedgerAsync(Id)).Select(e => e.Reason));
    }

    [Fact]
    public async Task Networks_are_kept_in_canonical_form_once_each_and_a_missing_one_cannot_be_removed()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Accounts.AddAccountAsync(Id, "AU", null, false, 10);

        Assert.Equal("203.0.113.0/24", await store.Storage.Accounts.AllowIpAsync(Id, "203.0.113.7/24"));
        Assert.Equal("203.0.113.0/24", await store.Storage.Accounts.AllowIpAsync(Id, "203.0.113.0/24"));
        Assert.Equal("2001:db8::1/128", await store.Storage.Accounts.AllowIpAsync(Id, "2001:DB8::1"));
        Assert.Equal(["2001:db8::1/128", "203.0.113.0/24"], await store.Storage.Accounts.AllowedNetworksAsync(Id));

        Assert.Equal("2001:db8::1/128", await store.Storage.Accounts.DisallowIpAsync(Id, "2001:db8::1"));
        Assert.Equal("198.51.100.1/32 was not allowed for account CI00123456.",
            (await Assert.ThrowsAsync<StoreException>(() => store.Storage.Accounts.DisallowIpAsync(Id, "198.51.100.1"))).Message);
        Assert.Equal("'203.0.113' is not an IP address or CIDR range, such as 203.0.113.5 or 203.0.113.0/24.",
            (await Assert.ThrowsAsync<StoreException>(() => store.Storage.Accounts.AllowIpAsync(Id, "203.0.113"))).Message);
        Assert.Equal("There is no account CI00000000.", (await Assert.ThrowsAsync<StoreException>(() => store.Storage.Accounts.AllowIpAsync("CI00000000", "203.0.113.5"))).Message);
        Assert.Equal(["203.0.113.0/24"], await store.Storage.Accounts.AllowedNetworksAsync(Id));
    }

    [Fact]
    public async Task Users_come_back_as_added_and_changed_and_refusals_name_the_rule()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Accounts.AddAccountAsync(Id, "AU", null, false, 10);

        Assert.Equal(new UserRecord(Id, "ops@example.com", true, false, true), await store.Storage.Accounts.AddUserAsync(Id, " Ops@Example.com ", "secret", receiptEmails: true));
        Assert.Equal(new UserRecord(Id, "*@example.net", false, false, false), await store.Storage.Accounts.AddUserAsync(Id, "*@example.net", null));
        Assert.Equal(new UserRecord(Id, "ops@example.com", false, true, true), await store.Storage.Accounts.SetUserAsync(Id, "OPS@example.com", null, disabled: true, password: ""));
        Assert.Equal(["*@example.net", "ops@example.com"], (await store.Storage.Accounts.UsersAsync(Id)).Select(u => u.Address));

        async Task<string> Refused(Func<Task> act) => (await Assert.ThrowsAsync<StoreException>(act)).Message;
        Assert.Equal($"ops@example.com is already a user of account {Id}.", await Refused(() => store.Storage.Accounts.AddUserAsync(Id, "ops@example.com", null)));
        Assert.Equal("*@example.org is a pattern: patterns authenticate by IP address only and have no password.",
            await Refused(() => store.Storage.Accounts.AddUserAsync(Id, "*@example.org", "secret")));
        Assert.Equal($"eve@example.com is not a user of account {Id}.", await Refused(() => store.Storage.Accounts.SetUserAsync(Id, "eve@example.com", true, null, null)));
        Assert.Equal("There is no account CI00000000.", await Refused(() => store.Storage.Accounts.AddUserAsync("CI00000000", "eve@example.com", null)));
    }

    [Fact]
    public async Task A_sender_is_found_by_address_or_domain_pattern_with_its_accounts_networks_and_disabled_users_are_not()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Accounts.AddAccountAsync(Id, "AU", null, false, 10);
        await store.Storage.Accounts.AllowIpAsync(Id, "203.0.113.0/24");
        await store.Storage.Accounts.AddUserAsync(Id, "ops@example.com", "secret");
        await store.Storage.Accounts.AddUserAsync(Id, "*@example.com", null);
        await store.Storage.Accounts.AddUserAsync(Id, "gone@example.com", null);
        await store.Storage.Accounts.SetUserAsync(Id, "gone@example.com", null, disabled: true, null);

        var found = await store.Storage.Accounts.SenderCandidatesAsync("OPS@example.com");

        Assert.Equal(["*@example.com", "ops@example.com"], found.Select(c => c.Address));
        var exact = found.Single(c => !c.IsPattern);
        Assert.NotNull(exact.PasswordHash);
        Assert.True(exact.Allows(IPAddress.Parse("::ffff:203.0.113.9")));
        Assert.False(exact.Allows(IPAddress.Parse("198.51.100.1")));
        Assert.Equal(["*@example.com"], (await store.Storage.Accounts.SenderCandidatesAsync("gone@example.com")).Select(c => c.Address));
        Assert.Empty(await store.Storage.Accounts.SenderCandidatesAsync("ops@example.org"));
    }

    [Fact]
    public async Task An_accounts_rules_for_intake_follow_its_settings_and_the_part_sizes_given()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Accounts.AddAccountAsync(Id, "AU", null, false, 10);
        await store.Storage.Accounts.SetAccountAsync(Id, new AccountChanges { Country = "NZ", RelaxedNumbers = true, MaxParts = 3 });

        Assert.Equal(new Core.Intake.Account(Id, "NZ", RelaxedNumbers: true, MaxParts: 3), await store.Storage.Accounts.AccountRulesAsync(Id, partSizes: null));
        Assert.Equal(Core.Text.PartSizes.SixteenBitReference, (await store.Storage.Accounts.AccountRulesAsync(Id, Core.Text.PartSizes.SixteenBitReference))!.PartSizes);
        Assert.Null(await store.Storage.Accounts.AccountRulesAsync("CI00000000", partSizes: null));
    }

    [Fact]
    public async Task A_change_made_through_another_storage_counts_in_this_ones_sender_directory_from_its_next_question()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await using var second = store.OpenSecond();
        await store.Storage.Accounts.AddAccountAsync(Id, "AU", null, false, 10);
        await store.Storage.Accounts.AddUserAsync(Id, "ops@example.com", "secret");
        Assert.Equal(["ops@example.com"], (await store.Storage.Accounts.SenderCandidatesAsync("ops@example.com")).Select(c => c.Address));
        Assert.Equal("AU", (await store.Storage.Accounts.AccountRulesAsync(Id, partSizes: null))!.Country);

        // As an operator on another node: the user disabled, a pattern and a network added, the account's rules changed.
        await second.Accounts.SetUserAsync(Id, "ops@example.com", null, disabled: true, null);
        await second.Accounts.AddUserAsync(Id, "*@example.com", null);
        await second.Accounts.AllowIpAsync(Id, "203.0.113.0/24");
        await second.Accounts.SetAccountAsync(Id, new AccountChanges { Country = "NZ", MaxParts = 2 });

        var found = Assert.Single(await store.Storage.Accounts.SenderCandidatesAsync("ops@example.com"));
        Assert.Equal(("*@example.com", true), (found.Address, found.Allows(IPAddress.Parse("203.0.113.9"))));
        Assert.Equal(new Core.Intake.Account(Id, "NZ", RelaxedNumbers: false, MaxParts: 2), await store.Storage.Accounts.AccountRulesAsync(Id, partSizes: null));
    }

    [Fact]
    public async Task Credits_taken_at_once_through_two_storages_stop_at_zero_and_each_change_is_in_the_ledger()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await using var second = store.OpenSecond();
        await store.Storage.Accounts.AddAccountAsync(Id, "AU", null, false, 20);

        var taken = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            try
            {
                return await (i % 2 == 0 ? store.Storage : second).Accounts.CreditAsync(Id, -1, "sent");
            }
            catch (StoreException)
            {
                return -1;
            }
        }));

        Assert.Equal(Enumerable.Range(0, 20).Select(b => (long)b), taken.Where(b => b >= 0).Order());
        Assert.Equal(0, (await second.Accounts.FindAccountAsync(Id))!.Credits);
        var ledger = await store.Storage.Accounts.LedgerAsync(Id, limit: 100);
        Assert.Equal(21, ledger.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(b => (long)b), ledger.Where(e => e.Reason == "sent").Select(e => e.Balance).Order());
    }
}

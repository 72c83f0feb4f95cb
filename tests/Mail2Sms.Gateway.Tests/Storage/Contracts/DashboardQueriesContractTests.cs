using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;
using static Mail2Sms.Gateway.Tests.Storage.Contracts.EmailCommitterContractTests;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

public abstract class DashboardQueriesContractTests(string provider)
{
    private static async Task<long> AcceptAsync(ContractStorage store, ReceivedEmail email, params (string Number, string Text)[] sms)
    {
        var outcome = await store.Storage.Emails.AcceptAsync(email, new Acceptance([.. sms.Select(s => new OutboundSms(s.Number, null, SmsText.From(s.Text), s.Number))], [], null));
        return outcome.EmailId ?? throw new InvalidOperationException($"not accepted: {outcome.Refusal}");
    }

    [Fact]
    public async Task The_search_filters_by_number_digits_account_status_text_sender_and_day()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await ContractAccounts.AddAsync(store, "CI00123456", 100);
        await ContractAccounts.AddAsync(store, "CI00000002", 100);
        await AcceptAsync(store, Email("<1@x>", "Disk full"), ("61412345678", "On db1, 2 GB left."));
        store.Clock.Advance(TimeSpan.FromDays(1));
        await AcceptAsync(store, Email("<2@x>", "Backup") with { AccountId = "CI00000002", Originator = "Nagios@Example.com" }, ("61499999999", "Backup done."));
        var dashboard = store.Storage.Dashboard;

        async Task<string[]> Numbers(SmsSearch search) => [.. (await dashboard.SearchAsync(search)).Select(s => s.Number)];
        Assert.Equal(["61499999999", "61412345678"], await Numbers(new SmsSearch()));
        Assert.Equal(["61412345678"], await Numbers(new SmsSearch(Number: "0412 345 678")));
        Assert.Equal(["61499999999"], await Numbers(new SmsSearch(AccountId: "ci00000002")));
        Assert.Equal(["61412345678"], await Numbers(new SmsSearch(Text: "DISK")));
        Assert.Equal(["61412345678"], await Numbers(new SmsSearch(Text: "db1")));
        Assert.Equal(["61499999999"], await Numbers(new SmsSearch { Sender = "nagios@" }));
        Assert.Equal(["61412345678"], await Numbers(new SmsSearch { To = new DateOnly(2026, 11, 25) }));
        Assert.Equal(["61499999999"], await Numbers(new SmsSearch { From = new DateOnly(2026, 11, 26) }));
        Assert.Empty(await Numbers(new SmsSearch(Status: "delivered")));
        Assert.Equal(2, (await Numbers(new SmsSearch(Status: "QUEUED"))).Length);
        var found = (await dashboard.SearchAsync(new SmsSearch(Number: "61412345678")))[0];
        Assert.Equal(("CI00123456", "Disk full", "On db1, 2 GB left.", "queued"), (found.AccountId, found.Subject, found.Text, found.Status));
    }

    [Fact]
    public async Task The_search_gives_a_page_and_one_more_to_tell_a_next_page_exists()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await ContractAccounts.AddAsync(store, "CI00123456", 1000);
        var sms = Enumerable.Range(0, IDashboardQueries.PageSize + 5).Select(i => ($"614{i:D8}", "Hello.")).ToArray();
        await AcceptAsync(store, Email(), sms);

        var first = await store.Storage.Dashboard.SearchAsync(new SmsSearch());
        var second = await store.Storage.Dashboard.SearchAsync(new SmsSearch(Page: 2));

        Assert.Equal(IDashboardQueries.PageSize + 1, first.Count);
        Assert.Equal(5, second.Count);
        Assert.Equal("61400000000", second[^1].Number);
    }

    [Fact]
    public async Task The_overview_counts_the_queue_today_accounts_and_credits_and_the_chart_counts_the_minute()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await ContractAccounts.AddAsync(store, "CI00123456", 10);
        await ContractAccounts.AddAsync(store, "CI00000002", 5);
        await AcceptAsync(store, Email(), ("61412345678", "One."), ("61412345679", "Two."));

        var overview = await store.Storage.Dashboard.OverviewAsync();
        var chart = await store.Storage.Dashboard.PerMinuteAsync(1);

        Assert.Equal((2L, 2L, 13L), (overview.Queued, overview.Accounts, overview.Credits));
        Assert.Equal(store.Clock.GetUtcNow(), overview.OldestQueuedAt);
        Assert.Equal([new StatusCount("queued", 2)], overview.Today);
        var minute = Assert.Single(chart.Active);
        Assert.Equal((2L, 0L, 0L, 0L), (minute.Accepted, minute.Submitted, minute.Delivered, minute.Failed));
        Assert.Equal(1, chart.Hours);
    }

    [Fact]
    public async Task The_sms_listing_is_newest_first_of_one_account_in_any_case_or_one_status()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await ContractAccounts.AddAsync(store, "CI00123456", 10);
        await ContractAccounts.AddAsync(store, "CI00000002", 10);
        await AcceptAsync(store, Email("<1@x>"), ("61412345678", "First."));
        await AcceptAsync(store, Email("<2@x>") with { AccountId = "CI00000002" }, ("61412345679", "Second."));

        Assert.Equal(["Second.", "First."], (await store.Storage.Dashboard.ListSmsAsync(null, null, 10)).Select(s => s.Text));
        Assert.Equal(["First."], (await store.Storage.Dashboard.ListSmsAsync("ci00123456", null, 10)).Select(s => s.Text));
        Assert.Single(await store.Storage.Dashboard.ListSmsAsync(null, "Queued", 1));
        Assert.Empty(await store.Storage.Dashboard.ListSmsAsync(null, "delivered", 10));
        Assert.Null(await store.Storage.Dashboard.EmailAsync(999));
        Assert.Null(await store.Storage.Dashboard.EmailOfSmsAsync(999));
    }
}

using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

public abstract class EmailCommitterContractTests(string provider)
{
    private const string Account = "CI00123456";

    internal static ReceivedEmail Email(string? messageId = "<1@example.com>", string subject = "Alert", params string[] recipients) => new(
        Account, messageId, "ops@example.com.au", "ops@example.com.au", "203.0.113.5", EmailFormat.Mobile, subject, 321,
        recipients.Length == 0 ? ["61412345678@sms.localhost"] : recipients);

    internal static Acceptance Sms(int count, string text = "Server 23 is offline.", string? csv = null, params RecipientFailure[] failures) => new(
        [.. Enumerable.Range(0, count).Select(i => new OutboundSms($"6141234{i:D4}", i == 0 ? "John" : null, SmsText.From(text), $"[{i + 1}]"))],
        failures, csv);

    private async Task<ContractStorage> OpenAsync(long credits)
    {
        var store = await ContractStorage.OpenAsync(provider);
        await ContractAccounts.AddAsync(store, Account, credits);
        return store;
    }

    [Fact]
    public async Task An_accepted_email_is_found_with_its_queued_sms_its_failures_and_the_balance_after_its_debit()
    {
        await using var store = await OpenAsync(10);
        var failure = new RecipientFailure("[3]", Reasons.Create(ReasonCode.InvalidNumber, "'123' is too short."));

        var outcome = await store.Storage.Emails.AcceptAsync(Email(), Sms(2, new string('a', 200), null, failure));

        Assert.Null(outcome.Refusal);
        Assert.Equal(6, outcome.Balance);
        var email = await store.Storage.Dashboard.EmailAsync(outcome.EmailId!.Value);
        Assert.NotNull(email);
        Assert.Equal((Account, "Alert", 4L, "ops@example.com.au"), (email.AccountId, email.Subject, email.Credits, email.MailFrom));
        Assert.Equal([("61412340000", "John", 2, "queued"), ("61412340001", null, 2, "queued")],
            email.Sms.Select(s => (s.Number, s.Name, s.Parts, s.Status)));
        var refused = Assert.Single(email.Refused);
        Assert.Equal(("[3]", "'123' is too short."), (refused.Location, refused.Reason));
        Assert.Equal(outcome.EmailId, await store.Storage.Dashboard.EmailOfSmsAsync(email.Sms[0].Id));
    }

    [Fact]
    public async Task An_email_its_account_cannot_pay_for_is_refused_with_the_credits_it_needs_and_nothing_is_kept()
    {
        await using var store = await OpenAsync(3);

        var outcome = await store.Storage.Emails.AcceptAsync(Email(), Sms(2, new string('a', 200)));

        Assert.Null(outcome.EmailId);
        Assert.Equal(3, outcome.Balance);
        Assert.Equal(ReasonCode.InsufficientCredits, outcome.Refusal?.Code);
        Assert.Equal(Reasons.InsufficientCredits(4, 3).Text, outcome.Refusal?.Text);
        Assert.Empty(await store.Storage.Dashboard.ListSmsAsync(null, null, 10));
    }

    [Fact]
    public async Task Emails_committed_together_never_spend_more_credits_than_the_account_has()
    {
        await using var store = await OpenAsync(5);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => store.Storage.Emails.AcceptAsync(Email($"<{i}@x>"), Sms(1))));

        Assert.Equal(5, outcomes.Count(o => o.EmailId is not null));
        Assert.All(outcomes.Where(o => o.EmailId is null), o => Assert.Equal(ReasonCode.InsufficientCredits, o.Refusal?.Code));
        Assert.Equal(5, (await store.Storage.Dashboard.ListSmsAsync(Account, null, 20)).Count);
    }

    [Fact]
    public async Task A_csv_file_name_is_accepted_once_per_account()
    {
        await using var store = await OpenAsync(10);
        const string Name = "CI00123456161223151959.csv";

        Assert.Null((await store.Storage.Emails.AcceptAsync(Email("<a@x>"), Sms(1, csv: Name))).Refusal);
        var again = await store.Storage.Emails.AcceptAsync(Email("<b@x>"), Sms(1, csv: Name));

        Assert.Null(again.EmailId);
        Assert.Equal(ReasonCode.CsvDuplicate, again.Refusal?.Code);
        Assert.Single(await store.Storage.Dashboard.ListSmsAsync(null, null, 10));
    }

    [Fact]
    public async Task A_resent_email_is_recognised_by_message_id_and_recipient_within_the_resend_window_only()
    {
        await using var store = await OpenAsync(10);
        var emails = store.Storage.Emails;
        string[] recipients = ["<61412345678@SMS.localhost>", "61412345679@sms.localhost"];
        Assert.Null((await emails.AcceptAsync(Email("<1@x>", "Alert", "61412345678@sms.localhost"), Sms(1))).Refusal);

        Assert.Equal(["61412345678@sms.localhost"], await emails.AlreadyServedAsync(Account, "<1@x>", recipients));
        Assert.Empty(await emails.AlreadyServedAsync(Account, "<2@x>", recipients));
        Assert.Empty(await emails.AlreadyServedAsync(Account, null, recipients));
        var resent = await emails.AcceptAsync(Email("<1@x>", "Alert", recipients), Sms(1));
        Assert.Null(resent.EmailId);
        Assert.Null(resent.Refusal);
        Assert.Equal(["61412345678@sms.localhost"], resent.AlreadyServed);
        Assert.Single(await store.Storage.Dashboard.ListSmsAsync(null, null, 10));

        store.Clock.Advance(IEmailCommitter.ResendWindow + TimeSpan.FromMinutes(1));
        Assert.Empty(await emails.AlreadyServedAsync(Account, "<1@x>", recipients));
        Assert.NotNull((await emails.AcceptAsync(Email("<1@x>", "Alert", "61412345678@sms.localhost"), Sms(1))).EmailId);
    }

    [Fact]
    public async Task An_api_request_gets_its_answer_composed_in_the_commit_from_its_sms_ids_in_order_and_the_balance()
    {
        await using var store = await OpenAsync(10);
        var request = Email(null) with { Answer = new RequestAnswer(null, 202, (ids, balance) => $"sms {string.Join(',', ids)}, balance {balance}") };

        var outcome = await store.Storage.Emails.AcceptAsync(request, Sms(2));

        var ids = (await store.Storage.Dashboard.EmailAsync(outcome.EmailId!.Value))!.Sms.Select(s => s.Id);
        Assert.Equal($"sms {string.Join(',', ids)}, balance 8", outcome.Answer);
        Assert.Null((await store.Storage.Emails.AcceptAsync(request, Sms(9))).Answer);
    }

    [Fact]
    public async Task An_api_request_is_found_with_source_api_and_no_envelope_sender_and_an_email_with_source_email()
    {
        await using var store = await OpenAsync(10);
        var request = Email(null) with { Originator = null, MailFrom = string.Empty, Source = IntakeSource.Api };

        var api = await store.Storage.Emails.AcceptAsync(request, Sms(1));
        var email = await store.Storage.Emails.AcceptAsync(Email(), Sms(1));

        var keptRequest = (await store.Storage.Dashboard.EmailAsync(api.EmailId!.Value))!;
        Assert.Equal((IntakeSource.Api, string.Empty, (string?)null), (keptRequest.Source, keptRequest.MailFrom, keptRequest.Originator));
        var keptEmail = (await store.Storage.Dashboard.EmailAsync(email.EmailId!.Value))!;
        Assert.Equal((IntakeSource.Email, "ops@example.com.au"), (keptEmail.Source, keptEmail.MailFrom));
    }

    [Fact]
    public async Task A_refused_email_is_kept_with_its_reply_listed_newest_first_found_by_sender_and_let_go_after_30_days()
    {
        await using var store = await OpenAsync(10);
        var emails = store.Storage.Emails;
        await emails.RecordRejectionAsync(new(Account, "<a@x>", "Nagios@Example.com", "bounces@example.com", "203.0.113.5", ["0412345678@sms.localhost"], "Disk full",
            "insufficient_credits", "550 5.7.1 Not enough credits."));
        store.Clock.Advance(TimeSpan.FromMinutes(1));
        await emails.RecordRejectionAsync(new(null, null, null, "x@unknown.example", "198.51.100.7", ["a@sms.localhost", "b@sms.localhost"], "hi",
            "authentication_failed", "535 5.7.8 Who are you?"));

        var kept = await store.Storage.Dashboard.RejectionsAsync(10);
        Assert.Equal(["authentication_failed", "insufficient_credits"], kept.Select(r => r.Reason));
        Assert.Equal(["a@sms.localhost", "b@sms.localhost"], kept[0].Recipients);
        Assert.Equal(("535 5.7.8 Who are you?", store.Clock.GetUtcNow()), (kept[0].Reply, kept[0].ReceivedAt));
        Assert.Equal("Disk full", Assert.Single(await store.Storage.Dashboard.RejectionsAsync(10, "nagios@")).Subject);
        Assert.Single(await store.Storage.Dashboard.RejectionsAsync(10, "BOUNCES"));
        Assert.Single(await store.Storage.Dashboard.RejectionsAsync(1));

        store.Clock.Advance(IEmailCommitter.RejectionsKept);
        await emails.RecordRejectionAsync(new(Account, null, null, "later@example.com", null, ["c@sms.localhost"], "later", "invalid_number", "550 5.1.1 No."));
        Assert.Equal(["invalid_number", "authentication_failed"], (await store.Storage.Dashboard.RejectionsAsync(10)).Select(r => r.Reason));
    }
}

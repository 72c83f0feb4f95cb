using Dapper;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;

namespace Mail2Sms.Gateway.Tests.Storage;

public sealed class EmailStoreTests : IDisposable
{
    private readonly TempDatabase _db = new();
    public EmailStoreTests()
    {
        _db.Accounts.AddAccountAsync("CI00123456", "AU", null, false, 10).GetAwaiter().GetResult();
    }

    public void Dispose() => _db.Dispose();

    private static ReceivedEmail Email(string? messageId = "<1@example.com>", EmailFormat format = EmailFormat.Mobile, params string[] recipients) => new(
        "CI00123456", messageId, "ops@example.com.au", "ops@example.com.au", "203.0.113.5", format, "Alert", 321,
        recipients.Length == 0 ? ["61412345678@sms.localhost"] : recipients);

    private static Acceptance Sms(int count, string text = "Server 23 is offline.", string? csv = null, params RecipientFailure[] failures) => new(
        Enumerable.Range(0, count).Select(i => new OutboundSms($"6141234{i:D4}", i == 0 ? "John" : null, SmsText.From(text), $"[{i + 1}]")).ToList(),
        failures, csv);

    [Fact]
    public async Task An_accepted_email_is_committed_with_its_queued_sms_failures_and_debit()
    {
        var failure = new RecipientFailure("[3]", Reasons.Create(ReasonCode.InvalidNumber, "'123' is too short."));
        var outcome = await _db.Emails.AcceptAsync(Email(), Sms(2, new string('a', 200), null, failure));
        Assert.Null(outcome.Refusal);
        Assert.Equal(6, outcome.Balance);

        await using var connection = await _db.Database.OpenAsync();
        var sms = (await connection.QueryAsync<(string Number, string? Name, string Encoding, long Parts, string Status, long Priority)>(
            "SELECT number, name, encoding, parts, status, priority FROM sms WHERE email_id = @id ORDER BY id", new { id = outcome.EmailId })).ToList();
        Assert.Equal([("61412340000", "John", "Gsm7", 2L, "queued", 0L), ("61412340001", null, "Gsm7", 2L, "queued", 0L)], sms);
        Assert.Equal(("[3]", "InvalidNumber"), await connection.QuerySingleAsync<(string, string)>("SELECT location, code FROM email_failures"));
        Assert.Equal((-4L, 6L, $"email {outcome.EmailId}"), (await _db.Accounts.LedgerAsync("CI00123456")).Select(l => (l.Delta, l.Balance, l.Reason)).First());
    }

    [Fact]
    public async Task An_api_requests_answer_is_kept_for_its_idempotency_key_in_the_commit_of_its_sms_and_not_when_refused()
    {
        var keys = new ApiStore(_db.Database, _db.Clock);
        Assert.Null(await keys.ClaimIdempotencyKeyAsync("CI00123456", "job-1", "hash-1"));
        Assert.Null(await keys.ClaimIdempotencyKeyAsync("CI00123456", "job-2", "hash-2"));
        ReceivedEmail Request(string key) => Email(null) with { Answer = new RequestAnswer(key, 202, (ids, balance) => $"sms {string.Join(',', ids)}, balance {balance}") };

        var accepted = await _db.Emails.AcceptAsync(Request("job-1"), Sms(2));
        await using var connection = await _db.Database.OpenAsync();
        var ids = string.Join(',', await connection.QueryAsync<long>("SELECT id FROM sms WHERE email_id = @id ORDER BY id", new { id = accepted.EmailId }));
        Assert.Equal($"sms {ids}, balance 8", accepted.Answer);
        // What a retry finds, had the process died the moment the commit was done.
        Assert.Equal(new IdempotentResponse(202, accepted.Answer, "hash-1"), await keys.ClaimIdempotencyKeyAsync("CI00123456", "job-1", "hash-1"));

        var refused = await _db.Emails.AcceptAsync(Request("job-2"), Sms(9));
        Assert.NotNull(refused.Refusal);
        Assert.Equal(new IdempotentResponse(null, null, "hash-2"), await keys.ClaimIdempotencyKeyAsync("CI00123456", "job-2", "hash-2"));
    }

    [Fact]
    public async Task An_email_that_needs_more_credits_than_the_account_holds_is_refused_whole()
    {
        var outcome = await _db.Emails.AcceptAsync(Email(), Sms(11));
        Assert.Null(outcome.EmailId);
        Assert.Equal(ReasonCode.InsufficientCredits, outcome.Refusal?.Code);
        Assert.Contains("needs 11 credits but the account has 10", outcome.Refusal?.Text, StringComparison.Ordinal);
        await using var connection = await _db.Database.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM sms"));
        Assert.Equal(10, (await _db.Accounts.FindAccountAsync("CI00123456"))!.Credits);
    }

    [Fact]
    public async Task A_csv_file_name_is_used_once_and_a_refused_duplicate_costs_nothing()
    {
        Assert.Null((await _db.Emails.AcceptAsync(Email("<a@x>", EmailFormat.Csv), Sms(1, csv: "CI00123456161223151959.csv"))).Refusal);
        var duplicate = await _db.Emails.AcceptAsync(Email("<b@x>", EmailFormat.Csv), Sms(1, csv: "CI00123456161223151959.csv"));
        Assert.Equal(ReasonCode.CsvDuplicate, duplicate.Refusal?.Code);
        Assert.Contains("CI00123456161223151959.csv was sent before", duplicate.Refusal?.Text, StringComparison.Ordinal);
        Assert.Equal(9, (await _db.Accounts.FindAccountAsync("CI00123456"))!.Credits);
    }

    [Fact]
    public async Task A_resent_message_id_is_recognised_per_recipient_for_24_hours()
    {
        await _db.Emails.AcceptAsync(Email("<1@x>", EmailFormat.Mobile, "61412345678@sms.localhost"), Sms(1));
        var recipients = new[] { "<61412345678@SMS.localhost>", "61412345679@sms.localhost" };
        Assert.Equal(["61412345678@sms.localhost"], await _db.Emails.AlreadyServedAsync("CI00123456", "<1@x>", recipients));
        Assert.Empty(await _db.Emails.AlreadyServedAsync("CI00123456", "<2@x>", recipients));
        Assert.Empty(await _db.Emails.AlreadyServedAsync("CI00123456", null, recipients));

        _db.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        Assert.Empty(await _db.Emails.AlreadyServedAsync("CI00123456", "<1@x>", recipients));
        Assert.Null((await _db.Emails.AcceptAsync(Email("<1@x>", EmailFormat.Mobile, "61412345678@sms.localhost"), Sms(1))).Refusal);
        Assert.Single(await _db.Emails.AlreadyServedAsync("CI00123456", "<1@x>", recipients));
    }

    [Fact]
    public async Task Concurrent_emails_against_the_last_credits_never_overspend()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => _db.Emails.AcceptAsync(Email($"<{i}@x>"), Sms(1))));
        Assert.Equal(10, outcomes.Count(o => o.Refusal is null));
        Assert.All(outcomes.Where(o => o.Refusal is not null), o => Assert.Equal(ReasonCode.InsufficientCredits, o.Refusal!.Code));
        Assert.Equal(0, (await _db.Accounts.FindAccountAsync("CI00123456"))!.Credits);
        await using var connection = await _db.Database.OpenAsync();
        Assert.Equal(10, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM sms"));
    }

    [Fact]
    public async Task An_api_request_kept_before_migration_0022_with_mail_from_api_reads_as_source_api_and_an_email_as_source_email()
    {
        var request = await _db.Emails.AcceptAsync(Email(null) with { Originator = null, MailFrom = "api" }, Sms(1));
        var email = await _db.Emails.AcceptAsync(Email() with { MailFrom = "api@example.com" }, Sms(1));
        await using (var connection = await _db.Database.OpenAsync())
        {
            // Back to the schema an older version kept these rows in: no source, the request told apart by MAIL FROM 'api'.
            await connection.ExecuteAsync("ALTER TABLE emails DROP COLUMN source; DELETE FROM schema_migrations WHERE version = '0022_email_source'");
        }

        Assert.Equal(1, await _db.Database.MigrateAsync());

        var keptRequest = (await _db.Dashboard.EmailAsync(request.EmailId!.Value))!;
        Assert.Equal((IntakeSource.Api, string.Empty), (keptRequest.Source, keptRequest.MailFrom));
        var keptEmail = (await _db.Dashboard.EmailAsync(email.EmailId!.Value))!;
        Assert.Equal((IntakeSource.Email, "api@example.com"), (keptEmail.Source, keptEmail.MailFrom));
    }
}

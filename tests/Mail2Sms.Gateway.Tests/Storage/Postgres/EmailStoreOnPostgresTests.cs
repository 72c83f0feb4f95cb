using Dapper;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Postgres;
using Mail2Sms.Tests.Shared;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Mail2Sms.Gateway.Tests.Storage.Postgres;

/// <summary>
/// The email committer and the census on PostgreSQL as several nodes use them: two <see cref="PostgresStorage"/> on one database
/// (two nodes, each with its own pool and commit loops). Accounts and users are seeded with SQL.
/// </summary>
public sealed class EmailStoreOnPostgresTests : IAsyncLifetime
{
    private const string Account = "CI00123456";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly List<PostgresStorage> _nodes = [];

    private PostgresStorage NodeA => _nodes[0];

    private PostgresStorage NodeB => _nodes[1];

    public async Task InitializeAsync()
    {
        var connection = await PostgresServer.CreateDatabaseAsync();
        _nodes.Add(new PostgresStorage(new PostgresDatabase(connection), _clock));
        _nodes.Add(new PostgresStorage(new PostgresDatabase(connection), _clock));
        await NodeA.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private async Task<T> SqlAsync<T>(string sql, object? values = null)
    {
        await using var connection = await NodeA.Database.OpenAsync();
        return await connection.ExecuteScalarAsync<T>(sql, values) ?? throw new InvalidOperationException($"no answer to {sql}");
    }

    private Task<int> AddAccountAsync(long credits, long lowCreditWarning = 0) => SqlAsync<int>(
        "INSERT INTO accounts (id, country, credits, low_credit_warning, created_at) VALUES (@Account, 'AU', @credits, @lowCreditWarning, @now) RETURNING 1",
        new { Account, credits, lowCreditWarning, now = _clock.GetUtcNow() });

    private static ReceivedEmail Email(string? messageId, params string[] recipients) => new(
        Account, messageId, "ops@example.com.au", "ops@example.com.au", "203.0.113.5", EmailFormat.Mobile, "Alert", 321,
        recipients.Length == 0 ? ["61412345678@sms.localhost"] : recipients);

    private static Acceptance Sms(int count, string? csv = null) =>
        new([.. Enumerable.Range(0, count).Select(i => new OutboundSms($"614{i:D8}", null, SmsText.From("Server 23 is offline."), $"[{i + 1}]"))], [], csv);

    [Fact]
    public async Task The_same_email_given_to_two_nodes_at_once_is_committed_once_and_the_other_is_told_its_recipients_were_served()
    {
        await AddAccountAsync(1000);

        for (var round = 0; round < 20; round++)
        {
            var email = Email($"<{round}@example.com>", "61412345678@sms.localhost", "61412345679@sms.localhost");
            var outcomes = await Task.WhenAll(NodeA.Emails.AcceptAsync(email, Sms(2)), NodeB.Emails.AcceptAsync(email, Sms(2)));

            var accepted = Assert.Single(outcomes, o => o.EmailId is not null);
            var resent = Assert.Single(outcomes, o => o.EmailId is null);
            Assert.Null(resent.Refusal);
            Assert.Equal(["61412345678@sms.localhost", "61412345679@sms.localhost"], resent.AlreadyServed!.Order(StringComparer.Ordinal));
        }

        Assert.Equal(40, await SqlAsync<long>("SELECT count(*) FROM sms"));
        Assert.Equal(1000 - 40, await SqlAsync<long>("SELECT credits FROM accounts"));
    }

    [Fact]
    public async Task Two_nodes_committing_against_the_last_credits_never_overdraw_and_the_ledger_adds_up()
    {
        await AddAccountAsync(25);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? NodeA : NodeB).Emails.AcceptAsync(Email($"<{i}@x>"), Sms(1))));

        Assert.Equal(25, outcomes.Count(o => o.EmailId is not null));
        Assert.All(outcomes.Where(o => o.EmailId is null), o => Assert.Equal(ReasonCode.InsufficientCredits, o.Refusal?.Code));
        Assert.Equal((0L, 25L, -25L), (await SqlAsync<long>("SELECT credits FROM accounts"), await SqlAsync<long>("SELECT count(*) FROM sms"),
            await SqlAsync<long>("SELECT sum(delta) FROM credit_ledger")));
        Assert.Equal([.. Enumerable.Range(0, 25).Select(i => 24L - i)], outcomes.Where(o => o.EmailId is not null).Select(o => o.Balance).OrderDescending());
    }

    [Fact]
    public async Task A_csv_name_sent_to_two_nodes_at_once_is_accepted_once_and_refused_as_a_duplicate_once()
    {
        await AddAccountAsync(100);

        var outcomes = await Task.WhenAll(
            NodeA.Emails.AcceptAsync(Email("<a@x>"), Sms(3, "CI00123456161223151959.csv")), NodeB.Emails.AcceptAsync(Email("<b@x>"), Sms(3, "CI00123456161223151959.csv")));

        Assert.Single(outcomes, o => o.EmailId is not null);
        Assert.Equal(97, Assert.Single(outcomes, o => o.Refusal?.Code == ReasonCode.CsvDuplicate).Balance);
        Assert.Equal((97L, 3L), (await SqlAsync<long>("SELECT credits FROM accounts"), await SqlAsync<long>("SELECT count(*) FROM sms")));
    }

    [Fact]
    public async Task A_bulk_csv_of_100000_rows_is_one_email_whose_sms_are_queued_in_row_order_and_counted_by_the_census()
    {
        await AddAccountAsync(200_000);

        var outcome = await NodeA.Emails.AcceptAsync(Email("<bulk@x>") with { Format = EmailFormat.Csv }, Sms(100_000, "bulk.csv"));

        Assert.Equal(100_000, outcome.Balance);
        Assert.Equal((100_000L, "61400000000", "61400099999"), (await SqlAsync<long>("SELECT count(*) FROM sms WHERE priority = 1"),
            await SqlAsync<string>("SELECT number FROM sms ORDER BY id LIMIT 1"), await SqlAsync<string>("SELECT number FROM sms ORDER BY id DESC LIMIT 1")));
        var census = await NodeB.Dashboard.CensusAsync(_clock.GetUtcNow());
        Assert.Equal((100_000L, 100_000L, _clock.GetUtcNow()), (census.ByStatus["queued"], census.Due, census.OldestQueuedAt));
    }

    [Fact]
    public async Task The_census_sums_the_status_counts_of_every_shard_written_by_both_nodes_connections()
    {
        await AddAccountAsync(1000);
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => (i % 2 == 0 ? NodeA : NodeB).Emails.AcceptAsync(Email($"<{i}@x>"), Sms(2))));
        await SqlAsync<int>("WITH moved AS (UPDATE sms SET status = 'delivered', final_at = @now WHERE id % 3 = 0 RETURNING 1) SELECT count(*) FROM moved", new { now = _clock.GetUtcNow() });

        var census = await NodeA.Dashboard.CensusAsync(_clock.GetUtcNow());

        Assert.True(await SqlAsync<long>("SELECT count(DISTINCT shard) FROM sms_status_counts WHERE status = 'queued'") > 1, "the commits wrote more than one shard");
        Assert.Equal((await SqlAsync<long>("SELECT count(*) FROM sms WHERE status = 'queued'"), 20L, 0L),
            (census.ByStatus["queued"], census.ByStatus["delivered"], census.ByStatus["failed"]));
        Assert.Equal(60, census.ByStatus.Values.Sum());
    }

    [Fact]
    public async Task A_debit_that_crosses_the_warning_level_queues_a_warning_to_each_user_with_a_mailbox_and_the_originator_once()
    {
        await AddAccountAsync(12, lowCreditWarning: 10);
        await SqlAsync<int>(
            """
            INSERT INTO users (account_id, address, created_at) VALUES (@Account, 'billing@example.com.au', @now), (@Account, '*@example.com.au', @now);
            SELECT 1
            """, new { Account, now = _clock.GetUtcNow() });
        OutboundMail Warn(LowCreditWarning w) => new("low_credit", string.Empty, w.Recipient,
            new MimeMessage { Subject = $"{w.Balance} credits left, below {w.Level}", Body = new TextPart("plain") { Text = "Top up." } });

        var first = await NodeA.Emails.AcceptAsync(Email("<1@x>"), Sms(1), warn: Warn);
        var crossing = await NodeB.Emails.AcceptAsync(Email("<2@x>"), Sms(2), warn: Warn);
        var below = await NodeA.Emails.AcceptAsync(Email("<3@x>"), Sms(1), warn: Warn);

        Assert.Equal((11L, 9L, 8L), (first.Balance, crossing.Balance, below.Balance));
        await using var connection = await NodeA.Database.OpenAsync();
        var queued = (await connection.QueryAsync<(string RcptTo, long EmailId)>("SELECT rcpt_to, email_id FROM outbound_mail WHERE kind = 'low_credit' ORDER BY rcpt_to")).ToList();
        Assert.Equal([("billing@example.com.au", crossing.EmailId!.Value), ("ops@example.com.au", crossing.EmailId!.Value)], queued);
    }
}

using Mail2Sms.Core.Delivery;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Tests.Shared;
using Microsoft.Data.Sqlite;
using MimeKit;
using Npgsql;

namespace Mail2Sms.Tests;

/// <summary>
/// <c>mail2sms db copy</c>, run as an operator runs it: a stopped gateway's SQLite store holding every kind of row,
/// made through the gateway's own contracts, copied into a fresh PostgreSQL database.
/// </summary>
public sealed class DbCopyTests : IAsyncLifetime
{
    private const string Account = "CI00000001";
    private const string Mobile = "61412345678";

    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-copy-").FullName;
    private string _apiKey = string.Empty;

    private string SourceFile => Path.Combine(_folder, "mail2sms.db");

    public async Task InitializeAsync()
    {
        await using var storage = StorageProviders.Find("sqlite")!.Open($"Data Source={SourceFile}", TimeProvider.System);
        await storage.MigrateAsync();
        await storage.Accounts.AddAccountAsync(Account, "AU", null, relaxedNumbers: false, credits: 100, lowCreditWarning: 5);
        await storage.Accounts.SetAccountAsync(Account, new AccountChanges { SmsPerMinute = 100 });
        await storage.Lockouts.CountFailureAsync("203.0.113.9", 5, TimeSpan.FromMinutes(15), unlessLocked: true);
        await storage.Replies.AddPartAsync(new ReplyPart("61412345678", "61400000001", 7, 2, 1, "the first half "));
        await storage.Accounts.AllowIpAsync(Account, "203.0.113.0/24");
        await storage.Accounts.AddUserAsync(Account, "ops@example.com", "user's secret", receiptEmails: true);
        await storage.Accounts.CreditAsync(Account, 50, "top-up");
        await storage.Operators.AddAsync("ops", "operator's secret");
        (_apiKey, _) = await storage.ApiKeys.AddKeyAsync(Account, "ci");
        await storage.ApiKeys.ClaimIdempotencyKeyAsync(Account, "request-1", "hash-1");
        await storage.ApiKeys.FinishIdempotencyKeyAsync(Account, "request-1", new IdempotentResponse(202, "{\"id\":1}"));
        await storage.ProtectionKeys.StoreAsync("key-1", "<key id=\"1\" />");
        var node = await storage.Nodes.RegisterAsync("mx1", 4242, null, null);

        var email = new ReceivedEmail(Account, "<m-1@example.com>", "ops@example.com", "ops@example.com", "203.0.113.5", EmailFormat.Mobile, "Server down", 120, ["x@sms.localhost"], "ops@example.com");
        var accepted = await storage.Emails.AcceptAsync(email, new Acceptance(
            [new OutboundSms(Mobile, "Bob", SmsText.From("Server 23 is offline"), "1"), new OutboundSms("61498765432", null, SmsText.From("Server 23 is offline"), "2")],
            [new RecipientFailure("line 3", Reasons.Create(ReasonCode.InvalidNumber, "0000 is not a mobile number"))], null), Mail("report", "ops@example.com"));
        Assert.NotNull(accepted.EmailId);
        await storage.Emails.RecordRejectionAsync(new RejectedEmail(null, "<m-2@example.com>", "eve@example.com", "eve@example.com", "198.51.100.7", ["x@sms.localhost"], "Hi", "UnknownSender", "550 5.7.1 unknown sender"));

        var claimed = await storage.Queue.ClaimAsync(10, TimeSpan.FromMinutes(5), new ClaimRules { SourcePool = ["61400000001"] }, node);
        Assert.Equal(2, claimed.Count);
        await storage.Queue.SubmittedAsync([(claimed.Single(c => c.Number == Mobile).Id, new SentParts(1, ["00000001"], Smpp.ReceiptIdForm.SameText))]);
        await storage.Queue.ReceiptsAsync([new SmsReceipt("a-receipt-before-its-submit", "DELIVRD")]);
        await storage.Replies.ReceiveAsync(Mobile, "61400000001", "STOP", TimeSpan.FromDays(7), (mobile, text, answered) => Mail("reply", answered.Originator));
    }

    [Fact]
    public async Task Every_table_is_copied_with_its_rows_counted_ids_kept_and_the_password_not_shown()
    {
        var target = await PostgresServer.CreateDatabaseAsync();
        var source = SourceCounts();
        Assert.All(source, t => Assert.True(t.Value > 0, $"the source's {t.Key} has no row to copy"));

        var (exitCode, output) = Cli.Run("db", "copy", "--from", SourceFile, "--to", target + ";Password=not-shown-anywhere");

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("not-shown-anywhere", output, StringComparison.Ordinal);
        Assert.Contains("password=***", output, StringComparison.OrdinalIgnoreCase);
        await using var connection = new NpgsqlConnection(target);
        await connection.OpenAsync();
        foreach (var (table, rows) in source)
        {
            Assert.Matches($"(?m)^{table} +{rows}$", output);
            Assert.Equal(rows, await ScalarAsync<long>(connection, $"SELECT count(*) FROM {table}"));
        }

        // The status counts are the copied rows', and each identity goes on past the highest ID copied.
        Assert.Equal(
            await ScalarAsync<string>(connection, "SELECT string_agg(status || '=' || n, ',' ORDER BY status) FROM (SELECT status, count(*) AS n FROM sms GROUP BY status) s"),
            await ScalarAsync<string>(connection, "SELECT string_agg(status || '=' || n, ',' ORDER BY status) FROM (SELECT status, sum(count) AS n FROM sms_status_counts GROUP BY status HAVING sum(count) <> 0) s"));
        Assert.True(await ScalarAsync<long>(connection, "SELECT nextval(pg_get_serial_sequence('sms', 'id'))") > await ScalarAsync<long>(connection, "SELECT max(id) FROM sms"));
        Assert.Equal(
            SourceText("SELECT group_concat(id || ':' || number || ':' || status || ':' || coalesce(claimed_by, ''), ',') FROM (SELECT * FROM sms ORDER BY id)"),
            await ScalarAsync<string>(connection, "SELECT string_agg(id || ':' || number || ':' || status || ':' || coalesce(claimed_by::text, ''), ',' ORDER BY id) FROM sms"));
        // Times as they were, to PostgreSQL's microsecond.
        Assert.Equal(
            SourceText("SELECT group_concat(received_at, ',') FROM (SELECT received_at FROM rejected_emails ORDER BY id)")!.Split(',')
                .Select(t => DateTimeOffset.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).Select(t => t.AddTicks(-(t.Ticks % 10))),
            (await ScalarAsync<string>(connection, "SELECT string_agg(received_at::text, ',' ORDER BY id) FROM rejected_emails"))!.Split(',')
                .Select(t => DateTimeOffset.Parse(t, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(await ScalarAsync<bool>(connection, "SELECT receipt_emails FROM users"));
    }

    [Fact]
    public async Task A_target_with_any_row_is_refused_and_left_as_it_was()
    {
        var target = await PostgresServer.CreateDatabaseAsync();
        Assert.Equal(0, Cli.Run("db", "copy", "--from", SourceFile, "--to", target).ExitCode);

        var (exitCode, output) = Cli.Run("db", "copy", "--from", SourceFile, "--to", target);

        Assert.Equal(1, exitCode);
        Assert.Contains("The target database is not empty (accounts: 1 rows,", output, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(target);
        await connection.OpenAsync();
        Assert.Equal(1, await ScalarAsync<long>(connection, "SELECT count(*) FROM accounts"));
    }

    [Fact]
    public void A_missing_source_is_refused_before_anything_is_written()
    {
        var (exitCode, output) = Cli.Run("db", "copy", "--from", Path.Combine(_folder, "nothing-here.db"), "--to", "Host=127.0.0.1;Port=1;Database=none");

        Assert.Equal(1, exitCode);
        Assert.Contains($"There is no database to copy at {Path.Combine(_folder, "nothing-here.db")}.", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "nothing-here.db")));
    }

    [Fact]
    public async Task The_copy_is_served_by_the_postgres_provider()
    {
        var target = await PostgresServer.CreateDatabaseAsync();
        Assert.Equal(0, Cli.Run("db", "copy", "--from", SourceFile, "--to", target).ExitCode);

        await using var storage = StorageProviders.Find("postgres")!.Open(target, TimeProvider.System);
        Assert.True(await storage.IsMigratedAsync());
        Assert.Equal(["<key id=\"1\" />"], await storage.ProtectionKeys.AllAsync());
        Assert.True(await storage.Operators.VerifyAsync("ops", "operator's secret"));
        // 100 opening credits, 50 added, 2 spent on the email's two SMS.
        Assert.Equal(148, (await storage.Accounts.FindAccountAsync(Account))!.Credits);
        Assert.Equal(["203.0.113.0/24"], await storage.Accounts.AllowedNetworksAsync(Account));
        Assert.True((await storage.Accounts.UsersAsync(Account)).Single().ReceiptEmails);
        Assert.Equal(Account, await storage.ApiKeys.AccountOfKeyAsync(_apiKey));
        Assert.True(await storage.Replies.IsOptedOutAsync(Account, Mobile));
        Assert.Equal(["report to ops@example.com", "reply to ops@example.com"], (await storage.Outbox.QueuedAsync(10)).Select(m => $"{m.Kind} to {m.RcptTo}"));
        // The SMS that was never submitted is still claimed by the copied node: it is queued again once that node's lease ends.
        Assert.Empty(await storage.Queue.ClaimAsync(10, TimeSpan.FromMinutes(5)));
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private static OutboundMail Mail(string kind, string to)
    {
        var message = new MimeMessage { Subject = kind };
        message.From.Add(new MailboxAddress("Mail2Sms", "postmaster@sms.localhost"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new TextPart("plain") { Text = kind };
        return new OutboundMail(kind, string.Empty, to, message);
    }

    // Every table of the source but those the store derives from the others, with its rows.
    private Dictionary<string, long> SourceCounts()
    {
        using var connection = new SqliteConnection($"Data Source={SourceFile};Mode=ReadOnly");
        connection.Open();
        using var tables = connection.CreateCommand();
        tables.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('schema_migrations', 'sms_status_counts', 'directory_version') ORDER BY name";
        var names = new List<string>();
        using (var reader = tables.ExecuteReader())
        {
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }

        return names.ToDictionary(n => n, n => Convert.ToInt64(SourceScalar($"SELECT count(*) FROM {n}"), System.Globalization.CultureInfo.InvariantCulture));
    }

    private string? SourceText(string sql) => SourceScalar(sql) as string;

    private object? SourceScalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={SourceFile};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T?)await command.ExecuteScalarAsync();
    }
}

using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Replies;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Tests;

/// <summary><c>mail2sms messages</c> over SMS committed by the store into a real SQLite file.</summary>
public sealed class MessagesCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-messages-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private string DatabasePath => Path.Combine(_folder, "mail2sms.db");

    private (int ExitCode, string Output) Run(params string[] args) => Cli.Run([.. args, $"--Database:ConnectionString=Data Source={DatabasePath}"]);

    private async Task Queue(string account, string number, string text)
    {
        var database = new SqliteDatabase($"Data Source={DatabasePath}");
        await database.MigrateAsync();
        using var accounts = new AccountStore(database, TimeProvider.System);
        if (await accounts.FindAccountAsync(account) is null)
        {
            await accounts.AddAccountAsync(account, "AU", null, false, 100);
        }

        var email = new ReceivedEmail(account, null, "ops@example.com.au", "ops@example.com.au", "127.0.0.1", EmailFormat.Mobile, "Alert", 100, [$"{number}@sms.localhost"]);
        await new SqliteStorage(database, TimeProvider.System).Emails.AcceptAsync(email, new Acceptance([new OutboundSms(number, null, SmsText.From(text), number)], [], null));
    }

    [Fact]
    public async Task The_newest_sms_are_listed_with_account_number_status_and_text()
    {
        await Queue("CI00000001", "61412345678", "Server 23 is offline.\nCall Bob.");
        await Queue("CI00000002", "61412345679", "Disk full on db1 €");
        var (exitCode, output) = Run("messages");
        Assert.Equal(0, exitCode);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\s+2 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d CI00000002\s+61412345679\s+queued\s+1xGsm7 Disk full on db1 €$", lines[0]);
        Assert.Matches(@"^\s+1 .* CI00000001\s+61412345678\s+queued\s+1xGsm7 Server 23 is offline\. / Call Bob\.$", lines[1]);
    }

    [Fact]
    public async Task Messages_filter_by_account_and_status_and_limit()
    {
        await Queue("CI00000001", "61412345678", "one");
        await Queue("CI00000002", "61412345679", "two");
        await Queue("CI00000002", "61412345680", "three");
        Assert.All(Run("messages", "--account", "ci00000002").Output.TrimEnd('\n').Split('\n'), l => Assert.Contains("CI00000002", l, StringComparison.Ordinal));
        Assert.Single(Run("messages", "--limit", "1").Output.TrimEnd('\n').Split('\n'));
        Assert.Equal((0, string.Empty), Run("messages", "--status", "delivered"));
        Assert.Equal(2, Run("messages", "--limit", "0").ExitCode);
    }

    [Fact]
    public async Task Replies_lists_each_reply_with_what_became_of_it_and_filters_the_unmatched_for_the_operator()
    {
        await Queue("CI00000001", "61412345678", "Server 23 is offline.");
        var database = new SqliteDatabase($"Data Source={DatabasePath}");
        var delivery = new DeliveryStore(database, TimeProvider.System);
        var sms = Assert.Single(await delivery.ClaimAsync(10, TimeSpan.FromMinutes(1)));
        await delivery.SubmittedAsync([(sms.Id, new SentParts(1, ["00000001"], Smpp.ReceiptIdForm.SameText))]);
        var replies = new Gateway.Mail.ReplyForwarder(new ReplyStore(database, TimeProvider.System), new Gateway.Mail.ReplyComposer("sms.localhost"), TimeSpan.FromDays(7));
        Assert.Equal(ReplyOutcome.Emailed, await replies.ReceiveAsync("61412345678", "Mail2Sms", "On it"));
        Assert.Equal(ReplyOutcome.Unmatched, await replies.ReceiveAsync("61499999999", "Mail2Sms", "who is this?"));

        var lines = Run("replies").Output.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\s+2 .* 61499999999\s+to Mail2Sms\s+unmatched\s+no SMS\s+who is this\?$", lines[0]);
        Assert.Matches($@"^\s+1 .* 61412345678\s+to Mail2Sms\s+emailed\s+sms {sms.Id} of CI00000001\s+On it$", lines[1]);
        Assert.Single(Run("replies", "--status", "unmatched").Output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Replies_assign_emails_an_unmatched_reply_to_whoever_sent_the_sms_and_refuses_with_the_reason()
    {
        await Queue("CI00000001", "61412345678", "Server 23 is offline.");
        await Queue("CI00000001", "61499999999", "Disk full on db1.");
        var database = new SqliteDatabase($"Data Source={DatabasePath}");
        var replies = new Gateway.Mail.ReplyForwarder(new ReplyStore(database, TimeProvider.System), new Gateway.Mail.ReplyComposer("sms.localhost"), TimeSpan.FromDays(7));
        // The reply came before the gateway recorded its SMS as submitted: it matched nothing.
        Assert.Equal(ReplyOutcome.Unmatched, await replies.ReceiveAsync("61412345678", "Mail2Sms", "On it"));
        var delivery = new DeliveryStore(database, TimeProvider.System);
        var sent = await delivery.ClaimAsync(10, TimeSpan.FromMinutes(1));
        foreach (var sms in sent)
        {
            await delivery.SubmittedAsync([(sms.Id, new SentParts(1, [$"{sms.Id}"], Smpp.ReceiptIdForm.SameText))]);
        }

        var (mine, other) = (sent.Single(s => s.Number == "61412345678").Id, sent.Single(s => s.Number == "61499999999").Id);
        Assert.Equal((1, $"SMS {other} went to 61499999999, not to 61412345678.\n"), Run("replies", "assign", "1", $"{other}"));
        Assert.Equal((0, $"Reply 1 assigned to SMS {mine} of CI00000001: emailed to ops@example.com.au.\n"), Run("replies", "assign", "1", $"{mine}"));
        var (exitCode, output) = Run("replies", "assign", "1", $"{mine}");
        Assert.Equal(1, exitCode);
        Assert.Matches($@"^Reply 1 was assigned to SMS {mine} by \S+ already\.\n$", output);
        Assert.Matches($@"^\s+1 .* 61412345678\s+to Mail2Sms\s+emailed\s+sms {mine} of CI00000001 \(assigned by \S+\)\s+On it\n$", Run("replies").Output);
        Assert.Equal("ops@example.com.au", Assert.Single(await new OutboxStore(database, TimeProvider.System).QueuedAsync(10)).RcptTo);
    }
}

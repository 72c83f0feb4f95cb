using System.Net;
using System.Text;
using Dapper;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Tests.Storage;
using MimeKit;

namespace Mail2Sms.Gateway.Tests.Intake;

/// <summary>Intake from a parsed email to a committed row and the reply, against a real SQLite file.</summary>
public sealed class IntakeServiceTests : IDisposable
{
    private const string Domain = "sms.localhost";
    private static readonly IPAddress Office = IPAddress.Parse("203.0.113.5");
    private readonly TempDatabase _db = new();
    private readonly IntakeService _intake;

    public IntakeServiceTests()
    {
        _intake = new IntakeService([Domain], new SenderAuthenticator(_db.Accounts, new PasswordLockout(_db.Storage.Lockouts, _db.Clock), new PasswordVerifier(_db.Clock)), _db.Accounts, _db.Emails, _db.Outbox);
        _db.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 5).GetAwaiter().GetResult();
        _db.Accounts.AllowIpAsync("CI00000001", "203.0.113.0/24").GetAwaiter().GetResult();
        _db.Accounts.AddUserAsync("CI00000001", "ops@example.com.au", null).GetAwaiter().GetResult();
    }

    public void Dispose() => _db.Dispose();

    private Task<SmtpReply> Send(string body, string subject = "Alert", string messageId = "<1@example.com.au>", params string[] to)
    {
        var text = $"From: Ops <ops@example.com.au>\r\nSubject: {subject}\r\nMessage-ID: {messageId}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n";
        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        var recipients = (to.Length == 0 ? ["0412345678"] : to).Select(r => $"{r}@{Domain}").ToList();
        return _intake.ReceiveAsync(new IncomingEmail(message, new Envelope("ops@example.com.au", recipients, Office), text.Length));
    }

    private async Task<List<(string Number, string Text)>> QueuedSms()
    {
        await using var connection = await _db.Database.OpenAsync();
        return (await connection.QueryAsync<(string, string)>("SELECT number, text FROM sms ORDER BY id")).ToList();
    }

    [Fact]
    public async Task An_authenticated_email_is_committed_before_it_is_accepted()
    {
        var reply = await Send("Server 23 is offline.");
        Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit.", reply.ToString());
        Assert.Equal([("61412345678", "Alert Server 23 is offline.")], await QueuedSms());
        Assert.Equal(4, (await _db.Accounts.FindAccountAsync("CI00000001"))!.Credits);
    }

    [Fact]
    public async Task A_resent_email_is_acknowledged_without_a_second_sms_or_charge_and_a_split_recipient_is_new()
    {
        await Send("Server 23 is offline.", to: "0412345678");
        var again = await Send("Server 23 is offline.", to: "0412345678");
        Assert.Equal("250 2.0.0 Already accepted: <1@example.com.au> was received before and is not sent again.", again.ToString());
        var split = await Send("Server 23 is offline.", to: ["0412345678", "0412345679"]);
        Assert.True(split.IsAccepted);
        Assert.Equal(["61412345678", "61412345679"], (await QueuedSms()).Select(s => s.Number));
        Assert.Equal(3, (await _db.Accounts.FindAccountAsync("CI00000001"))!.Credits);
    }

    [Fact]
    public async Task Copies_of_one_email_arriving_together_send_one_sms_and_charge_once()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Send("Server 23 is offline."))));
        Assert.All(replies, r => Assert.True(r.IsAccepted, r.ToString()));
        Assert.Single(replies, r => r.ToString().Contains("Accepted: 1 SMS queued", StringComparison.Ordinal));
        Assert.Single(await QueuedSms());
        Assert.Equal(4, (await _db.Accounts.FindAccountAsync("CI00000001"))!.Credits);
    }

    [Fact]
    public async Task A_resend_is_acknowledged_even_when_the_accounts_rules_now_refuse_it()
    {
        await Send("Server 23 is offline.", to: "0412345678");
        await using (var connection = await _db.Database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE accounts SET country = 'NZ' WHERE id = 'CI00000001'");
        }

        var fresh = await Send("Server 23 is offline.", messageId: "<2@example.com.au>", to: "0412345678");
        Assert.StartsWith("550 5.1.1", fresh.ToString(), StringComparison.Ordinal);
        var again = await Send("Server 23 is offline.", to: "0412345678");
        Assert.Equal("250 2.0.0 Already accepted: <1@example.com.au> was received before and is not sent again.", again.ToString());
        Assert.Single(await QueuedSms());
    }

    [Fact]
    public async Task Answering_a_reply_email_of_the_gateway_sends_only_the_new_text_back()
    {
        var reply = new MimeMessage { MessageId = "reply-1@sms.localhost", Subject = "Re: Alert" };
        reply.Body = new TextPart("plain") { Text = "ACK" };
        await _db.Outbox.QueueAsync(new Gateway.Storage.OutboundMail("reply", string.Empty, "ops@example.com.au", reply));

        var text = "From: Ops <ops@example.com.au>\r\nSubject: Re: Re: Alert\r\nMessage-ID: <2@example.com.au>\r\nIn-Reply-To: <reply-1@sms.localhost>\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\nThanks, handled.\r\n\r\nOn Wed, 25 Nov 2026, +61412345678 wrote:\r\n> ACK\r\n";
        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        var answer = await _intake.ReceiveAsync(new IncomingEmail(message, new Envelope("ops@example.com.au", ["61412345678@sms.localhost"], Office), text.Length));
        Assert.True(answer.IsAccepted, answer.ToString());
        Assert.Equal([("61412345678", "Thanks, handled.")], await QueuedSms());
    }

    [Fact]
    public async Task Partial_failures_are_accepted_and_counted_in_the_reply()
    {
        var reply = await Send("Disk full", to: ["0412345678", "0298765432"]);
        Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit; 1 failed and will be reported to ops@example.com.au.", reply.ToString());
    }

    [Fact]
    public async Task An_email_the_account_cannot_pay_for_is_refused_with_both_figures()
    {
        var reply = await Send(new string('x', 10), to: ["0412345670", "0412345671", "0412345672", "0412345673", "0412345674", "0412345675"]);
        Assert.Equal("550 5.7.1 This email needs 6 credits but the account has 5: buy credits or send fewer messages.", reply.ToString());
        Assert.Empty(await QueuedSms());
    }

    private async Task<List<(string RcptTo, MimeMessage Message)>> Warnings()
    {
        var queued = await _db.Outbox.QueuedAsync(100);
        Assert.All(queued, m => Assert.Equal(("low-credit", string.Empty), (m.Kind, m.MailFrom)));
        return queued.Select(m => (m.RcptTo, MimeMessage.Load(new MemoryStream(m.Message)))).ToList();
    }

    private static string[] Numbers(int count) => Enumerable.Range(0, count).Select(i => $"04123456{i:D2}").ToArray();

    [Fact]
    public async Task A_debit_that_crosses_the_warning_level_warns_once_until_a_top_up_lifts_the_account_back_above_it()
    {
        await _db.Accounts.CreditAsync("CI00000001", 5, "top-up");
        await _db.Accounts.SetAccountAsync("CI00000001", new AccountChanges { LowCreditWarning = 8 });

        Assert.True((await Send("Disk full", messageId: "<w1@example.com.au>", to: Numbers(3))).IsAccepted); // 10 -> 7
        var (to, warning) = Assert.Single(await Warnings());
        Assert.Equal(("ops@example.com.au", "Low credit: account CI00000001 has 7 credits left"), (to, warning.Subject));
        Assert.Equal(("auto-generated", "All"), (warning.Headers["Auto-Submitted"], warning.Headers["X-Auto-Response-Suppress"]));
        Assert.StartsWith("Account CI00000001 has 7 credits left, below its warning level of 8:\nthe email \"Alert\" took 3 just now.\n", warning.TextBody, StringComparison.Ordinal);
        Assert.Contains("To top up, ask the operator of your SMS gateway to add credits to account CI00000001.", warning.TextBody, StringComparison.Ordinal);

        Assert.True((await Send("Disk full", messageId: "<w2@example.com.au>", to: Numbers(1))).IsAccepted); // 7 -> 6: still below
        Assert.Single(await Warnings());

        Assert.Equal(20, await _db.Accounts.CreditAsync("CI00000001", 14, "top-up"));
        Assert.True((await Send("Disk full", messageId: "<w3@example.com.au>", to: Numbers(13))).IsAccepted); // 20 -> 7
        Assert.Equal(2, (await Warnings()).Count);
        Assert.Equal(7, (await _db.Accounts.FindAccountAsync("CI00000001"))!.Credits);
    }

    [Fact]
    public async Task The_warning_goes_to_each_user_with_a_mailbox_and_to_an_originator_that_only_a_pattern_matched()
    {
        await _db.Accounts.SetAccountAsync("CI00000001", new AccountChanges { LowCreditWarning = 5 });
        await _db.Accounts.AddUserAsync("CI00000001", "boss@example.com.au", "s3cret");
        await _db.Accounts.AddUserAsync("CI00000001", "*@monitor.example.com.au", null);
        var text = "From: nagios@monitor.example.com.au\r\nSubject: PROBLEM\r\nMessage-ID: <n1@monitor.example.com.au>\r\n\r\nHost db1 is down\r\n";
        var reply = await _intake.ReceiveAsync(new IncomingEmail(MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(text))),
            new Envelope("nagios@monitor.example.com.au", [$"0412345678@{Domain}"], Office), text.Length));
        Assert.True(reply.IsAccepted, reply.ToString());
        Assert.Equal(["boss@example.com.au", "ops@example.com.au", "nagios@monitor.example.com.au"], (await Warnings()).Select(w => w.RcptTo));
    }

    [Fact]
    public async Task An_unknown_sender_is_refused_before_anything_is_decided()
    {
        var text = "From: x@unknown.example\r\nSubject: hi\r\n\r\nhello\r\n";
        var reply = await _intake.ReceiveAsync(new IncomingEmail(MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(text))),
            new Envelope("x@unknown.example", [$"0412345678@{Domain}"], Office), text.Length));
        Assert.Equal("550 5.7.1 x@unknown.example is not registered to send SMS through this gateway: ask the gateway's operator to add it to your account.", reply.ToString());
    }

    [Fact]
    public async Task A_refused_email_is_kept_for_the_operator_with_the_reply_its_sender_got_but_never_its_body()
    {
        var text = "From: Ops <ops@example.com.au>\r\nSubject: <b>Disk</b> alert\r\nMessage-ID: <r1@example.com.au>\r\n\r\n[SENDER]\r\nCI00000001\r\nhunter2-secret\r\n[/SENDER]\r\nDisk full on db1\r\n";
        var reply = await _intake.ReceiveAsync(new IncomingEmail(MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(text))),
            new Envelope("bounces@example.com.au", [$"0298765432@{Domain}"], IPAddress.Parse("198.51.100.7")), text.Length));
        Assert.False(reply.IsAccepted);

        var kept = Assert.Single(await _db.Dashboard.RejectionsAsync(10));
        Assert.Equal((null, "r1@example.com.au", "ops@example.com.au", "bounces@example.com.au", "198.51.100.7", "<b>Disk</b> alert", reply.ToString()),
            (kept.AccountId, kept.MessageId, kept.Originator, kept.MailFrom, kept.ClientIp, kept.Subject, kept.Reply));
        Assert.Equal([$"0298765432@{Domain}"], kept.Recipients);
        Assert.Equal(_db.Clock.GetUtcNow(), kept.ReceivedAt);
        Assert.Single(await _db.Dashboard.RejectionsAsync(10, "BOUNCES@"));
        Assert.Empty(await _db.Dashboard.RejectionsAsync(10, "nagios"));
        await using var connection = await _db.Database.OpenAsync();
        Assert.DoesNotContain("hunter2", string.Join('|', (await connection.QueryAsync("SELECT * FROM rejected_emails")).SelectMany(r => (IDictionary<string, object?>)r).Select(c => c.Value)), StringComparison.Ordinal);

        // Kept 30 days: the next refusal lets older ones go.
        _db.Clock.Advance(IEmailCommitter.RejectionsKept + TimeSpan.FromMinutes(1));
        await Send("Server 23 is offline.", to: "0298765432");
        Assert.Equal(["invalid_number"], (await _db.Dashboard.RejectionsAsync(10)).Select(r => r.Reason));
    }

    [Fact]
    public async Task A_refusal_with_several_reasons_is_a_multi_line_reply()
    {
        var reply = await Send("Disk full", to: ["0298765432", "6140900000"]);
        Assert.Equal(
            "550-5.1.1 0298765432: '0298765432' is a fixed-line number of AU, not a mobile number.\r\n" +
            "550 5.1.1 6140900000: '6140900000' is not a valid mobile number: write it in international form with its country code, such as 61412345678.",
            reply.ToString());
    }

    [Fact]
    public void A_reply_names_at_most_twenty_reasons_and_counts_the_rest()
    {
        var reasons = Enumerable.Range(1, 100).Select(i => Reasons.Create(ReasonCode.InvalidNumber, $"line {i}: bad")).ToList();
        var reply = SmtpReply.Refused(new Rejection(reasons));
        Assert.Equal(SmtpReply.MaxLines, reply.Lines.Count);
        Assert.Equal("... and 81 more reasons like these.", reply.Lines[^1]);
    }

    [Fact]
    public async Task With_16_bit_concatenation_references_a_text_is_charged_by_the_parts_it_really_goes_in()
    {
        // 305 characters: two parts of 153, or three of 152.
        var body = $"X-Cellphone: 0412345678\n\n{new string('x', 305)}";
        Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 2 credits.", (await Send(body, messageId: "<udh8@example.com.au>", to: "smsmail")).ToString());

        var udh16 = new IntakeService([Domain], new SenderAuthenticator(_db.Accounts, new PasswordLockout(_db.Storage.Lockouts, _db.Clock), new PasswordVerifier(_db.Clock)), _db.Accounts, _db.Emails, _db.Outbox)
        {
            PartSizes = Core.Text.PartSizes.SixteenBitReference,
        };
        var text = $"From: Ops <ops@example.com.au>\r\nSubject: Alert\r\nMessage-ID: <udh16@example.com.au>\r\n\r\n{body}\r\n";
        var reply = await udh16.ReceiveAsync(new IncomingEmail(MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text))),
            new Envelope("ops@example.com.au", [$"smsmail@{Domain}"], Office), text.Length));
        Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 3 credits.", reply.ToString());
    }

    [Fact]
    public async Task A_disabled_user_is_refused_from_its_next_email_on_and_sends_again_once_enabled()
    {
        Assert.True((await Send("first", messageId: "<d1@example.com.au>")).IsAccepted);
        await _db.Accounts.SetUserAsync("CI00000001", "ops@example.com.au", receiptEmails: null, disabled: true, password: null);
        var refused = await Send("second", messageId: "<d2@example.com.au>");
        Assert.False(refused.IsAccepted, refused.ToString());

        await _db.Accounts.SetUserAsync("CI00000001", "ops@example.com.au", receiptEmails: null, disabled: false, password: null);
        Assert.True((await Send("third", messageId: "<d3@example.com.au>")).IsAccepted);
    }

    [Fact]
    public async Task Failures_past_the_cap_are_counted_in_the_reply_the_store_and_the_report_but_listed_only_up_to_it()
    {
        var csv = new StringBuilder("0412345678,Server 23 is offline.\n");
        for (var i = 0; i < 2500; i++)
        {
            csv.Append("0298765432,landline\n");
        }

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Ops", "ops@example.com.au"));
        message.Subject = "bulk";
        message.MessageId = "bulk@example.com.au";
        var body = new BodyBuilder { TextBody = "Bulk send" };
        body.Attachments.Add("CI00000001251125120000.csv", Encoding.UTF8.GetBytes(csv.ToString()), new ContentType("text", "csv"));
        message.Body = body.ToMessageBody();
        var intake = new IntakeService([Domain], new SenderAuthenticator(_db.Accounts, new PasswordLockout(_db.Storage.Lockouts, _db.Clock), new PasswordVerifier(_db.Clock)), _db.Accounts, _db.Emails, _db.Outbox)
        {
            MaxReportedFailures = 1000,
        };

        var reply = await intake.ReceiveAsync(new IncomingEmail(message, new Envelope("ops@example.com.au", [$"bulksms@{Domain}"], Office), csv.Length));

        Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit; 2500 failed and will be reported to ops@example.com.au (the first 1000 by name, and 1500 more).", reply.ToString());
        await using var connection = await _db.Database.OpenAsync();
        Assert.Equal(1000, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM email_failures"));
        Assert.Equal(2500, await connection.ExecuteScalarAsync<long>("SELECT failure_count FROM emails"));
        var report = MimeMessage.Load(new MemoryStream(Assert.Single(await _db.Outbox.QueuedAsync(10), m => m.Kind == "report").Message));
        var text = report.TextBody!.ReplaceLineEndings("\n");
        Assert.Contains("2500 were not sent, and will not be unless you send them again:\n\n  line 2, number 0298765432: ", text, StringComparison.Ordinal);
        Assert.Contains("\n  line 1001, number 0298765432: '0298765432' is a fixed-line number of AU, not a mobile number.\n  ... and 1500 more.\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("line 1002,", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusal_of_more_failures_than_the_cap_counts_them_all_in_its_last_line()
    {
        var refusal = SmtpReply.Refused(new Rejection([.. Enumerable.Range(1, 1000).Select(i => Reasons.Create(ReasonCode.InvalidNumber, $"line {i}: bad"))]) { ReasonCount = 1_000_000 });
        Assert.Equal(SmtpReply.MaxLines, refusal.Lines.Count);
        Assert.Equal("... and 999981 more reasons like these.", refusal.Lines[^1]);
    }

    [Fact]
    public async Task A_refused_email_keeps_its_subject_cut_to_998_characters()
    {
        var reply = await Send("Disk full", subject: new string('s', 100_000), to: "0298765432");
        Assert.False(reply.IsAccepted);
        var kept = Assert.Single(await _db.Dashboard.RejectionsAsync(10));
        Assert.Equal(new string('s', 997) + "\u2026", kept.Subject);
    }
}

using System.Net;
using System.Text;
using Dapper;
using Mail2Sms.Core.Delivery;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Replies;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Delivery.Smpp;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;
using Mail2Sms.Gateway.Tests.Storage;
using Mail2Sms.Smpp;
using Mail2Sms.Smpp.Tests;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Gateway.Tests.Delivery;

/// <summary>Queued SMS out through a real SMPP session to the simulator, receipts back, over loopback and a real SQLite file.</summary>
public sealed class DeliveryTests : IAsyncDisposable
{
    private readonly TempDatabase _db = new();
    private readonly SmscSimulator _smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(20) });
    private readonly CancellationTokenSource _stop = new();
    private readonly QueueSignal _signal = new();
    private SmppChannel? _channel;
    private Task _running = Task.CompletedTask;

    public DeliveryTests()
    {
        _db.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 100).GetAwaiter().GetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }

        await _smsc.DisposeAsync();
        _db.Dispose();
    }

    private void Start(DeliveryOptions? options = null, int? port = null, TimeProvider? clock = null, int binds = 1, int window = 10)
    {
        clock ??= TimeProvider.System;
        options ??= Fast;
        var queue = new DeliveryStore(_db.Database, clock);
        var replies = new ReplyRouter(new ReplyForwarder(new ReplyStore(_db.Database, clock), new ReplyComposer("sms.localhost"), TimeSpan.FromDays(7)));
        _channel = new SmppChannel(
            "smpp",
            new SmppClientOptions { Port = port ?? _smsc.Port, SystemId = "mail2sms", WindowSize = window, MinReconnectDelay = TimeSpan.FromMilliseconds(50), MaxReconnectDelay = TimeSpan.FromMilliseconds(100) },
            binds, options, new ReceiptApplier(queue).ApplyAsync, replies.RouteAsync, new ReplyStore(_db.Database, clock), clock: clock);
        var scheduler = new SmsScheduler(queue, _channel, _signal, options, clock, e => throw e);
        var sweeper = new ReportSweeper(queue, _channel, new ReportComposer("sms.localhost"), _signal, options, clock, e => throw e);
        _running = Task.WhenAll(scheduler.RunAsync(_stop.Token), sweeper.RunAsync(_stop.Token));
    }

    private static DeliveryOptions Fast => new()
    {
        PollInterval = TimeSpan.FromMilliseconds(20),
        SweepInterval = TimeSpan.FromMilliseconds(20),
        RetryDelay = TimeSpan.FromMilliseconds(50),
        UnknownGrace = TimeSpan.FromSeconds(1),
    };

    private Task<long> Queue(params string[] texts) => Queue(TimeProvider.System, texts);

    private Task<long> Queue(TimeProvider clock, params string[] texts) =>
        QueueFor("CI00000001", EmailFormat.Mobile, texts.Select((t, i) => ($"6141234567{i}", t)), clock);

    // One email of the account's, in the format, with an SMS for each number and text.
    private async Task<long> QueueFor(string account, EmailFormat format, IEnumerable<(string Number, string Text)> sms, TimeProvider? clock = null)
    {
        var messages = sms.Select((m, i) => new OutboundSms(m.Number, "Bob", SmsText.From(m.Text), $"{i}")).ToList();
        var originator = account == "CI00000001" ? "ops@example.com" : $"ops-{account}@example.com";
        var email = new ReceivedEmail(account, $"<alert-{Guid.NewGuid():N}@example.com>", originator, originator, "203.0.113.5", format, "Alert", 100, ["x@sms.localhost"]);
        var outcome = await new SqliteStorage(_db.Database, clock ?? TimeProvider.System).Emails.AcceptAsync(email, new Acceptance(messages, [], null));
        _signal.Set();
        return outcome.EmailId ?? throw new InvalidOperationException($"not accepted: {outcome.Refusal}");
    }

    // Through intake, as a registered user sending from the office network: the email records who sent it.
    private async Task SendAsync(MimeKit.MimeMessage message, params string[] recipients)
    {
        var intake = new IntakeService(["sms.localhost"], new SenderAuthenticator(_db.Accounts, new PasswordLockout(_db.Storage.Lockouts, _db.Clock), new PasswordVerifier(_db.Clock)),
            _db.Accounts, new SqliteStorage(_db.Database, TimeProvider.System).Emails, _db.Outbox);
        var from = message.From.Mailboxes.Single().Address;
        var reply = await intake.ReceiveAsync(new IncomingEmail(message, new Envelope(from, recipients, IPAddress.Parse("203.0.113.5")), 1000));
        Assert.True(reply.IsAccepted, reply.ToString());
    }

    private static MimeKit.MimeMessage Email(string from, string subject, string messageId, string body)
    {
        var builder = new MimeKit.BodyBuilder { TextBody = body };
        return new MimeKit.MimeMessage([MimeKit.MailboxAddress.Parse(from)], [], subject, builder.ToMessageBody()) { MessageId = messageId };
    }

    private async Task RegisterSendersAsync()
    {
        await _db.Accounts.AllowIpAsync("CI00000001", "203.0.113.0/24");
        await _db.Accounts.AddUserAsync("CI00000001", "ops@example.com", null, receiptEmails: true);
        await _db.Accounts.AddUserAsync("CI00000001", "dev@example.com", null);
    }

    private async Task AllReportedAsync(int emails)
    {
        await using var connection = await _db.Database.OpenAsync();
        await Waits.UntilAsync(async () => await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM emails WHERE delivery_reported_at IS NOT NULL") == emails,
            "every email's SMS final and reported");
    }

    private const string DeliveryLine = @"delivered \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(submitted \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)";

    private async Task<List<(string Status, string? Error, string? Ids)>> Sms()
    {
        await using var connection = await _db.Database.OpenAsync();
        return (await connection.QueryAsync<(string, string?, string?)>("SELECT status, last_error, smsc_message_ids FROM sms ORDER BY id")).ToList();
    }

    private async Task<long> Credits() => (await _db.Accounts.FindAccountAsync("CI00000001"))!.Credits;

    // A clock of the test's own, at the database clock's time, that shows which waits have begun.
    private WatchedClock Watched()
    {
        var clock = new WatchedClock();
        clock.SetUtcNow(_db.Clock.GetUtcNow());
        return clock;
    }

    // Each loop has looked at the queue since the count was taken: both are back asleep on a wait begun after it.
    private static Task LoopsLookedAgainAsync(WatchedClock clock, int since, TimeSpan poll, TimeSpan sweep) =>
        Waits.UntilAsync(() => clock.Started.Skip(since).Contains(poll) && clock.Started.Skip(since).Contains(sweep), "the scheduler and the sweeper back asleep");

    [Fact]
    public async Task A_queued_sms_is_submitted_and_its_receipt_makes_it_delivered()
    {
        await Queue("Server 23 is offline.");
        Start();
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered");
        var submit = Assert.Single(_smsc.Received.OfType<ShortMessage>());
        Assert.Equal(("Mail2Sms", (byte)5, "61412345670", (byte)1, (byte)1, (byte)0), (submit.SourceAddress, submit.SourceTon, submit.DestinationAddress, submit.DestinationTon, submit.RegisteredDelivery, submit.DataCoding));
        Assert.Equal("Server 23 is offline.", LongMessages.TextOf(submit));
        Assert.Equal("00000001", (await Sms())[0].Ids);
        await using var connection = await _db.Database.OpenAsync();
        await Waits.UntilAsync(async () => await connection.ExecuteScalarAsync<string?>("SELECT delivery_reported_at FROM emails") is not null, "the email settled");
        Assert.Empty(await _db.Outbox.QueuedAsync(10)); // every SMS arrived: no report
    }

    [Fact]
    public async Task A_long_sms_goes_in_parts_with_a_header_and_is_delivered_when_every_part_is()
    {
        var text = string.Concat(Enumerable.Repeat("Disk /var on db1 is full. ", 8)); // 208 characters: two parts
        await Queue(text);
        Start();
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered");
        var parts = _smsc.Received.OfType<ShortMessage>().ToList();
        Assert.Equal([(1, 2, 1), (1, 2, 2)], parts.Select(p => { var (r, t, s) = LongMessages.PartOf(p)!.Value; return (r, t, s); }));
        Assert.Equal(text, string.Concat(parts.Select(LongMessages.TextOf)));
    }

    [Fact]
    public async Task An_undeliverable_receipt_fails_the_sms_and_the_originator_gets_one_report_once_all_are_final()
    {
        _smsc.Options.Outcome = number => number == 1 ? "UNDELIV" : "DELIVRD";
        await Queue("nobody home", "somebody home");
        Start();
        // The simulator's first message fails: whichever SMS that is.
        await Waits.UntilAsync(async () => (await Sms()).Select(s => s.Status).Order().SequenceEqual(["delivered", "failed"]), "one failed, one delivered");
        var (number, text) = (await Sms())[0].Status == "failed" ? ("61412345670", "nobody home") : ("61412345671", "somebody home");
        await Waits.UntilAsync(async () => (await _db.Outbox.QueuedAsync(10)).Count == 1, "the delivery report");
        var report = Assert.Single(await _db.Outbox.QueuedAsync(10));
        Assert.Equal(("report", string.Empty, "ops@example.com"), (report.Kind, report.MailFrom, report.RcptTo));
        var message = MimeKit.MimeMessage.Load(new MemoryStream(report.Message));
        Assert.Equal("Not all of your SMS were delivered: Alert", message.Subject);
        Assert.Equal(
            "Of the SMS from your email \"Alert\", 1 reached its phone and 1 did not:\n\n"
            + $"  +{number} (Bob), failed: The SMS centre reported it UNDELIV: the phone did not get it.\n    \"{text}\"\n",
            message.TextBody);
        await Queue("a later one, delivered"); // settled only by a sweep after the report's
        await AllReportedAsync(2);
        Assert.Single(await _db.Outbox.QueuedAsync(10));
    }

    [Fact]
    public async Task A_user_with_receipt_emails_gets_one_threaded_receipt_once_the_alert_is_delivered_and_a_user_without_gets_none()
    {
        await RegisterSendersAsync();
        await SendAsync(Email("ops@example.com", "Alert", "alert-1@example.com", "Server 23 is offline."), "61412345678@sms.localhost");
        await SendAsync(Email("dev@example.com", "Build", "build-1@example.com", "Build 42 passed."), "61412345679@sms.localhost");
        Start();
        await AllReportedAsync(2);
        Assert.Equal(["delivered", "delivered"], (await Sms()).Select(s => s.Status));
        await SendAsync(Email("dev@example.com", "Build", "build-2@example.com", "Build 43 passed."), "61412345679@sms.localhost"); // settled only by a later sweep
        await AllReportedAsync(3);
        var receipt = Assert.Single(await _db.Outbox.QueuedAsync(10));
        Assert.Equal(("receipt", string.Empty, "ops@example.com"), (receipt.Kind, receipt.MailFrom, receipt.RcptTo));
        var message = MimeKit.MimeMessage.Load(new MemoryStream(receipt.Message));
        Assert.Equal("Delivered: Alert", message.Subject);
        Assert.Equal(("alert-1@example.com", "alert-1@example.com"), (message.InReplyTo, message.References.Single()));
        Assert.Equal(("auto-generated", "All"), (message.Headers["Auto-Submitted"], message.Headers["X-Auto-Response-Suppress"]));
        Assert.Matches(
            $"^The SMS from your email \"Alert\" reached its phone:\n\n  \\+61412345678, {DeliveryLine}\n    \"Alert Server 23 is offline.\"\n$",
            message.TextBody);
    }

    [Fact]
    public async Task A_bulk_email_from_a_user_with_receipt_emails_gets_one_receipt_listing_every_delivery_once_all_are_final()
    {
        await RegisterSendersAsync();
        var rows = Enumerable.Range(0, 5).Select(i => $"6141234567{i},Row {i} is due.").ToList();
        var builder = new MimeKit.BodyBuilder { TextBody = "The day's reminders." };
        builder.Attachments.Add("CI00000001261125090000.csv", Encoding.UTF8.GetBytes(string.Join("\r\n", rows)));
        await SendAsync(new MimeKit.MimeMessage([MimeKit.MailboxAddress.Parse("ops@example.com")], [], "Reminders", builder.ToMessageBody()) { MessageId = "bulk-1@example.com" },
            "bulksms@sms.localhost");
        Start();
        await AllReportedAsync(1);
        Assert.Equal(Enumerable.Repeat("delivered", 5), (await Sms()).Select(s => s.Status));
        var receipt = Assert.Single(await _db.Outbox.QueuedAsync(10));
        var message = MimeKit.MimeMessage.Load(new MemoryStream(receipt.Message));
        Assert.Equal(("Delivered: Reminders", "bulk-1@example.com"), (message.Subject, message.InReplyTo));
        Assert.StartsWith("The SMS from your email \"Reminders\" reached their phones:\n\n", message.TextBody, StringComparison.Ordinal);
        for (var i = 0; i < 5; i++)
        {
            Assert.Matches($"\n  \\+6141234567{i}, {DeliveryLine}\n    \"Row {i} is due.\"\n", message.TextBody);
        }
    }

    [Fact]
    public async Task A_user_with_receipt_emails_whose_email_was_not_all_delivered_gets_one_report_listing_both()
    {
        _smsc.Options.Outcome = number => number == 1 ? "UNDELIV" : "DELIVRD";
        await RegisterSendersAsync();
        await SendAsync(Email("ops@example.com", "Alert", "alert-2@example.com", "Server 23 is offline."), "61412345670@sms.localhost", "61412345671@sms.localhost");
        Start();
        await AllReportedAsync(1);
        var report = Assert.Single(await _db.Outbox.QueuedAsync(10));
        var message = MimeKit.MimeMessage.Load(new MemoryStream(report.Message));
        Assert.Equal(("report", "Not all of your SMS were delivered: Alert"), (report.Kind, message.Subject));
        Assert.Matches($"1 reached its phone and 1 did not:\n\n  \\+614123456\\d\\d, failed: .*\n.*\n\nDelivered:\n\n  \\+614123456\\d\\d, {DeliveryLine}\n", message.TextBody);
    }

    [Fact]
    public async Task A_permanent_refusal_fails_the_sms_at_once_with_the_reason_and_gives_the_credit_back()
    {
        _smsc.Options.SubmitStatus = CommandStatus.InvalidDestinationAddress;
        await Queue("bad number");
        Assert.Equal(99, await Credits());
        Start();
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "failed", "failed");
        Assert.Equal("The SMS centre refused it: InvalidDestinationAddress (0x0B).", (await Sms())[0].Error);
        Assert.Equal(100, await Credits());
        Assert.Single(_smsc.Received.OfType<ShortMessage>());
    }

    [Fact]
    public async Task An_smsc_that_is_down_when_the_sms_is_queued_gets_it_once_it_is_back()
    {
        var port = Waits.FreePort();

        await Queue("while you were out");
        Start(port: port); // the scheduler has found the channel down before Start returns, and claims nothing until it is up
        await Waits.UntilAsync(() => _channel!.Binds.Statuses[0].Since is not null, "the first bind refused");
        Assert.Equal("queued", (await Sms())[0].Status);
        await using var late = SmscSimulator.Start(IPAddress.Loopback, port, new SmscSimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(20) });
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered once the SMSC is back");
    }

    [Fact]
    public async Task Throttling_holds_the_sms_back_until_the_smsc_takes_it()
    {
        var (throttled, parts, submits) = (GatewayMetrics.ThrottlingEvents, GatewayMetrics.PartsSubmitted, GatewayMetrics.SubmitCount);
        _smsc.Options.Throttling = true;
        await Queue("patience");
        Start();
        // Throttled more than once: the SMSC has turned it away again, and it waits rather than fails.
        await Waits.UntilAsync(() => Submits().Count >= 2, "the SMS throttled and tried again");
        Assert.Equal("queued", (await Sms())[0].Status);
        _smsc.Options.Throttling = false;
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered after the throttling");

        // Counted for /metrics: the throttling, the part the SMSC took in the end and its submit's round trip.
        Assert.True(GatewayMetrics.ThrottlingEvents > throttled, "throttling counted");
        Assert.True(GatewayMetrics.PartsSubmitted > parts && GatewayMetrics.SubmitCount > submits, "the submit counted and timed");
    }

    [Fact]
    public async Task An_sms_past_its_validity_expires_unsent_and_its_credit_comes_back()
    {
        await Queue("too late");
        Start(Fast with { Validity = TimeSpan.Zero });
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "expired", "expired");
        Assert.Equal(100, await Credits());
        Assert.Empty(_smsc.Received.OfType<ShortMessage>());
    }

    [Fact]
    public async Task A_reply_from_the_mobile_is_emailed_to_the_originator_threaded_under_the_original()
    {
        await Queue("Server 23 is offline. Reply ACK to acknowledge.");
        Start();
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered");
        await _smsc.InjectAsync(new ShortMessage(CommandId.DeliverSm)
        {
            SourceTon = 1,
            SourceNpi = 1,
            SourceAddress = "61412345670",
            DestinationAddress = "Mail2Sms",
            Message = LongMessages.Gsm7("ACK, on my way"),
        });
        await Waits.UntilAsync(async () => (await _db.Outbox.QueuedAsync(10)).Count == 1, "the reply email queued");
        var mail = Assert.Single(await _db.Outbox.QueuedAsync(10));
        Assert.Equal(("reply", string.Empty, "ops@example.com"), (mail.Kind, mail.MailFrom, mail.RcptTo));
        var message = MimeKit.MimeMessage.Load(new MemoryStream(mail.Message));
        Assert.Equal("61412345670@sms.localhost", message.From.Mailboxes.Single().Address);
        Assert.Equal("Re: Alert", message.Subject);
        await using var connection = await _db.Database.OpenAsync();
        var original = (await connection.ExecuteScalarAsync<string>("SELECT message_id FROM emails"))!.Trim('<', '>');
        Assert.Equal((original, original), (message.InReplyTo, message.References.Single()));
        Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
        Assert.StartsWith("ACK, on my way\n\nOn ", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("you texted Bob (+61412345670):\n> Server 23 is offline. Reply ACK to acknowledge.", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_accounts_own_reply_window_decides_whether_a_late_reply_still_reaches_the_originator()
    {
        await Queue(_db.Clock, "Server 23 is offline.");
        await using (var connection = await _db.Database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE sms SET status = 'delivered', submitted_at = @at", new { at = Timestamps.Write(_db.Clock.GetUtcNow()) });
        }

        var replies = new ReplyForwarder(new ReplyStore(_db.Database, _db.Clock), new ReplyComposer("sms.localhost"), TimeSpan.FromDays(7));
        Task<ReplyOutcome> Reply(string text) => replies.ReceiveAsync("61412345670", "Mail2Sms", text);
        _db.Clock.Advance(TimeSpan.FromDays(5));
        await _db.Accounts.SetAccountAsync("CI00000001", new AccountChanges { ReplyWindowDays = 3 });
        Assert.Equal(ReplyOutcome.Unmatched, await Reply("five days on, past the account's 3"));
        await _db.Accounts.SetAccountAsync("CI00000001", new AccountChanges { ReplyWindowDays = 0 });
        Assert.Equal(ReplyOutcome.Emailed, await Reply("five days on, inside the gateway's 7"));
        _db.Clock.Advance(TimeSpan.FromDays(5));
        Assert.Equal(ReplyOutcome.Unmatched, await Reply("ten days on, past the gateway's 7"));
        await _db.Accounts.SetAccountAsync("CI00000001", new AccountChanges { ReplyWindowDays = 14 });
        Assert.Equal(ReplyOutcome.Emailed, await Reply("ten days on, inside the account's 14"));
        Assert.Equal(2, (await _db.Outbox.QueuedAsync(10)).Count(m => m.Kind == "reply"));
    }

    [Fact]
    public async Task A_reply_whose_two_parts_come_on_two_nodes_binds_is_joined_in_the_store_and_emailed_once()
    {
        await Queue("Server 23 is offline. Reply ACK to acknowledge.");
        Start();
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered");
        // A second node: its own bind to the SMS centre, its own handle on the same store.
        await using var otherSmsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions());
        var otherStore = new ReplyStore(new SqliteDatabase($"Data Source={_db.Path}"), TimeProvider.System);
        await using var otherNode = new SmppChannel("smpp", new SmppClientOptions { Port = otherSmsc.Port, SystemId = "mail2sms" }, 1, Fast, _ => Task.CompletedTask,
            new ReplyRouter(new ReplyForwarder(otherStore, new ReplyComposer("sms.localhost"), TimeSpan.FromDays(7))).RouteAsync, otherStore);
        await otherNode.WaitUpAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        var parts = LongMessages.Submits(new ShortMessage(CommandId.DeliverSm) { SourceAddress = "61412345670", DestinationAddress = "Mail2Sms" },
            [LongMessages.Gsm7("ACK, on my way, "), LongMessages.Gsm7("there in ten minutes")], Concatenation.Udh8, 42);

        Assert.Equal(1, await otherSmsc.InjectAsync(parts[1] with { Command = CommandId.DeliverSm }));
        Assert.Equal(1, await _smsc.InjectAsync(parts[0] with { Command = CommandId.DeliverSm }));

        await Waits.UntilAsync(async () => (await _db.Outbox.QueuedAsync(10)).Count == 1, "the reply email queued");
        var message = MimeKit.MimeMessage.Load(new MemoryStream(Assert.Single(await _db.Outbox.QueuedAsync(10)).Message));
        Assert.StartsWith("ACK, on my way, there in ten minutes\n\nOn ", message.TextBody, StringComparison.Ordinal);
        await using var connection = await _db.Database.OpenAsync();
        Assert.Equal((1L, 0L), await connection.QuerySingleAsync<(long, long)>("SELECT (SELECT count(*) FROM replies), (SELECT count(*) FROM reply_assembly_parts)"));
    }

    [Fact]
    public async Task A_reply_that_answers_no_sms_is_kept_for_the_operator_and_emailed_to_nobody()
    {
        Start();
        await _channel!.Binds.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await _smsc.InjectAsync(new ShortMessage(CommandId.DeliverSm) { SourceAddress = "61499999999", DestinationAddress = "Mail2Sms", Message = LongMessages.Gsm7("who is this?") }));
        await using var connection = await _db.Database.OpenAsync();
        await Waits.UntilAsync(async () => await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM replies") == 1, "the reply kept");
        Assert.Equal(("61499999999", "who is this?", "unmatched"), await connection.QuerySingleAsync<(string, string, string)>("SELECT mobile, text, status FROM replies"));
        Assert.Empty(await _db.Outbox.QueuedAsync(10));
    }

    [Fact]
    public async Task A_mobile_that_replies_stop_gets_no_more_sms_from_the_account_until_it_replies_start()
    {
        await Queue("first");
        Start();
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "the first delivered");
        async Task Reply(string text) => Assert.Equal(1, await _smsc.InjectAsync(new ShortMessage(CommandId.DeliverSm) { SourceAddress = "61412345670", DestinationAddress = "Mail2Sms", Message = LongMessages.Gsm7(text) }));
        await Reply("stop");
        await using var connection = await _db.Database.OpenAsync();
        await Waits.UntilAsync(async () => await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM opt_outs") == 1, "the opt-out");

        await Queue("second");
        await Waits.UntilAsync(async () => (await Sms())[1].Status == "failed", "the second failed");
        Assert.Equal("+61412345670 replied STOP to this account's SMS: they get no more until they reply START.", (await Sms())[1].Error);
        Assert.Equal(99, await Credits()); // the first paid for; the second's credit back

        await Reply("START");
        await Waits.UntilAsync(async () => await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM opt_outs") == 0, "the opt-in");
        await Queue("third");
        await Waits.UntilAsync(async () => (await Sms())[2].Status == "delivered", "the third delivered");
    }

    [Fact]
    public async Task An_sms_whose_receipt_never_comes_is_marked_unknown()
    {
        _smsc.Options.ReceiptDelay = TimeSpan.FromHours(1);
        await Queue("into the void");
        Start(Fast with { ReceiptTimeout = TimeSpan.Zero });
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "unknown", "unknown");
        Assert.Equal("No receipt came from the SMS centre.", (await Sms())[0].Error);
    }

    [Fact]
    public async Task A_receipt_that_comes_before_its_submit_is_recorded_is_kept_and_applied()
    {
        await Queue("race");
        var store = new DeliveryStore(_db.Database, TimeProvider.System);
        var claimed = Assert.Single(await store.ClaimAsync(10, TimeSpan.FromMinutes(1)));
        Assert.Equal(0, await store.ReceiptsAsync([new SmsReceipt(MessageIds.Key("00000042"), "DELIVRD")]));
        await store.SubmittedAsync([(claimed.Id, new SentParts(1, ["00000042"], ReceiptIdForm.SameText))]);
        Assert.Equal("delivered", (await Sms())[0].Status);
    }

    [Fact]
    public async Task A_claim_holds_for_its_lease_and_a_crashed_dispatchers_claim_comes_back_after_it()
    {
        await Queue(_db.Clock, "claimed");
        var store = new DeliveryStore(_db.Database, _db.Clock);
        Assert.Single(await store.ClaimAsync(10, TimeSpan.FromMinutes(5)));
        Assert.Empty(await store.ClaimAsync(10, TimeSpan.FromMinutes(5)));
        _db.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Single(await store.ClaimAsync(10, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_pool_number_stays_another_accounts_for_a_mobile_as_long_as_that_accounts_own_reply_window()
    {
        // Ten days ago CI00000002 (replies matched for 30 days) texted the mobile from the first number, CI00000003 (the gateway's 7) from the second.
        await _db.Accounts.AddAccountAsync("CI00000002", "AU", null, false, 10);
        await _db.Accounts.AddAccountAsync("CI00000003", "AU", null, false, 10);
        await _db.Accounts.SetAccountAsync("CI00000002", new AccountChanges { ReplyWindowDays = 30 });
        await using (var connection = await _db.Database.OpenAsync())
        {
            var tenDaysAgo = Timestamps.Write(_db.Clock.GetUtcNow().AddDays(-10));
            await connection.ExecuteAsync(
                "INSERT INTO source_assignments (account_id, number, source, last_used_at) VALUES ('CI00000002', '61412345670', '61400000001', @at), ('CI00000003', '61412345670', '61400000002', @at)",
                new { at = tenDaysAgo });
        }

        await QueueFor("CI00000001", EmailFormat.Mobile, [("61412345670", "a new pair")], _db.Clock);
        var claimed = Assert.Single(await new DeliveryStore(_db.Database, _db.Clock).ClaimAsync(10, TimeSpan.FromMinutes(1), new ClaimRules { SourcePool = ["61400000001", "61400000002"] }));
        Assert.Equal("61400000002", claimed.Source);
    }

    private List<ShortMessage> Submits() => [.. _smsc.Received.OfType<ShortMessage>()];

    [Fact]
    public async Task An_email_committed_wakes_the_dispatcher_without_any_polling()
    {
        // The clock never moves: only the signal can end the scheduler's hour.
        var clock = Watched();
        Start(Fast with { PollInterval = TimeSpan.FromHours(1) }, clock: clock);
        await _channel!.Binds.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await clock.UntilStartedAsync(TimeSpan.FromHours(1)); // the scheduler has found the queue empty and sleeps for its hour
        await Queue(clock, "wake up");
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered long before the next look at the queue");
    }

    [Fact]
    public async Task An_alert_goes_ahead_of_another_accounts_100000_row_batch_behind_at_most_the_window()
    {
        const int window = 10;
        await _db.Accounts.AddAccountAsync("CI00000002", "AU", null, false, 100_000);
        await QueueFor("CI00000002", EmailFormat.Csv, Enumerable.Range(0, 100_000).Select(i => ($"6140{i:D7}", $"Bulk offer {i}")));
        Start(binds: 1, window: window);
        await Waits.UntilAsync(() => _smsc.Answered > 200, "the batch draining");

        var before = Submits().Count;
        var sent = System.Diagnostics.Stopwatch.StartNew();
        await Queue("Server 23 is offline.");
        await Waits.UntilAsync(() => Submits().Skip(before).Any(m => m.DestinationAddress == "61412345670"), "the alert at the SMSC");
        var elapsed = sent.Elapsed;
        var received = Submits();
        var bulkBetween = received.Skip(before).TakeWhile(m => m.DestinationAddress != "61412345670").Count();

        // At most the window in flight when it committed, and one claim already under way.
        Assert.InRange(bulkBetween, 0, 2 * window);
        Assert.True(received.Count < 100_000, $"the alert waited for the whole batch ({received.Count} submits)");
        Console.WriteLine($"alert behind {bulkBetween} bulk submits, {elapsed.TotalMilliseconds:0} ms after its commit");
    }

    [Fact]
    public async Task Two_accounts_bulk_batches_take_turns_at_the_smsc()
    {
        await _db.Accounts.AddAccountAsync("CI00000002", "AU", null, false, 1_000);
        await QueueFor("CI00000001", EmailFormat.Csv, Enumerable.Range(0, 60).Select(i => ($"6141{i:D7}", $"first {i}")));
        await QueueFor("CI00000002", EmailFormat.Csv, Enumerable.Range(0, 60).Select(i => ($"6142{i:D7}", $"second {i}")));
        Start(window: 4);
        await Waits.UntilAsync(async () => (await Sms()).All(s => s.Status == "delivered"), "all delivered");

        // The account queued second does not wait for the first one's 60: they alternate from the start.
        var order = Submits().Select(m => m.DestinationAddress[..4]).ToList();
        Assert.InRange(order.Take(20).Count(a => a == "6142"), 6, 14);
    }

    [Fact]
    public async Task An_account_capped_at_5_sms_a_minute_sends_5_and_the_rest_the_next_minute()
    {
        var clock = Watched();
        var poll = TimeSpan.FromMilliseconds(25); // told apart from the sweeper's waits
        await _db.Accounts.SetAccountAsync("CI00000001", new AccountChanges { SmsPerMinute = 5 });

        await Queue(clock, [.. Enumerable.Range(0, 8).Select(i => $"capped {i}")]);
        Start(Fast with { PollInterval = poll }, clock: clock);
        await Waits.UntilAsync(() => Submits().Count == 5, "the first five");
        await Waits.UntilAsync(async () => (await Sms()).Count(s => s.Status != "queued") == 5, "the first five recorded");
        var since = clock.Started.Count;
        _signal.Set(); // the scheduler looks at the queue again, with the five recorded, and goes back to sleep
        await Waits.UntilAsync(() => clock.Started.Skip(since).Contains(poll), "the scheduler back asleep");
        Assert.Equal(5, Submits().Count);
        Assert.Equal(3, (await Sms()).Count(s => s.Status == "queued"));

        clock.Advance(TimeSpan.FromSeconds(61));
        await Waits.UntilAsync(() => Submits().Count == 8, "the other three a minute later");
    }

    [Fact]
    public async Task An_smsc_down_when_the_email_arrives_and_back_an_hour_later_gets_the_sms_then()
    {
        var clock = Watched();
        var (poll, sweep) = (TimeSpan.FromMilliseconds(25), Fast.SweepInterval);
        var port = Waits.FreePort();
        await Queue(clock, "while you were out");
        Start(Fast with { PollInterval = poll }, port: port, clock: clock);
        for (var minutes = 0; minutes < 60; minutes += 10)
        {
            var since = clock.Started.Count;
            clock.Advance(TimeSpan.FromMinutes(10));
            await LoopsLookedAgainAsync(clock, since, poll, sweep);
        }

        Assert.Equal(("queued", (string?)null), ((await Sms())[0].Status, (await Sms())[0].Error));
        await using var late = SmscSimulator.Start(IPAddress.Loopback, port, new SmscSimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(20) });
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered once the SMSC is back");
        Assert.Equal(99, await Credits());
    }

    [Fact]
    public async Task An_sms_that_outlives_its_validity_while_the_smsc_is_down_expires_with_its_credit_back_and_a_report()
    {
        var clock = Watched();
        var (poll, sweep) = (TimeSpan.FromMilliseconds(25), Fast.SweepInterval);
        await Queue(clock, "too late");
        Start(Fast with { Validity = TimeSpan.FromHours(1), PollInterval = poll }, port: Waits.FreePort(), clock: clock);
        for (var minutes = 0; minutes <= 60; minutes += 10)
        {
            var since = clock.Started.Count;
            clock.Advance(TimeSpan.FromMinutes(10));
            await LoopsLookedAgainAsync(clock, since, poll, sweep);
        }

        await Waits.UntilAsync(async () => (await Sms())[0].Status == "expired", "expired");
        Assert.Equal("Not submitted within its validity of 1 hours.", (await Sms())[0].Error);
        Assert.Equal(100, await Credits());
        clock.Advance(TimeSpan.FromSeconds(1));
        await Waits.UntilAsync(async () => (await _db.Outbox.QueuedAsync(10)).Count == 1, "the delivery report");
        var report = MimeKit.MimeMessage.Load(new MemoryStream(Assert.Single(await _db.Outbox.QueuedAsync(10)).Message));
        Assert.Contains("expired: Not submitted within its validity of 1 hours.", report.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_dropped_mid_window_loses_nothing_and_repeats_at_most_the_window()
    {
        const int window = 10;
        _smsc.Options.ResponseDelay = TimeSpan.FromMilliseconds(200);
        await Queue([.. Enumerable.Range(0, 40).Select(i => $"in flight {i}")]);
        Start(window: window);
        await Waits.UntilAsync(() => Submits().Count >= 15, "submits under way");
        _smsc.DropConnections();
        _smsc.Options.ResponseDelay = TimeSpan.Zero;
        // Every SMS delivered: the receipts due on the dropped session come on the next bind, as an SMSC keeps them, and
        // end the uncertainty of those in flight that the SMSC took; only those whose receipt came after the grace go twice.
        await Waits.UntilAsync(async () => (await Sms()).All(s => s.Status == "delivered"), "every SMS delivered after the drop");
        var texts = Submits().Select(LongMessages.TextOf).ToList();
        Assert.Equal(40, texts.Distinct().Count());
        Assert.InRange(texts.Count - 40, 0, window);
    }

    [Fact]
    public async Task Smpp_binds_2_opens_two_sessions_and_sms_go_through_both()
    {
        await Queue([.. Enumerable.Range(0, 20).Select(i => $"two binds {i}")]);
        Start(binds: 2);
        await Waits.UntilAsync(async () => (await Sms()).All(s => s.Status == "delivered"), "all delivered");
        Assert.Equal(2, _smsc.BoundSessions);
        Assert.Equal(2, _channel!.Binds.Bound);
        Assert.Equal($"127.0.0.1:{_smsc.Port} as mail2sms", _channel.Binds.Target);
        Assert.Equal([1, 2], _channel.Binds.Statuses.Select(s => s.Number));
        Assert.All(_channel.Binds.Statuses, s => Assert.True(s.Bound && s.Since is not null && !string.IsNullOrEmpty(s.Detail) && s.Outstanding == 0, s.ToString()));
    }

    [Fact]
    public async Task A_bind_the_smsc_does_not_answer_shows_as_not_bound_with_why()
    {
        Start(port: Waits.FreePort());
        await Waits.UntilAsync(() => _channel!.Binds.Statuses[0].Since is not null, "the first attempt ended");
        var status = _channel!.Binds.Statuses[0];
        Assert.False(status.Bound);
        Assert.Contains("refused", status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_account_with_a_sender_sends_from_it_alphanumeric()
    {
        await _db.Accounts.AddAccountAsync("CI00000003", "AU", "ACME", false, 10);
        await QueueFor("CI00000003", EmailFormat.Mobile, [("61412345670", "from ACME")]);
        Start();
        await Waits.UntilAsync(() => Submits().Count == 1, "submitted");
        var submit = Submits()[0];
        Assert.Equal(("ACME", (byte)5, (byte)0), (submit.SourceAddress, submit.SourceTon, submit.SourceNpi));
    }

    [Fact]
    public async Task A_source_pool_gives_each_account_its_own_number_for_a_mobile_so_its_reply_reaches_the_right_originator()
    {
        await _db.Accounts.AddAccountAsync("CI00000002", "AU", null, false, 10);
        await QueueFor("CI00000001", EmailFormat.Mobile, [("61412345670", "from the first account")]);
        await QueueFor("CI00000002", EmailFormat.Mobile, [("61412345670", "from the second account")]);
        Start(Fast with { SourcePool = ["61400000001", "61400000002"] });
        await Waits.UntilAsync(async () => (await Sms()).All(s => s.Status == "delivered"), "both delivered");
        await QueueFor("CI00000001", EmailFormat.Mobile, [("61412345670", "the first account again")]);
        await Waits.UntilAsync(() => Submits().Count == 3, "the third submitted");

        var sources = Submits().ToDictionary(m => LongMessages.TextOf(m), m => (m.SourceAddress, m.SourceTon, m.SourceNpi));
        Assert.NotEqual(sources["from the first account"].SourceAddress, sources["from the second account"].SourceAddress);
        Assert.Equal(sources["from the first account"], sources["the first account again"]);
        Assert.Equal((byte)1, sources["from the second account"].SourceTon);

        // The mobile answers the second account's number: the reply is that account's, and no one else's.
        await _smsc.InjectAsync(new ShortMessage(CommandId.DeliverSm)
        {
            SourceAddress = "61412345670",
            DestinationTon = 1,
            DestinationAddress = sources["from the second account"].SourceAddress,
            Message = LongMessages.Gsm7("for the second"),
        });
        await using var connection = await _db.Database.OpenAsync();
        await Waits.UntilAsync(async () => await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM replies") == 1, "the reply kept");
        Assert.Equal("emailed", await connection.ExecuteScalarAsync<string>("SELECT status FROM replies"));
        var mail = Assert.Single(await _db.Outbox.QueuedAsync(10), m => m.Kind == "reply");
        Assert.Equal("ops-CI00000002@example.com", mail.RcptTo);
    }

    [Fact]
    public async Task Writes_committed_together_leave_the_others_whole_when_one_fails()
    {
        await Queue("first", "second");
        var store = new DeliveryStore(_db.Database, TimeProvider.System);
        var claimed = await store.ClaimAsync(10, TimeSpan.FromMinutes(1));
        var writes = new[]
        {
            store.SubmittedAsync([(claimed[0].Id, new SentParts(1, ["00000001"], ReceiptIdForm.SameText))]),
            store.EndUnsentAsync(424242, SmsStatus.Failed, "no such SMS"),
            store.SubmittedAsync([(claimed[1].Id, new SentParts(1, ["00000003"], ReceiptIdForm.SameText))]),
        };
        await Assert.ThrowsAsync<InvalidOperationException>(() => writes[1]);
        await Task.WhenAll(writes[0], writes[2]);
        Assert.Equal([("submitted", "00000001"), ("submitted", "00000003")], (await Sms()).Select(s => (s.Status, s.Ids)));
    }

    [Fact]
    public async Task A_long_sms_cut_short_after_its_first_part_sends_only_the_rest_again()
    {
        var text = string.Concat(Enumerable.Repeat("Disk /var on db1 is full. ", 12)); // 312 characters: three parts
        var refused = 0;
        _smsc.Options.Refuse = m => LongMessages.PartOf(m)?.Sequence == 2 && Interlocked.Increment(ref refused) == 1 ? CommandStatus.SystemError : null;
        await Queue(text);
        Start();
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered");

        // Part 1 once, part 2 refused then taken, part 3 once: the phone never gets a part twice.
        Assert.Equal([1, 2, 2, 3], Submits().Select(m => LongMessages.PartOf(m)!.Value.Sequence));
        Assert.Equal(3, (await Sms())[0].Ids!.Split(' ').Length);
        Assert.Equal(97, await Credits());
    }

    [Fact]
    public async Task A_submit_slower_than_the_lease_keeps_its_claim_and_goes_once()
    {
        // Two minutes of simulated time pass, in steps of the renewal's wait, while the SMSC holds its answer to the submit: twice the lease.
        var clock = Watched();
        var renewal = TimeSpan.FromSeconds(20); // a third of the lease
        _smsc.Options.ResponseDelay = TimeSpan.FromSeconds(3);
        await Queue(clock, "slow SMSC");
        Start(Fast with { Lease = TimeSpan.FromMinutes(1) }, clock: clock);
        await Waits.UntilAsync(() => Submits().Count == 1, "the submit under way");
        for (var step = 0; step < 6; step++)
        {
            var since = clock.Started.Count;
            clock.Advance(renewal);
            await Waits.UntilAsync(() => clock.Started.Skip(since).Contains(renewal), "the claim renewed and the next renewal waiting");
        }

        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered");
        Assert.Single(Submits());
    }

    private async Task<(string Status, string? Error, DateTimeOffset DueAt, long Attempts)> SmsDue()
    {
        await using var connection = await _db.Database.OpenAsync();
        var row = await connection.QuerySingleAsync<(string, string?, string, long)>("SELECT status, last_error, due_at, attempts FROM sms");
        return (row.Item1, row.Item2, Timestamps.Read(row.Item3), row.Item4);
    }

    [Fact]
    public async Task A_submit_never_answered_is_uncertain_through_its_grace_then_sent_once_more_whichever_nodes_sweep()
    {
        // The SMSC takes the first submit but its answer is lost, and its receipt would come only much later.
        var arrivals = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
        _smsc.Options.OnReceived = pdu => { if (pdu is ShortMessage { Command: CommandId.SubmitSm }) { arrivals.Enqueue(DateTimeOffset.UtcNow); } };
        _smsc.Options.Unanswered = _ => arrivals.Count == 1;
        _smsc.Options.ReceiptDelay = TimeSpan.FromHours(1);
        await Queue("Server 23 is offline.");
        var options = Fast with { SubmitTimeout = TimeSpan.FromMilliseconds(300), UnknownGrace = TimeSpan.FromSeconds(2) };
        Start(options);
        // Another node sweeps the same store too: the SMS still goes back once.
        var other = new ReportSweeper(new DeliveryStore(_db.Database, TimeProvider.System), _channel!, new ReportComposer("sms.localhost"), _signal, options, TimeProvider.System, e => throw e);
        var otherSweeping = other.RunAsync(_stop.Token);

        await Waits.UntilAsync(async () => (await Sms())[0].Status == "uncertain", "uncertain");
        var uncertain = await SmsDue();
        Assert.Equal(("No bind to the SMS centre took it in time.", 1), (uncertain.Error, uncertain.Attempts));

        await Waits.UntilAsync(async () => (await Sms())[0].Status == "submitted", "sent again and answered");
        Assert.Equal(2, arrivals.Count);
        Assert.True(arrivals.Last() >= uncertain.DueAt, $"sent again at {arrivals.Last():O}, before its grace ended at {uncertain.DueAt:O}");
        Assert.Equal(("submitted", 2L), ((await SmsDue()).Status, (await SmsDue()).Attempts));
        await _stop.CancelAsync();
        await otherSweeping;
    }

    [Fact]
    public async Task A_receipt_that_comes_before_the_submit_times_out_makes_the_sms_delivered_without_a_resend()
    {
        _smsc.Options.Unanswered = _ => true;
        await Queue("Server 23 is offline.");
        Start(Fast with { SubmitTimeout = TimeSpan.FromMilliseconds(300), UnknownGrace = TimeSpan.FromSeconds(2) });

        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered");
        var sms = (await Sms())[0];
        Assert.Equal("00000001", sms.Ids);
        Assert.Single(Submits());
    }

    [Fact]
    public async Task A_connection_lost_with_a_submit_in_flight_leaves_the_sms_uncertain_until_its_late_receipt_makes_it_delivered()
    {
        // An SMSC of its own, whose receipts wait for the test's clock: this one comes only once the SMS is uncertain.
        var smscClock = new WatchedClock();
        var receiptDelay = TimeSpan.FromSeconds(30);
        await using var smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions { ReceiptDelay = receiptDelay, Unanswered = _ => true }, smscClock);
        await Queue("Server 23 is offline.");
        Start(Fast with { UnknownGrace = TimeSpan.FromMinutes(10) }, port: smsc.Port);
        await smscClock.UntilStartedAsync(receiptDelay);
        smsc.DropConnections();
        await Waits.UntilAsync(async () => (await Sms())[0].Status == "uncertain", "uncertain");
        await Waits.UntilAsync(() => smsc.BoundSessions == 1, "bound again");

        smscClock.Advance(receiptDelay);

        await Waits.UntilAsync(async () => (await Sms())[0].Status == "delivered", "delivered by its late receipt");
        Assert.Single(smsc.Received.OfType<ShortMessage>(), m => m.Command == CommandId.SubmitSm);
    }
}

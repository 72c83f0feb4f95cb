using System.Collections.Concurrent;
using Dapper;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Tests.Storage;
using Mail2Sms.Tests.Shared;
using MailKit.Security;
using MimeKit;

namespace Mail2Sms.Gateway.Tests.Mail;

public sealed class OutboxSenderTests : IAsyncLifetime, IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly ConcurrentQueue<string> _log = new();
    private SmtpSink _sink = null!;

    public async Task InitializeAsync() => _sink = await SmtpSink.StartAsync();

    public async Task DisposeAsync() => await _sink.DisposeAsync();

    public void Dispose() => _db.Dispose();

    private OutboxSender Sender(int port, MimeKit.Cryptography.DkimSigner? signer = null) =>
        new(_db.Outbox, new SmartHost(new SmartHostOptions { Host = "127.0.0.1", Port = port, Tls = SecureSocketOptions.None, Timeout = TimeSpan.FromSeconds(30) }),
            _db.Clock, _log.Enqueue, signer);

    private Task<long> QueueAsync(string rcptTo, string mailFrom = "", string subject = "Report", string kind = "report")
    {
        var message = new MimeMessage { Subject = subject };
        message.From.Add(new MailboxAddress("Mail2Sms", "postmaster@sms.localhost"));
        message.To.Add(MailboxAddress.Parse(rcptTo));
        message.Body = new TextPart("plain") { Text = "hello" };
        return _db.Outbox.QueueAsync(new OutboundMail(kind, mailFrom, rcptTo, message));
    }

    private sealed record Row(string Status, long Attempts, string? LastError, string DueAt);

    private async Task<Row> RowAsync(long id)
    {
        await using var connection = await _db.Database.OpenAsync();
        return await connection.QuerySingleAsync<Row>(
            "SELECT status AS Status, attempts AS Attempts, last_error AS LastError, due_at AS DueAt FROM outbound_mail WHERE id = @id", new { id });
    }

    /// <summary>Asserts the row's status and attempts, and that its last error has each of <paramref name="errorHas"/>.</summary>
    private async Task<Row> AssertRowAsync(long id, string status, long attempts, params string[] errorHas)
    {
        var row = await RowAsync(id);
        Assert.Equal((status, attempts), (row.Status, row.Attempts));
        foreach (var text in errorHas)
        {
            Assert.Contains(text, row.LastError, StringComparison.Ordinal);
        }

        return row;
    }

    [Fact]
    public async Task A_mail_answered_451_is_tried_again_after_the_backoff_and_arrives_once_with_the_first_error_kept()
    {
        _sink.DataReplies.Enqueue((451, "4.3.0 try again later"));
        var id = await QueueAsync("ops@example.com.au");
        var sender = Sender(_sink.Port);

        Assert.Equal(0, await sender.DrainAsync());
        var putOff = await AssertRowAsync(id, "queued", 1, "451 ", "try again later");
        Assert.Equal(_db.Clock.GetUtcNow().AddSeconds(30), DateTimeOffset.Parse(putOff.DueAt, System.Globalization.CultureInfo.InvariantCulture));

        _db.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, await sender.DrainAsync());
        Assert.Empty(_sink.Received);

        _db.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await sender.DrainAsync());
        Assert.Equal(0, await sender.DrainAsync());
        var arrived = Assert.Single(_sink.Received);
        Assert.Equal(["ops@example.com.au"], arrived.RcptTo);
        await AssertRowAsync(id, "sent", 2, "451 ");
    }

    [Fact]
    public async Task A_mail_refused_with_550_fails_with_the_reply_and_is_never_tried_again_while_the_next_mail_goes()
    {
        _sink.RefusedRecipients["gone@example.com.au"] = true;
        var refused = await QueueAsync("gone@example.com.au");
        var next = await QueueAsync("ops@example.com.au");
        var sender = Sender(_sink.Port);

        Assert.Equal(1, await sender.DrainAsync());

        var failed = await AssertRowAsync(refused, "failed", 1, "no such mailbox here");
        Assert.StartsWith("550 ", failed.LastError, StringComparison.Ordinal);
        await AssertRowAsync(next, "sent", 1);
        Assert.Equal(["ops@example.com.au"], Assert.Single(_sink.Received).RcptTo);

        _db.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(0, await sender.DrainAsync());
        await AssertRowAsync(refused, "failed", 1);
        Assert.Contains(_log, l => l.Contains("refused for good", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mail_queued_while_the_smart_host_is_down_goes_once_it_is_up_and_a_wake_sends_new_mail_at_once()
    {
        var port = Waits.FreePort();
        var sender = Sender(port);
        using var stop = new CancellationTokenSource();
        var running = sender.RunAsync(TimeSpan.FromSeconds(1), stop.Token);

        var first = await QueueAsync("ops@example.com.au", subject: "while down");
        var second = await QueueAsync("ops@example.com.au", subject: "also while down");
        sender.Wake();
        await Waits.UntilAsync(async () => (await RowAsync(first)).Attempts == 1, "the first try against the closed port");
        Assert.NotNull((await AssertRowAsync(first, "queued", 1)).LastError);
        // The host cannot be reached: the mail after it is not tried in the same run.
        Assert.Equal(0, (await RowAsync(second)).Attempts);

        await using var host = await SmtpSink.StartAsync(port);
        // The clock moves a second at each look, so the retry comes due whether or not the sender is already waiting on it.
        await Waits.UntilAsync(() =>
        {
            _db.Clock.Advance(TimeSpan.FromSeconds(1));
            return host.Received.Count == 2;
        }, "both mails at the smart host once it is up");
        await Waits.UntilAsync(async () => (await RowAsync(first)).Status == "sent" && (await RowAsync(second)).Status == "sent", "both rows sent");

        // No clock movement: only the wake-up sends this one.
        await QueueAsync("ops@example.com.au", subject: "after");
        sender.Wake();
        await Waits.UntilAsync(() => host.Received.Count == 3, "the mail sent on a wake-up");
        // Earliest due first: the mail never tried was due before the one put off.
        Assert.Equal(["also while down", "while down", "after"], host.Received.Select(m => m.Message.Subject));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task A_report_goes_out_with_the_null_sender_and_marked_automatic()
    {
        var report = new ReportComposer("sms.localhost").Compose(new FinishedEmail(1, "ops@example.com.au", "<original@example.com.au>", "Alert", [],
            [new UndeliveredSms("61412345678", null, "Server down", "undeliverable", "The phone was off.")], Receipts: false));
        await _db.Outbox.QueueAsync(report);

        Assert.Equal(1, await Sender(_sink.Port).DrainAsync());

        var arrived = Assert.Single(_sink.Received);
        Assert.Equal(string.Empty, arrived.MailFrom);
        Assert.Equal(["ops@example.com.au"], arrived.RcptTo);
        Assert.Equal("auto-generated", arrived.Message.Headers[HeaderId.AutoSubmitted]);
        Assert.Equal("All", arrived.Message.Headers["X-Auto-Response-Suppress"]);
    }

    [Fact]
    public async Task A_postmaster_forward_keeps_its_envelope_sender_and_is_marked_automatic_on_the_way_out()
    {
        await QueueAsync("operator@example.net", mailFrom: "someone@example.org", kind: "postmaster");
        var stored = Assert.Single(await _db.Outbox.QueuedAsync(10));
        Assert.Null(MimeMessage.Load(new MemoryStream(stored.Message)).Headers[HeaderId.AutoSubmitted]);

        Assert.Equal(1, await Sender(_sink.Port).DrainAsync());

        var arrived = Assert.Single(_sink.Received);
        Assert.Equal("someone@example.org", arrived.MailFrom);
        Assert.Equal("auto-generated", arrived.Message.Headers[HeaderId.AutoSubmitted]);
        Assert.Equal("All", arrived.Message.Headers["X-Auto-Response-Suppress"]);
    }

    [Fact]
    public async Task Mail_through_the_smart_host_carries_a_DKIM_signature_that_verifies()
    {
        var key = new DkimTestKey(_db.Folder);
        var reply = new ReplyComposer("sms.localhost").Compose("61412345678", "Yes, on my way ✓",
            new AnsweredSms("ops@example.com.au", "<original@example.com.au>", "Alert", null, "Server down", _db.Clock.GetUtcNow()));
        await _db.Outbox.QueueAsync(reply);

        Assert.Equal(1, await Sender(_sink.Port, key.Signer()).DrainAsync());

        var arrived = Assert.Single(_sink.Received).Message;
        Assert.True(key.Verifies(arrived));
        var signature = arrived.Headers[HeaderId.DkimSignature]!;
        Assert.Contains("d=sms.localhost", signature, StringComparison.Ordinal);
        Assert.Contains("s=test2026", signature, StringComparison.Ordinal);
        Assert.Contains("c=relaxed/relaxed", signature, StringComparison.Ordinal);
        Assert.Contains("a=rsa-sha256", signature, StringComparison.Ordinal);
        var signed = signature[(signature.IndexOf("h=", StringComparison.Ordinal) + 2)..].Split(';')[0].Replace(" ", string.Empty, StringComparison.Ordinal)
            .Replace("\t", string.Empty, StringComparison.Ordinal).Replace("\r\n", string.Empty, StringComparison.Ordinal).Split(':');
        Assert.Superset(new HashSet<string>(["from", "to", "subject", "date", "message-id", "in-reply-to", "references", "auto-submitted"], StringComparer.OrdinalIgnoreCase),
            new HashSet<string>(signed, StringComparer.OrdinalIgnoreCase));

        // The check is real: a changed subject no longer verifies.
        arrived.Subject = "Changed on the way";
        Assert.False(key.Verifies(arrived));
    }
}

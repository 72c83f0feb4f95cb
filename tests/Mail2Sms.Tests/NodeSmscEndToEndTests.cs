using System.Text;
using System.Text.Json.Nodes;
using Mail2Sms.Tests.Shared;
using MimeKit;

namespace Mail2Sms.Tests;

/// <summary>
/// <c>mail2sms serve</c> against an SMSC it did not write: the npm package <c>smpp</c> 0.5.1's server
/// (<c>node/server.js</c> of the SMPP interop tests, its protocol in their README). Email in over SMTP,
/// submit_sm out, receipts back, a reply from the mobile out as email, and the answer to that back as an SMS.
/// </summary>
public sealed class NodeSmscEndToEndTests : IDisposable
{
    private const string SourceNumber = "61400000000";
    private NodeSmsc? _smsc;
    private GatewayProcess? _gateway;

    public void Dispose() => _gateway?.Dispose();

    [Fact]
    public async Task Email_to_sms_to_the_node_smsc_its_receipt_a_reply_by_email_and_the_answer_back_as_sms()
    {
        await using var smsc = _smsc = await NodeSmsc.StartAsync();
        _gateway = new GatewayProcess("--Sms:Provider=smpp", $"--Smpp:Port={smsc.Port}", "--Smpp:SystemId=test", "--Smpp:Password=secret",
            $"--Smpp:SourceAddress={SourceNumber}"); // a number, so that mobiles can reply
        _gateway.Serve();
        await RunAsync();
    }

    private async Task RunAsync()
    {
        var gateway = _gateway!;
        using var client = await gateway.ConnectAsync();

        // A GSM 7-bit alert with @ £ € (0x00, 0x01 and the escape 0x1B 0x65, one septet per octet, data_coding 0).
        await client.SendAsync(Email("gsm-alert", "0412345671@sms.localhost", "Disk 95% full @ db1", "Backup costs £5 or €6 per GB."));
        var gsm = await SubmitToAsync("61412345671");
        Assert.Equal((0, 0, SourceNumber, 1), (Number(gsm, "data_coding"), Number(gsm, "esm_class"), Text(gsm, "source_addr"), Number(gsm, "source_addr_ton")));
        Assert.Equal(Ascii("Disk 95% full ") + "00" + Ascii(" db1 Backup costs ") + "01" + Ascii("5 or ") + "1b65" + Ascii("6 per GB."), Text(gsm, "short_message_hex"));
        Assert.Equal("Disk 95% full @ db1 Backup costs £5 or €6 per GB.", Text(gsm, "message_text"));

        // Greek and an emoji: UCS-2 (UTF-16BE, the emoji a surrogate pair), data_coding 8.
        await client.SendAsync(Email("greek-alert", "0412345672@sms.localhost", "Συναγερμός", "Ο διακομιστής 23 είναι εκτός λειτουργίας 🔥"));
        var ucs2 = await SubmitToAsync("61412345672");
        const string greek = "Συναγερμός Ο διακομιστής 23 είναι εκτός λειτουργίας 🔥";
        Assert.Equal(8, Number(ucs2, "data_coding"));
        Assert.Equal(Convert.ToHexStringLower(Encoding.BigEndianUnicode.GetBytes(greek)), Text(ucs2, "short_message_hex"));
        Assert.Equal(greek, Text(ucs2, "message_text"));

        // A long GSM text (format 3): three parts, each with an 8-bit concatenation UDH (05 00 03 ref 03 n), the same reference in all.
        var report = string.Concat(Enumerable.Range(1, 6).Select(i => $"Job {i} of 6 finished at 0{i}:00 with status OK, disk at {60 + i}% and rising. "));
        report = report.TrimEnd();
        Assert.InRange(report.Length, (2 * 153) + 1, 3 * 153); // three parts of 153 septets at most, no extension characters
        await client.SendAsync(Email("nightly-report", "smsmail@sms.localhost", "Nightly report", $"X-Cellphone: 0412345673\n\n{report}"));
        await Waits.UntilAsync(() => Submits().Count(s => Text(s, "destination_addr") == "61412345673") == 3, "three parts of the long SMS at the node SMSC");
        var parts = Submits().Where(s => Text(s, "destination_addr") == "61412345673").ToList();
        var headers = parts.Select(p => Text(p, "short_message_hex")[..12]).Order(StringComparer.Ordinal).ToList();
        var reference = headers[0][6..8];
        Assert.Equal(["050003" + reference + "0301", "050003" + reference + "0302", "050003" + reference + "0303"], headers);
        Assert.All(parts, p => Assert.Equal((0x40, 0), (Number(p, "esm_class"), Number(p, "data_coding"))));
        Assert.Equal(report, string.Concat(parts.OrderBy(p => Text(p, "short_message_hex")[10..12], StringComparer.Ordinal).Select(p => Text(p, "message_text"))));

        // The node SMSC sends a receipt (esm_class 0x04, "id:n-… stat:DELIVRD") for every submit; the operator sees all three delivered.
        await Waits.UntilAsync(() => _smsc!.Received("deliver_sm_resp").Count >= 5, "five receipts answered by the gateway");
        var messages = await gateway.MessagesUntilAsync(o => o.Split('\n').Count(l => l.Contains(" delivered ", StringComparison.Ordinal)) == 3, "the three SMS delivered");
        Assert.Matches(@"61412345671\s+delivered\s+1xGsm7 Disk 95% full @ db1", messages);
        Assert.Matches(@"61412345672\s+delivered\s+1xUcs2 Συναγερμός", messages);
        Assert.Matches(@"61412345673\s+delivered\s+3xGsm7 Job 1 of 6", messages);

        // A reply from the mobile to the SMS's source number: an email to the alert's sender, threaded under the alert.
        await _smsc!.CommandAsync($$$"""{"mo":{"source_addr_ton":1,"source_addr_npi":1,"source_addr":"61412345671","dest_addr_ton":1,"dest_addr_npi":1,"destination_addr":"{{{SourceNumber}}}","short_message":"On it, ETA 10 min"}}""");
        await Waits.UntilAsync(() => Directory.Exists(gateway.Outbox) && Directory.GetFiles(gateway.Outbox, "*.eml").Length > 0, "the reply email in the pickup folder");
        var reply = await MimeMessage.LoadAsync(Assert.Single(Directory.GetFiles(gateway.Outbox, "*.eml")));
        Assert.Equal("alert-gsm-alert@example.com", reply.InReplyTo);
        Assert.Equal(("61412345671@sms.localhost", "nagios@example.com"), (reply.From.Mailboxes.Single().Address, reply.To.Mailboxes.Single().Address));
        Assert.Equal("Re: Disk 95% full @ db1", reply.Subject);
        var replyText = reply.TextBody ?? string.Empty;
        Assert.StartsWith("On it, ETA 10 min", replyText, StringComparison.Ordinal);

        // Answering that email, as a mail client does (quoting it), sends only the new text back to the mobile.
        var answer = Email("answer", "61412345671@sms.localhost", $"Re: {reply.Subject}",
            $"Thanks, db2 is fine.\n\nOn {reply.Date:ddd, d MMM yyyy HH:mm}, +61412345671 <61412345671@sms.localhost> wrote:\n> " + replyText.Replace("\n", "\n> ", StringComparison.Ordinal));
        answer.InReplyTo = Assert.IsType<string>(reply.MessageId);
        answer.References.Add(reply.MessageId);
        Assert.StartsWith("2.0.0 Accepted: 1 SMS queued", await client.SendAsync(answer), StringComparison.Ordinal);
        await Waits.UntilAsync(() => Submits().Count(s => Text(s, "destination_addr") == "61412345671") == 2, "the answer at the node SMSC");
        var back = Submits().Last(s => Text(s, "destination_addr") == "61412345671");
        Assert.Equal(("Thanks, db2 is fine.", SourceNumber), (Text(back, "message_text"), Text(back, "source_addr")));
        await client.DisconnectAsync(quit: true);
    }

    private static MimeMessage Email(string id, string to, string subject, string body)
    {
        var message = GatewayProcess.Email(0);
        message.MessageId = $"alert-{id}@example.com";
        message.To.Clear();
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    private List<JsonNode> Submits() => _smsc!.Submits();

    private async Task<JsonNode> SubmitToAsync(string number)
    {
        await Waits.UntilAsync(() => Submits().Any(s => Text(s, "destination_addr") == number), $"a submit_sm to {number} at the node SMSC");
        return Submits().Single(s => Text(s, "destination_addr") == number);
    }

    private static string Text(JsonNode fields, string name) => fields[name]!.GetValue<string>();

    private static int Number(JsonNode fields, string name) => fields[name]!.GetValue<int>();

    private static string Ascii(string text) => Convert.ToHexStringLower(Encoding.ASCII.GetBytes(text));
}

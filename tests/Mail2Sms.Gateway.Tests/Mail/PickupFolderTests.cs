using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Tests.Storage;
using MimeKit;

namespace Mail2Sms.Gateway.Tests.Mail;

public sealed class PickupFolderTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<long> QueueReportAsync()
    {
        var message = new MimeMessage { Subject = "Report" };
        message.From.Add(new MailboxAddress("Mail2Sms", "postmaster@sms.localhost"));
        message.To.Add(MailboxAddress.Parse("ops@example.com.au"));
        message.Body = new TextPart("plain") { Text = "hello" };
        return await _db.Outbox.QueueAsync(new OutboundMail("report", string.Empty, "ops@example.com.au", message));
    }

    [Fact]
    public async Task Queued_mail_is_written_once_as_eml_files_with_its_envelope_first()
    {
        var id = await QueueReportAsync();
        var folder = new PickupFolder(Path.Combine(_db.Folder, "outbox"));
        var sender = new OutboxSender(_db.Outbox, folder, _db.Clock, _ => { });

        Assert.Equal(1, await sender.DrainAsync());
        Assert.Equal(0, await sender.DrainAsync());

        var file = Assert.Single(Directory.GetFiles(folder.Folder));
        Assert.Equal($"{id:D10}-report.eml", Path.GetFileName(file));
        var text = await File.ReadAllTextAsync(file);
        Assert.StartsWith("X-Sender: <>\r\nX-Receiver: <ops@example.com.au>\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Subject: Report", text, StringComparison.Ordinal);
        Assert.Contains("Auto-Submitted: auto-generated", text, StringComparison.Ordinal);
        Assert.Empty(await _db.Outbox.QueuedAsync(10));
    }

    [Fact]
    public async Task Mail_written_to_the_pickup_folder_carries_a_DKIM_signature_that_verifies()
    {
        await QueueReportAsync();
        var key = new DkimTestKey(_db.Folder);
        var folder = new PickupFolder(Path.Combine(_db.Folder, "outbox"));

        Assert.Equal(1, await new OutboxSender(_db.Outbox, folder, _db.Clock, _ => { }, key.Signer()).DrainAsync());

        // The message starts after the two envelope lines.
        var bytes = await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(folder.Folder)));
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        var start = text.IndexOf("\r\n", text.IndexOf("X-Receiver:", StringComparison.Ordinal), StringComparison.Ordinal) + 2;
        var message = MimeMessage.Load(new MemoryStream(bytes, start, bytes.Length - start));
        Assert.True(key.Verifies(message));
    }
}

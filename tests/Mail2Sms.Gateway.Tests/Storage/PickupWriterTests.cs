using Mail2Sms.Gateway.Mail;
using MimeKit;

namespace Mail2Sms.Gateway.Tests.Storage;

public sealed class PickupWriterTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Queued_mail_is_written_once_as_eml_files_with_its_envelope_first()
    {
        var outbox = _db.Outbox;
        var message = new MimeMessage { Subject = "Report" };
        message.To.Add(MailboxAddress.Parse("ops@example.com.au"));
        message.Body = new TextPart("plain") { Text = "hello" };
        var id = await outbox.QueueAsync(new OutboundMail("report", string.Empty, "ops@example.com.au", message));

        var writer = new PickupWriter(outbox, Path.Combine(_db.Folder, "outbox"));
        Assert.Equal(1, await writer.DrainAsync());
        Assert.Equal(0, await writer.DrainAsync());

        var file = Assert.Single(Directory.GetFiles(writer.Folder));
        Assert.Equal($"{id:D10}-report.eml", Path.GetFileName(file));
        var text = await File.ReadAllTextAsync(file);
        Assert.StartsWith("X-Sender: <>\r\nX-Receiver: <ops@example.com.au>\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Subject: Report", text, StringComparison.Ordinal);
        Assert.Empty(await outbox.QueuedAsync(10));
    }
}

using System.Globalization;
using System.Text;
using Mail2Sms.Gateway.Storage;
using MimeKit;

namespace Mail2Sms.Gateway.Mail;

/// <summary>
/// Hands mail over by writing it into a pickup folder, one <c>.eml</c> file each, the envelope in
/// <c>X-Sender:</c> / <c>X-Receiver:</c> lines before the message as pickup folders expect. A file is
/// written under a temporary name and renamed before the row is marked sent: a crash in between
/// rewrites the same file, never loses it.
/// </summary>
public sealed class PickupFolder(string folder) : IMailTransport
{
    /// <summary>The folder mail is written to.</summary>
    public string Folder { get; } = folder;

    /// <inheritdoc/>
    public string Destination => Path.GetFullPath(Folder);

    /// <inheritdoc/>
    public async Task SendAsync(QueuedMail mail, MimeMessage message, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        var name = Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"{mail.Id:D10}-{mail.Kind}.eml"));
        var temporary = name + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            await file.WriteAsync(Encoding.ASCII.GetBytes($"X-Sender: <{mail.MailFrom}>\r\nX-Receiver: <{mail.RcptTo}>\r\n"), cancellationToken).ConfigureAwait(false);
            await message.WriteToAsync(OutboxSender.Format, file, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temporary, name, overwrite: true);
    }

    /// <inheritdoc/>
    public Task CloseAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

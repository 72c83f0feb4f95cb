using System.Globalization;
using System.Text;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Mail;

/// <summary>
/// Sends queued mail by writing it into a pickup folder, one <c>.eml</c> file each, the envelope in
/// <c>X-Sender:</c> / <c>X-Receiver:</c> lines before the message as pickup folders expect. A file is
/// written under a temporary name and renamed, then the row is marked sent: a crash in between
/// rewrites the same file, never loses it.
/// </summary>
public sealed class PickupWriter(OutboxStore outbox, string folder)
{
    /// <summary>The folder mail is written to.</summary>
    public string Folder { get; } = folder;

    /// <summary>Writes every queued mail; returns how many.</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Folder);
        var written = 0;
        while (true)
        {
            var batch = await outbox.QueuedAsync(100, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return written;
            }

            foreach (var mail in batch)
            {
                var name = Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"{mail.Id:D10}-{mail.Kind}.eml"));
                var temporary = name + ".tmp";
                await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
                {
                    await file.WriteAsync(Encoding.ASCII.GetBytes($"X-Sender: <{mail.MailFrom}>\r\nX-Receiver: <{mail.RcptTo}>\r\n"), cancellationToken).ConfigureAwait(false);
                    await file.WriteAsync(mail.Message, cancellationToken).ConfigureAwait(false);
                }

                File.Move(temporary, name, overwrite: true);
                await outbox.MarkSentAsync(mail.Id, cancellationToken).ConfigureAwait(false);
                written++;
            }
        }
    }

    /// <summary>Drains the queue every <paramref name="interval"/> until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, Action<Exception> onError, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await DrainAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                onError(e);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }
}

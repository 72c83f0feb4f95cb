using Mail2Sms.Gateway.Storage;
using MimeKit;

namespace Mail2Sms.Gateway.Mail;

/// <summary>Where the <see cref="OutboxSender"/> hands mail over: the pickup folder or the smart host.</summary>
public interface IMailTransport
{
    /// <summary>Where mail goes, said for the operator.</summary>
    string Destination { get; }

    /// <summary>
    /// Hands <paramref name="message"/> over with the envelope of <paramref name="mail"/>; returns once it is taken.
    /// Throws <see cref="MailRefusedException"/> when the server answered this mail with a refusal; any other
    /// exception means the destination could not be reached or written, so the mail after it need not be tried now.
    /// </summary>
    Task SendAsync(QueuedMail mail, MimeMessage message, CancellationToken cancellationToken);

    /// <summary>Ends a run of sends (the smart host's connection is closed; a folder has nothing to close).</summary>
    Task CloseAsync(CancellationToken cancellationToken);
}

/// <summary>The server's refusal of one mail: <see cref="Permanent"/> for a 5xx reply, else it may be taken later.</summary>
public sealed class MailRefusedException(string reply, bool permanent, Exception inner) : Exception(reply, inner)
{
    /// <summary>True when sending it again cannot help (a 5xx reply).</summary>
    public bool Permanent { get; } = permanent;
}

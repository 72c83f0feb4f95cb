using System.Text;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Storage;
using MimeKit;

namespace Mail2Sms.Gateway.Mail;

/// <summary>
/// Writes the reports an originator gets: when an email was accepted but some of its recipients,
/// entries or rows failed (one email listing each with its reason), and once all of an email's SMS
/// are final when some did not reach their phones. Each is threaded under the original and, like
/// every email the gateway sends, marked automatic and sent with a null sender, so no auto-responder
/// or bounce can start a loop.
/// </summary>
public sealed class ReportComposer(string gatewayDomain)
{
    /// <summary>The report for <paramref name="failures"/> of the email <paramref name="facts"/> describe.</summary>
    public OutboundMail Compose(SenderFacts facts, IReadOnlyList<RecipientFailure> failures, int sent)
    {
        var body = new StringBuilder()
            .Append("Your email \"").Append(facts.Content.Subject).Append("\" was accepted: ")
            .Append(sent).Append(sent == 1 ? " SMS is" : " SMS are").Append(" on the way.\n")
            .Append(failures.Count).Append(failures.Count == 1 ? " was" : " were").Append(" not sent, and will not be unless you send them again:\n\n");
        foreach (var failure in failures)
        {
            body.Append("  ").Append(failure.Where).Append(": ").Append(failure.Reason.Text).Append('\n');
        }

        return Report(facts.Originator!, facts.MessageId, $"Not all of your SMS could be sent: {facts.Content.Subject}", body);
    }

    /// <summary>The delivery report of an email whose SMS are all final: each SMS that did not reach its phone, with why.</summary>
    public OutboundMail Compose(FinishedEmail finished)
    {
        ArgumentNullException.ThrowIfNull(finished);
        var body = new StringBuilder()
            .Append("Of the SMS from your email \"").Append(finished.Subject).Append("\", ")
            .Append(finished.Delivered).Append(finished.Delivered == 1 ? " reached its phone" : " reached their phones").Append(" and ")
            .Append(finished.Undelivered.Count).Append(finished.Undelivered.Count == 1 ? " did not:\n\n" : " did not:\n\n");
        foreach (var sms in finished.Undelivered)
        {
            body.Append("  +").Append(sms.Number);
            if (sms.Name is { Length: > 0 } name)
            {
                body.Append(" (").Append(name).Append(')');
            }

            body.Append(", ").Append(sms.Status).Append(": ").Append(sms.Reason).Append('\n')
                .Append("    \"").Append(sms.Text.Replace("\n", " / ", StringComparison.Ordinal)).Append("\"\n");
        }

        return Report(finished.Originator, finished.MessageId, $"Not all of your SMS were delivered: {finished.Subject}", body);
    }

    private OutboundMail Report(string originator, string? originalMessageId, string subject, StringBuilder body)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail2Sms", $"postmaster@{gatewayDomain}"));
        message.To.Add(MailboxAddress.Parse(originator));
        message.Subject = subject.TrimEnd(' ', ':');
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(gatewayDomain);
        if (originalMessageId is { Length: > 0 } original)
        {
            message.InReplyTo = original;
            message.References.Add(original);
        }

        message.Headers.Add(HeaderId.AutoSubmitted, "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        message.Body = new TextPart("plain") { Text = body.ToString() };
        return new OutboundMail("report", string.Empty, originator, message);
    }
}

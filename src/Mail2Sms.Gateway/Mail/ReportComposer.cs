using System.Text;
using Mail2Sms.Core.Intake;
using MimeKit;

namespace Mail2Sms.Gateway.Mail;

/// <summary>
/// Writes the report an originator gets when an email was accepted but some of its recipients,
/// entries or rows failed: one email listing each with its reason, threaded under the original.
/// Like every email the gateway sends it is marked automatic and goes out with a null sender, so no
/// auto-responder or bounce can start a loop.
/// </summary>
public sealed class ReportComposer(string gatewayDomain)
{
    /// <summary>The report for <paramref name="failures"/> of the email <paramref name="facts"/> describe.</summary>
    public OutboundMail Compose(SenderFacts facts, IReadOnlyList<RecipientFailure> failures, int sent)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail2Sms", $"postmaster@{gatewayDomain}"));
        message.To.Add(MailboxAddress.Parse(facts.Originator!));
        message.Subject = $"Not all of your SMS could be sent: {facts.Content.Subject}".TrimEnd(' ', ':');
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(gatewayDomain);
        if (facts.MessageId is { } original)
        {
            message.InReplyTo = original;
            message.References.Add(original);
        }

        message.Headers.Add(HeaderId.AutoSubmitted, "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        var body = new StringBuilder()
            .Append("Your email \"").Append(facts.Content.Subject).Append("\" was accepted: ")
            .Append(sent).Append(sent == 1 ? " SMS is" : " SMS are").Append(" on the way.\n")
            .Append(failures.Count).Append(failures.Count == 1 ? " was" : " were").Append(" not sent, and will not be unless you send them again:\n\n");
        foreach (var failure in failures)
        {
            body.Append("  ").Append(failure.Where).Append(": ").Append(failure.Reason.Text).Append('\n');
        }

        message.Body = new TextPart("plain") { Text = body.ToString() };
        return new OutboundMail("report", string.Empty, facts.Originator!, message);
    }
}

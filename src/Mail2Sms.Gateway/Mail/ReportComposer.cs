using System.Globalization;
using System.Text;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Storage;
using MimeKit;

namespace Mail2Sms.Gateway.Mail;

/// <summary>
/// Writes the reports an originator gets: when an email was accepted but some of its recipients,
/// entries or rows failed (one email listing each with its reason); once all of an email's SMS are
/// final, when some did not reach their phones or its user asked for receipt emails; and the warning
/// that an account's credits fell below its warning level. Each but the warning is threaded under the
/// original and, like every email the gateway sends, marked automatic and sent with a null sender, so
/// no auto-responder or bounce can start a loop.
/// </summary>
public sealed class ReportComposer(string gatewayDomain)
{
    /// <summary>Deliveries a receipt email lists one by one; a bulk email's others are counted.</summary>
    public const int MaxListedDeliveries = 1000;

    /// <summary>The report for the failures of <paramref name="acceptance"/>, the email <paramref name="facts"/> describe: each listed one, then "and N more".</summary>
    public OutboundMail Compose(SenderFacts facts, Acceptance acceptance)
    {
        ArgumentNullException.ThrowIfNull(acceptance);
        var sent = acceptance.Messages.Count;
        var failed = acceptance.FailureCount;
        var body = new StringBuilder()
            .Append("Your email \"").Append(facts.Content.Subject).Append("\" was accepted: ")
            .Append(sent).Append(sent == 1 ? " SMS is" : " SMS are").Append(" on the way.\n")
            .Append(failed).Append(failed == 1 ? " was" : " were").Append(" not sent, and will not be unless you send them again:\n\n");
        foreach (var failure in acceptance.Failures)
        {
            body.Append("  ").Append(failure.Where).Append(": ").Append(failure.Reason.Text).Append('\n');
        }

        if (acceptance.UnlistedFailures > 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"  ... and {acceptance.UnlistedFailures} more.\n");
        }

        return Report("report", facts.Originator!, facts.MessageId, $"Not all of your SMS could be sent: {facts.Content.Subject}", body);
    }

    /// <summary>
    /// The email an email whose SMS are all final gets: when some did not reach their phones, the
    /// delivery report naming each with why (and, for a user who asked for receipts, the deliveries
    /// too); when all did, the receipt email listing each delivery.
    /// </summary>
    public OutboundMail Compose(FinishedEmail finished)
    {
        ArgumentNullException.ThrowIfNull(finished);
        var body = new StringBuilder();
        if (finished.Undelivered.Count == 0)
        {
            body.Append("The SMS from your email \"").Append(finished.Subject)
                .Append(finished.Delivered.Count == 1 ? "\" reached its phone:\n\n" : "\" reached their phones:\n\n");
            AppendDeliveries(body, finished.Delivered);
            return Report("receipt", finished.Originator!, finished.MessageId, $"Delivered: {finished.Subject}", body);
        }

        body.Append("Of the SMS from your email \"").Append(finished.Subject).Append("\", ")
            .Append(finished.Delivered.Count).Append(finished.Delivered.Count == 1 ? " reached its phone" : " reached their phones").Append(" and ")
            .Append(finished.Undelivered.Count).Append(" did not:\n\n");
        foreach (var sms in finished.Undelivered)
        {
            AppendSms(body, sms.Number, sms.Name, $"{sms.Status}: {sms.Reason}", sms.Text);
        }

        if (finished.Receipts && finished.Delivered.Count > 0)
        {
            body.Append("\nDelivered:\n\n");
            AppendDeliveries(body, finished.Delivered);
        }

        return Report("report", finished.Originator!, finished.MessageId, $"Not all of your SMS were delivered: {finished.Subject}", body);
    }

    /// <summary>The warning to one user that the account's credits fell below its warning level, and how to top up.</summary>
    public OutboundMail Compose(LowCreditWarning warning)
    {
        ArgumentNullException.ThrowIfNull(warning);
        var body = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Account {warning.AccountId} has {warning.Balance} credits left, below its warning level of {warning.Level}:\n")
            .Append(CultureInfo.InvariantCulture, $"the email \"{warning.Subject}\" took {warning.Cost} just now.\n\n")
            .Append("One SMS part costs one credit. An email that needs more credits than the account holds is refused whole, and none of its SMS is sent.\n")
            .Append(CultureInfo.InvariantCulture, $"To top up, ask the operator of your SMS gateway to add credits to account {warning.AccountId}.\n\n")
            .Append(CultureInfo.InvariantCulture, $"This warning comes once: again only after the account is back at {warning.Level} credits or more and falls below.\n");
        return Report("low-credit", warning.Recipient, null,
            string.Create(CultureInfo.InvariantCulture, $"Low credit: account {warning.AccountId} has {warning.Balance} credits left"), body);
    }

    private static void AppendDeliveries(StringBuilder body, IReadOnlyList<DeliveredSms> delivered)
    {
        foreach (var sms in delivered.Take(MaxListedDeliveries))
        {
            AppendSms(body, sms.Number, sms.Name, string.Create(CultureInfo.InvariantCulture,
                $"delivered {sms.DeliveredAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC (submitted {sms.SubmittedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC)"), sms.Text);
        }

        if (delivered.Count > MaxListedDeliveries)
        {
            body.Append(CultureInfo.InvariantCulture, $"  ... and {delivered.Count - MaxListedDeliveries} more.\n");
        }
    }

    private static void AppendSms(StringBuilder body, string number, string? name, string state, string text)
    {
        body.Append("  +").Append(number);
        if (name is { Length: > 0 })
        {
            body.Append(" (").Append(name).Append(')');
        }

        body.Append(", ").Append(state).Append('\n')
            .Append("    \"").Append(text.Replace("\n", " / ", StringComparison.Ordinal)).Append("\"\n");
    }

    private OutboundMail Report(string kind, string recipient, string? originalMessageId, string subject, StringBuilder body)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail2Sms", $"postmaster@{gatewayDomain}"));
        message.To.Add(MailboxAddress.Parse(recipient));
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
        return new OutboundMail(kind, string.Empty, recipient, message);
    }
}

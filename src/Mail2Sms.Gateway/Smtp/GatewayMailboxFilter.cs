using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Intake;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// <c>MAIL FROM</c> and <c>RCPT TO</c>: each recipient is admitted or refused on its own with the
/// reason FORMATS.md gives (unknown mailbox, relaying, a second format, too many, an invalid number).
/// </summary>
internal sealed class GatewayMailboxFilter(SmtpOptions options, IntakeService intake, Action<Exception> onError)
{
    /// <summary>Begins the transaction; null when accepted, else the refusal (a failure of the gateway's own is 451, never a refusal for good).</summary>
    public async Task<SmtpReply?> CanAcceptFromAsync(SmtpSessionContext context, string from, long? size, CancellationToken cancellationToken)
    {
        context.Begin(from, size);
        try
        {
            // A format 1 number is checked at RCPT TO when the envelope sender tells its account.
            context.NumberRules = await intake.NumberRulesAsync(from, context.ClientAddress, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The gateway's own failure (a database that does not answer): try again later, never a refusal.
            context.Reset();
            onError(e);
            GatewayMetrics.EmailRefused(Reasons.InternalError);
            return SmtpReply.Refused(Reasons.InternalError);
        }
    }

    /// <summary>Admits a recipient; null when admitted, else the refusal.</summary>
    public SmtpReply? CanDeliverTo(SmtpSessionContext context, string to)
    {
        var recipient = Recipient.Parse(to, options.Domains);
        if (RecipientAdmission.Check(recipient, context.Recipients, options.MaxRecipients, context.NumberRules) is { } refusal)
        {
            GatewayMetrics.RecipientRefused(refusal.Code);
            return SmtpReply.Refused(refusal);
        }

        context.Recipients.Add(recipient);
        return null;
    }
}

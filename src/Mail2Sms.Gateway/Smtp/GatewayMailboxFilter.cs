using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Numbers;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// <c>MAIL FROM</c> and <c>RCPT TO</c>: each recipient is admitted or refused on its own with the
/// reason FORMATS.md gives (unknown mailbox, relaying, a second format, too many, an invalid number).
/// </summary>
internal sealed class GatewayMailboxFilter(SmtpOptions options, IAccountDirectory accounts, Action<Exception> onError)
{
    /// <summary>Begins the transaction; null when accepted, else the refusal (a failure of the gateway's own is 451, never a refusal for good).</summary>
    public async Task<SmtpReply?> CanAcceptFromAsync(SmtpSessionContext context, string from, long? size, CancellationToken cancellationToken)
    {
        context.Begin(from, size);
        try
        {
            context.NumberRules = await NumberRulesAsync(context, from, cancellationToken).ConfigureAwait(false);
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

    // A format 1 number is checked at RCPT TO when the envelope sender is a registered user of one account,
    // or matches a *@domain pattern allowed from the client's address of exactly one account.
    private async Task<PhoneNumberRules?> NumberRulesAsync(SmtpSessionContext context, string from, CancellationToken cancellationToken)
    {
        if (from.Length == 0)
        {
            return null;
        }

        var candidates = await accounts.SenderCandidatesAsync(from, cancellationToken).ConfigureAwait(false);
        var exact = AccountsOf(candidates.Where(c => !c.IsPattern));
        var account = exact.Count > 0 ? exact : AccountsOf(candidates.Where(c => c.IsPattern && c.Allows(context.ClientAddress)));
        return account.Count == 1 && await accounts.AccountRulesAsync(account[0], partSizes: null, cancellationToken).ConfigureAwait(false) is { } rules
            ? new PhoneNumberRules(rules.Country, rules.RelaxedNumbers)
            : null;
    }

    private static List<string> AccountsOf(IEnumerable<SenderCandidate> candidates) =>
        candidates.Select(c => c.AccountId).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

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

using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Numbers;
using Mail2Sms.Gateway.Storage;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Storage;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// <c>MAIL FROM</c> and <c>RCPT TO</c>: each recipient is admitted or refused on its own with the
/// reason FORMATS.md gives (unknown mailbox, relaying, a second format, too many, an invalid number).
/// </summary>
internal sealed class GatewayMailboxFilter(SmtpOptions options, AccountStore accounts, Action<Exception> onError) : IMailboxFilter
{
    internal const string RecipientsKey = "mail2sms:recipients";
    private const string NumberRulesKey = "mail2sms:number-rules";

    public async Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken)
    {
        try
        {
            await RememberSenderAsync(context, from, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not (OperationCanceledException or SmtpServer.Protocol.SmtpResponseException))
        {
            // The gateway's own failure (a database that does not answer): try again later, never a refusal.
            onError(e);
            GatewayMetrics.EmailRefused(Reasons.InternalError);
            throw SmtpReplies.Refusal(Reasons.InternalError);
        }
    }

    private async Task RememberSenderAsync(ISessionContext context, IMailbox from, CancellationToken cancellationToken)
    {
        context.Properties[RecipientsKey] = new List<Recipient>();
        context.Properties.Remove(NumberRulesKey);

        // A format 1 number is checked at RCPT TO when the envelope sender is a registered user of one account.
        var address = from.AsAddress();
        if (address.Length > 0)
        {
            var exact = (await accounts.SenderCandidatesAsync(address, cancellationToken).ConfigureAwait(false))
                .Where(c => !c.IsPattern).Select(c => c.AccountId).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (exact.Count == 1 && await accounts.AccountRulesAsync(exact[0], cancellationToken).ConfigureAwait(false) is { } account)
            {
                context.Properties[NumberRulesKey] = new PhoneNumberRules(account.Country, account.RelaxedNumbers);
            }
        }
    }

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
    {
        var admitted = (List<Recipient>)context.Properties[RecipientsKey];
        var recipient = Recipient.Parse(to.AsAddress(), options.Domains);
        var numbers = context.Properties.TryGetValue(NumberRulesKey, out var rules) ? (PhoneNumberRules)rules : null;
        if (RecipientAdmission.Check(recipient, admitted, options.MaxRecipients, numbers) is { } refusal)
        {
            GatewayMetrics.RecipientRefused(refusal.Code);
            throw SmtpReplies.Refusal(refusal);
        }

        admitted.Add(recipient);
        return Task.FromResult(true);
    }
}

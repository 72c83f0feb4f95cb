using System.Net;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Numbers;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace Mail2Sms.Gateway.Intake;

/// <summary>One email as the SMTP layer hands it over, after <c>DATA</c>.</summary>
/// <param name="Message">The parsed email.</param>
/// <param name="Envelope">Its envelope: <c>MAIL FROM</c>, the accepted <c>RCPT TO</c>s, the client's address.</param>
/// <param name="SizeBytes">Its size as received.</param>
/// <param name="SmtpAuthUser">The user the session authenticated as with SMTP AUTH over TLS, if any.</param>
public sealed record IncomingEmail(MimeMessage Message, Envelope Envelope, long SizeBytes, string? SmtpAuthUser = null);

/// <summary>A REST API request to send SMS, as the API hands it over once its key, size and fields are checked.</summary>
/// <param name="AccountId">The account its key belongs to.</param>
/// <param name="Subject">Put before each text, as an email's subject is in format 1.</param>
/// <param name="Messages">The messages, each with a number and a text.</param>
/// <param name="ClientAddress">The client's address.</param>
/// <param name="SizeBytes">The request body's size.</param>
public sealed record IncomingRequest(string AccountId, string? Subject, IReadOnlyList<RequestedSms> Messages, IPAddress? ClientAddress, long SizeBytes);

/// <summary>What became of an API request: Core's decision, and the commit's outcome when there was any SMS to commit.</summary>
public sealed record RequestIntake(RequestDecision Decision, AcceptOutcome? Outcome);

/// <summary>
/// The whole of intake for one email: read its facts, authenticate its sender, recognise a resend,
/// decide with Core's rules, and commit. The reply is <c>250</c> only once the commit is done; any
/// failure of the gateway itself is <c>451 4.3.0</c>, so the sending server keeps the email and retries.
/// </summary>
public sealed class IntakeService(
    IReadOnlyCollection<string> gatewayDomains, SenderAuthenticator authenticator, IAccountDirectory accounts, IEmailCommitter emails, IOutbox outbox, ILogger? log = null)
{
    private readonly ReportComposer _reports = new(gatewayDomains.First());
    private readonly ILogger _log = log ?? NullLogger.Instance;

    /// <summary>The most failures of one email listed in its report, its store rows and its reply (<c>Intake:MaxReportedFailures</c>); the rest are counted.</summary>
    public int MaxReportedFailures { get; init; } = IntakeRules.DefaultMaxListedFailures;

    /// <summary>The sizes the SMS centre's parts are cut to (<c>Smpp:Concatenation</c>): what an SMS costs is counted by them.</summary>
    public Core.Text.PartSizes? PartSizes { get; init; }

    /// <summary>Woken after each commit that queued SMS, so the dispatcher sends them now rather than at its next look; null wakes nobody.</summary>
    public QueueSignal? Queued { get; init; }

    /// <summary>Told after each commit that queued SMS (never inside it), to wake the other nodes' dispatchers; null tells nobody.</summary>
    public IWakeups? Wakeups { get; init; }

    /// <summary>
    /// The number rules a format 1 recipient is checked by at <c>RCPT TO</c>: those of the one account whose registered
    /// user <paramref name="mailFrom"/> is, or else of the one account whose <c>*@domain</c> pattern it matches from
    /// <paramref name="client"/>; null when there is no such one account (the number is checked after <c>DATA</c>).
    /// </summary>
    public async Task<PhoneNumberRules?> NumberRulesAsync(string mailFrom, IPAddress? client, CancellationToken cancellationToken = default)
    {
        if (mailFrom.Length == 0)
        {
            return null;
        }

        var candidates = await accounts.SenderCandidatesAsync(mailFrom, cancellationToken).ConfigureAwait(false);
        var exact = AccountsOf(candidates.Where(c => !c.IsPattern));
        var account = exact.Count > 0 ? exact : AccountsOf(candidates.Where(c => c.IsPattern && c.Allows(client)));
        return account.Count == 1 && await accounts.AccountRulesAsync(account[0], partSizes: null, cancellationToken).ConfigureAwait(false) is { } rules
            ? new PhoneNumberRules(rules.Country, rules.RelaxedNumbers)
            : null;
    }

    private static List<string> AccountsOf(IEnumerable<SenderCandidate> candidates) =>
        candidates.Select(c => c.AccountId).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Queues a copy of <paramref name="message"/>, its [SENDER] password masked, for the operator at <paramref name="postmasterAddress"/>.</summary>
    public Task ForwardToPostmasterAsync(MimeMessage message, string mailFrom, string postmasterAddress, CancellationToken cancellationToken = default) =>
        outbox.QueueAsync(new OutboundMail("postmaster", mailFrom, postmasterAddress, Core.Formats.SenderPasswordMask.MaskedCopy(message)), cancellationToken);

    /// <summary>
    /// Receives an API request: decided by Core's rules as format 1 emails would be, and committed with its
    /// credit debit like one; <paramref name="answer"/> gives the answer to compose (and keep for its
    /// Idempotency-Key) inside that commit.
    /// </summary>
    public async Task<RequestIntake> ReceiveAsync(IncomingRequest request, Func<RequestDecision, RequestAnswer> answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(answer);
        var account = await accounts.AccountRulesAsync(request.AccountId, PartSizes, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Account {request.AccountId} vanished.");
        var decision = RequestRules.Decide(request.Messages, request.Subject, account, [.. gatewayDomains], request.ClientAddress);
        if (decision.Acceptance is not { } acceptance)
        {
            return new RequestIntake(decision, null);
        }

        // Kept as an email of format 1 without an envelope, its source telling it apart.
        var received = new ReceivedEmail(account.Id, null, null, string.Empty, request.ClientAddress?.ToString(), EmailFormat.Mobile, request.Subject ?? string.Empty,
            request.SizeBytes, [.. request.Messages.Select(m => m.To)])
        {
            Source = IntakeSource.Api,
            Answer = answer(decision),
        };
        var outcome = await CommitAsync(received, acceptance, null, cancellationToken).ConfigureAwait(false);
        return new RequestIntake(decision, outcome);
    }

    // One commit of an email or a request; one that queued SMS wakes the dispatcher, so they go now rather than at its next look.
    private async Task<AcceptOutcome> CommitAsync(ReceivedEmail received, Acceptance acceptance, OutboundMail? report, CancellationToken cancellationToken)
    {
        var outcome = await emails.AcceptAsync(received, acceptance, report, _reports.Compose, cancellationToken).ConfigureAwait(false);
        if (outcome.EmailId is not null)
        {
            Queued?.Set();
            Wakeups?.Notify(WakeupTopics.Sms);
        }

        return outcome;
    }

    /// <summary>Receives one email and returns the reply to give.</summary>
    public async Task<SmtpReply> ReceiveAsync(IncomingEmail email, CancellationToken cancellationToken = default)
    {
        var facts = SenderFacts.Read(email.Message, email.Envelope, gatewayDomains);
        if (facts.Rejection is { } rejection)
        {
            return await RefusedAsync(new Rejection(rejection), email, facts, null).ConfigureAwait(false);
        }

        var sender = await authenticator.AuthenticateAsync(facts.Originator, facts.SenderBlock, email.SmtpAuthUser,
            email.Envelope.ClientAddress, facts.IsForwarded, cancellationToken).ConfigureAwait(false);
        if (sender.Failure is { } failure)
        {
            return await RefusedAsync(new Rejection(failure), email, facts, sender.AccountId).ConfigureAwait(false);
        }

        var account = await accounts.AccountRulesAsync(sender.AccountId!, PartSizes, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Account {sender.AccountId} vanished during intake.");
        var recipients = email.Envelope.Recipients;
        // An answer to one of the gateway's reply emails sends only its new text back (FORMATS.md "Replies").
        var answersReply = await outbox.IsGatewayReplyAsync(facts.References, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            switch (IntakeRules.Decide(facts, account, answersReply, MaxReportedFailures))
            {
                case Rejection refused:
                    // An email accepted before and resent after its account's rules changed is still the email accepted then.
                    var served = await emails.AlreadyServedAsync(account.Id, facts.MessageId, recipients, cancellationToken).ConfigureAwait(false);
                    return served.Count == recipients.Count ? AlreadyAccepted(facts) : await RefusedAsync(refused, email, facts, account.Id).ConfigureAwait(false);
                case Acceptance acceptance:
                    var received = new ReceivedEmail(account.Id, facts.MessageId, facts.Originator, email.Envelope.MailFrom,
                        email.Envelope.ClientAddress?.ToString(), facts.Format!.Value, facts.Content.Subject, email.SizeBytes, recipients, sender.User);
                    var report = acceptance.FailureCount > 0 && facts.Originator is not null
                        ? _reports.Compose(facts, acceptance)
                        : null;
                    var outcome = await CommitAsync(received, acceptance, report, cancellationToken).ConfigureAwait(false);
                    if (outcome.AlreadyServed is { Count: > 0 } resent)
                    {
                        // A resend (the 250 was lost): only recipients it was not accepted for go ahead, decided again without the others.
                        recipients = recipients.Where(r => !resent.Contains(Recipient.ResendKey(r))).ToList();
                        if (recipients.Count == 0)
                        {
                            return AlreadyAccepted(facts);
                        }

                        facts = SenderFacts.Read(email.Message, email.Envelope with { Recipients = recipients }, gatewayDomains);
                        continue;
                    }

                    if (outcome.Refusal is { } refusal)
                    {
                        return await RefusedAsync(new Rejection(refusal), email, facts, account.Id).ConfigureAwait(false);
                    }

                    GatewayMetrics.EmailAccepted();
                    _log.EmailAccepted(facts.MessageId, account.Id, outcome.EmailId, acceptance.Messages.Count);
                    return SmtpReply.Accepted(acceptance, facts.Originator);
                default:
                    throw new InvalidOperationException("Intake decided neither to accept nor to reject.");
            }
        }
    }

    // Counted, logged and kept for the operator's dashboard; a failure to keep it is logged and the refusal stands.
    private async Task<SmtpReply> RefusedAsync(Rejection rejection, IncomingEmail email, SenderFacts facts, string? account)
    {
        GatewayMetrics.EmailRefused(rejection.Primary);
        var reason = GatewayMetrics.Label(rejection.Primary.Code);
        _log.EmailRejected(facts.MessageId, account, reason, rejection.Primary.Text);
        var reply = SmtpReply.Refused(rejection);
        var rejected = new RejectedEmail(account, facts.MessageId, facts.Originator, email.Envelope.MailFrom, email.Envelope.ClientAddress?.ToString(),
            email.Envelope.Recipients, facts.Content.Subject, reason, reply.ToString());
        try
        {
            await emails.RecordRejectionAsync(rejected, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Only the dashboard's record is lost; the sender still gets the refusal, not a 451 and a retry.
            _log.RejectionNotKept(e);
        }

        return reply;
    }

    private static SmtpReply AlreadyAccepted(SenderFacts facts) =>
        SmtpReply.Accepted($"Already accepted: <{facts.MessageId}> was received before and is not sent again.");
}

using Mail2Sms.Core.Intake;

namespace Mail2Sms.Gateway.Storage;

/// <summary>
/// Commits an accepted email in one transaction: the email, its SMS (queued), its failures, the
/// recipients it served (so a resend is recognised), the credit debit (checked against the balance so
/// that concurrent emails can never overspend an account), its report and, when that debit takes the
/// account below its warning level, the warning emails; and keeps refused emails for the operator.
/// The caller wakes the dispatcher once a commit returns an email ID.
/// </summary>
public interface IEmailCommitter
{
    /// <summary>How long a Message-ID and recipient are remembered to recognise a resend.</summary>
    static readonly TimeSpan ResendWindow = TimeSpan.FromHours(24);

    /// <summary>How long refused emails are kept for the operator.</summary>
    static readonly TimeSpan RejectionsKept = TimeSpan.FromDays(30);

    /// <summary>
    /// Commits <paramref name="acceptance"/>; returns the email's ID, or the refusal (credits, a used CSV
    /// name), or the recipients already served within <see cref="ResendWindow"/> with nothing committed.
    /// The task completes only after the commit that holds the email.
    /// </summary>
    /// <param name="email">The email's envelope and headers.</param>
    /// <param name="acceptance">What Core decided to send.</param>
    /// <param name="report">The report of its failures, queued in the same transaction so it cannot be lost.</param>
    /// <param name="warn">
    /// Writes the low-credit warning, queued in the same transaction when this email's debit takes the
    /// account from at or above its warning level to below it; null sends none.
    /// </param>
    /// <param name="cancellationToken">Cancels waiting; the commit itself, once queued, goes ahead.</param>
    Task<AcceptOutcome> AcceptAsync(
        ReceivedEmail email, Acceptance acceptance, OutboundMail? report = null, Func<LowCreditWarning, OutboundMail>? warn = null,
        CancellationToken cancellationToken = default);

    /// <summary>Keeps a refused email for the operator, and lets those older than <see cref="RejectionsKept"/> go.</summary>
    Task RecordRejectionAsync(RejectedEmail rejected, CancellationToken cancellationToken = default);

    /// <summary>Of <paramref name="recipients"/>, those (as <see cref="Recipient.ResendKey"/> writes them) an email with this Message-ID was already accepted for within <see cref="ResendWindow"/>.</summary>
    Task<IReadOnlySet<string>> AlreadyServedAsync(string accountId, string? messageId, IEnumerable<string> recipients, CancellationToken cancellationToken = default);
}

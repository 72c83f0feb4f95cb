using Mail2Sms.Core.Replies;

namespace Mail2Sms.Gateway.Storage;

/// <summary>A reply from a mobile as kept.</summary>
/// <param name="Id">The reply.</param>
/// <param name="ReceivedAt">When it came.</param>
/// <param name="Mobile">Who sent it.</param>
/// <param name="ToAddress">The source address it answers.</param>
/// <param name="Status">emailed, ambiguous, unmatched or kept.</param>
/// <param name="Text">What it says.</param>
/// <param name="SmsId">The SMS it answers, when matched.</param>
/// <param name="AccountId">That SMS's account.</param>
/// <param name="AssignedBy">The operator who assigned it to that SMS by hand, when one did.</param>
/// <param name="AssignedAt">When they did.</param>
public sealed record ReplyListing(long Id, DateTimeOffset ReceivedAt, string Mobile, string ToAddress, string Status, string Text, long? SmsId, string? AccountId,
    string? AssignedBy, DateTimeOffset? AssignedAt);

/// <summary>What assigning a reply by hand did.</summary>
/// <param name="ReplyId">The reply.</param>
/// <param name="SmsId">The SMS it answers.</param>
/// <param name="AccountId">That SMS's account.</param>
/// <param name="Outcome">Emailed, or kept for an SMS sent through the REST API.</param>
/// <param name="EmailedTo">Who the reply email goes to, when emailed.</param>
public sealed record ReplyAssignment(long ReplyId, long SmsId, string AccountId, ReplyOutcome Outcome, string? EmailedTo);

/// <summary>An SMS a reply may answer, as the operator picks one.</summary>
/// <param name="SmsId">The SMS.</param>
/// <param name="AccountId">Its account.</param>
/// <param name="SentAt">When it was submitted.</param>
/// <param name="Text">What it said.</param>
public sealed record ReplyCandidate(long SmsId, string AccountId, DateTimeOffset SentAt, string Text);

/// <summary>The SMS a reply answers, as the reply email quotes it.</summary>
/// <param name="Originator">Who sent the email the SMS came from: the reply goes to them.</param>
/// <param name="MessageId">That email's Message-ID, for threading; null when it had none.</param>
/// <param name="Subject">That email's subject.</param>
/// <param name="Name">The recipient's name, when the email gave one.</param>
/// <param name="Text">The SMS as sent.</param>
/// <param name="SentAt">When it was submitted.</param>
public sealed record AnsweredSms(string Originator, string? MessageId, string Subject, string? Name, string Text, DateTimeOffset SentAt);

/// <summary>Composes the email a reply from <paramref name="mobile"/> becomes, for the originator of the SMS it answers.</summary>
public delegate OutboundMail ReplyMail(string mobile, string text, AnsweredSms answered);

/// <summary>
/// Replies from mobiles: each matched (by Core's <see cref="ReplyMatching"/>) to the SMS it answers among those
/// sent to its mobile, kept, and its email (composed by the caller's <see cref="ReplyMail"/>) queued in the
/// same transaction, so neither is lost or doubled without the other; STOP and START change the opt-out list there too.
/// A reply that comes in parts is joined here too, whichever nodes' binds its parts came on.
/// </summary>
public interface IReplyStore
{
    /// <summary>
    /// Keeps a reply to <paramref name="toAddress"/> (the source address it answers) from <paramref name="mobile"/>, matched
    /// within each account's reply window or <paramref name="window"/>, and queues its email; returns what became of it.
    /// </summary>
    Task<ReplyOutcome> ReceiveAsync(string mobile, string toAddress, string text, TimeSpan window, ReplyMail compose, CancellationToken cancellationToken = default);

    /// <summary>
    /// Assigns an unmatched or ambiguous reply to the SMS it answers, as the operator <paramref name="by"/> decided, and
    /// emails it to whoever sent that SMS (or keeps it for the account, for an SMS sent through the REST API), in one transaction.
    /// </summary>
    /// <exception cref="StoreException">The reply is not unmatched or ambiguous, or the SMS was not sent to its mobile.</exception>
    Task<ReplyAssignment> AssignAsync(long replyId, long smsId, string by, ReplyMail compose, CancellationToken cancellationToken = default);

    /// <summary>The newest replies, at most <paramref name="limit"/>, only those in <paramref name="status"/> and to SMS of <paramref name="accountId"/> when given.</summary>
    Task<IReadOnlyList<ReplyListing>> ListAsync(string? status, int limit, string? accountId = null, CancellationToken cancellationToken = default);

    /// <summary>The latest SMS sent to each of <paramref name="mobiles"/>, at most <paramref name="limit"/> each, newest first: the SMS a reply from it may answer.</summary>
    Task<ILookup<string, ReplyCandidate>> CandidatesAsync(IReadOnlyCollection<string> mobiles, int limit, CancellationToken cancellationToken = default);

    /// <summary>True when <paramref name="number"/> replied STOP to <paramref name="accountId"/> and has not replied START since.</summary>
    Task<bool> IsOptedOutAsync(string accountId, string number, CancellationToken cancellationToken = default);

    /// <summary>
    /// Keeps one part of a reply that came in parts (keyed by its source, destination, reference and total); when it is
    /// the last part missing, takes the whole reply out of the store and returns it, else null. Atomic across nodes: a
    /// part stored twice counts once, and of two nodes storing the last two parts at the same moment exactly one gets the reply.
    /// </summary>
    Task<JoinedReply?> AddPartAsync(ReplyPart part, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes out and returns, joined as far as they got, the replies whose first part came <paramref name="timeout"/> ago
    /// or longer without the rest: each to one caller only, whichever node asks first.
    /// </summary>
    Task<IReadOnlyList<JoinedReply>> TakeUnfinishedAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}

using Mail2Sms.Core.Delivery;
using Mail2Sms.Smpp;

namespace Mail2Sms.Gateway.Storage;

/// <summary>A queued SMS claimed for submitting.</summary>
/// <param name="Id">The SMS.</param>
/// <param name="AccountId">Its account.</param>
/// <param name="Number">The mobile, international digits.</param>
/// <param name="Text">The text as it will be sent.</param>
/// <param name="Encoding"><c>Gsm7</c> or <c>Ucs2</c>.</param>
/// <param name="Parts">Its parts (each a credit).</param>
/// <param name="Attempts">Submits tried before this one.</param>
/// <param name="CreatedAt">When it was accepted (its validity counts from then).</param>
/// <param name="OptedOut">The mobile replied STOP to this account (and not START since).</param>
/// <param name="Source">The source address it goes from.</param>
/// <param name="PartsDone">Its first parts the SMSC already took in an attempt cut short: they are not sent again.</param>
public sealed record ClaimedSms(long Id, string AccountId, string Number, string Text, string Encoding, int Parts, int Attempts, DateTimeOffset CreatedAt, bool OptedOut, string Source, int PartsDone);

/// <summary>Parts the SMSC took, in order, from part <paramref name="First"/> (1 for the first part of an SMS).</summary>
/// <param name="First">The number of the first of them.</param>
/// <param name="MessageIds">The SMSC's message ID of each.</param>
/// <param name="Form">How the SMSC writes these IDs in its receipts.</param>
public sealed record SentParts(int First, IReadOnlyList<string> MessageIds, ReceiptIdForm Form);

/// <summary>What a claim decides besides which SMS: where each goes from.</summary>
public sealed record ClaimRules
{
    /// <summary>The source address when the account has no sender of its own and there is no pool (<c>Smpp:SourceAddress</c>).</summary>
    public string SourceAddress { get; init; } = "Mail2Sms";

    /// <summary>Numbers an account and mobile pair is given one of, kept for later SMS (<c>Smpp:SourcePool</c>).</summary>
    public IReadOnlyList<string> SourcePool { get; init; } = [];

    /// <summary>How long a pool number stays another account's for a mobile: the reply window.</summary>
    public TimeSpan SourceStickiness { get; init; } = TimeSpan.FromDays(7);
}

/// <summary>An SMS of a finished email that did not reach its phone, for the delivery report.</summary>
/// <param name="Number">The mobile.</param>
/// <param name="Name">The recipient's name, when the email gave one.</param>
/// <param name="Text">The SMS.</param>
/// <param name="Status">failed, expired or unknown.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record UndeliveredSms(string Number, string? Name, string Text, string Status, string Reason);

/// <summary>An SMS of a finished email that reached its phone, for the receipt email.</summary>
/// <param name="Number">The mobile.</param>
/// <param name="Name">The recipient's name, when the email gave one.</param>
/// <param name="Text">The SMS.</param>
/// <param name="SubmittedAt">When the SMS centre took it.</param>
/// <param name="DeliveredAt">When its receipt said it reached the phone.</param>
public sealed record DeliveredSms(string Number, string? Name, string Text, DateTimeOffset SubmittedAt, DateTimeOffset DeliveredAt);

/// <summary>An email whose SMS are all final, with those that arrived and those that did not.</summary>
/// <param name="EmailId">The email.</param>
/// <param name="Originator">Who sent it: the report goes to them; null when it did not say (no report then).</param>
/// <param name="MessageId">Its Message-ID, to thread the report under it.</param>
/// <param name="Subject">Its subject.</param>
/// <param name="Delivered">SMS that reached their phones.</param>
/// <param name="Undelivered">SMS that did not.</param>
/// <param name="Receipts">The user who sent it asked for receipt emails: the deliveries are listed too.</param>
public sealed record FinishedEmail(
    long EmailId, string? Originator, string? MessageId, string Subject, IReadOnlyList<DeliveredSms> Delivered, IReadOnlyList<UndeliveredSms> Undelivered, bool Receipts)
{
    /// <summary>An email with its final <paramref name="sms"/> told apart: those that reached their phones, and the others with why.</summary>
    public static FinishedEmail Of(long emailId, string? originator, string? messageId, string subject, bool receipts, IReadOnlyList<FinalSms> sms)
    {
        ArgumentNullException.ThrowIfNull(sms);
        var delivered = sms.Where(s => s.Status == SmsStatus.Delivered.Word())
            .Select(s => new DeliveredSms(s.Number, s.Name, s.Text, s.SubmittedAt ?? s.FinalAt, s.FinalAt)).ToList();
        var undelivered = sms.Where(s => s.Status != SmsStatus.Delivered.Word())
            .Select(s => new UndeliveredSms(s.Number, s.Name, s.Text, s.Status, s.Error ?? $"The SMS centre reported it {s.Status}.")).ToList();
        return new FinishedEmail(emailId, originator, messageId, subject, delivered, undelivered, receipts);
    }
}

/// <summary>An SMS of a finished email as the store holds it.</summary>
/// <param name="Number">The mobile.</param>
/// <param name="Name">The recipient's name, when the email gave one.</param>
/// <param name="Text">The SMS.</param>
/// <param name="Status">Its final status word.</param>
/// <param name="Error">Why it did not arrive, when the store says.</param>
/// <param name="SubmittedAt">When the SMS centre took it; null when it never did.</param>
/// <param name="FinalAt">When it became final.</param>
public sealed record FinalSms(string Number, string? Name, string Text, string Status, string? Error, DateTimeOffset? SubmittedAt, DateTimeOffset FinalAt);

/// <summary>What to do with a finished email: mark it reported, and queue its report when it has one.</summary>
/// <param name="EmailId">The email.</param>
/// <param name="Report">The delivery report or receipt email; null when it needs none.</param>
public sealed record EmailReport(long EmailId, OutboundMail? Report);

/// <summary>
/// The queue of SMS as delivery sees it: claimed with a lease (alerts first, accounts taking turns, each within its cap
/// per minute over every node's claims), renewed while submits are under way, recorded part by part as the SMS centre
/// takes them (many SMS in one write), retried, held uncertain when a submit's answer never came (until a receipt says
/// it was taken, or its grace ends), ended unsent or partly sent (credits back for the parts never submitted), settled by
/// receipts (one that comes before its submit is recorded is kept until it is), expired, marked unknown, and reported
/// once its email is final.
/// A <c>node</c> argument names the node a claim belongs to (null for none: only the lease frees it then).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is the queue of SMS, in the domain's own word.")]
public interface ISmsQueue
{
    /// <summary>
    /// Claims up to <paramref name="limit"/> due SMS for <paramref name="lease"/> for <paramref name="node"/>, each with the
    /// source address it goes from. Alerts of every account come before any bulk SMS; within that, accounts take turns
    /// (one account's long batch never holds another's SMS back). An account with a cap per minute (<c>sms_per_minute</c>)
    /// gets no more than the cap less the SMS claimed for it in the last minute by any claim of any node on the store.
    /// </summary>
    Task<IReadOnlyList<ClaimedSms>> ClaimAsync(int limit, TimeSpan lease, ClaimRules? rules = null, long? node = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Holds the claims on <paramref name="smsIds"/> (submits still under way) until <paramref name="until"/>, those
    /// still <paramref name="node"/>'s: one taken over by another node meanwhile stays that node's.
    /// </summary>
    Task RenewAsync(IReadOnlyCollection<long> smsIds, DateTimeOffset until, long? node = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records, for each SMS of <paramref name="submits"/>, the last parts the SMS centre took, all in one write: the SMS is
    /// submitted, whoever holds its claim now (one no longer queued is left as it is, one not in the store is passed over);
    /// receipts that came before are applied now.
    /// </summary>
    Task SubmittedAsync(IReadOnlyList<(long SmsId, SentParts Parts)> submits, CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts the SMS back in the queue, due at <paramref name="dueAt"/>, with why, if <paramref name="node"/> still holds its
    /// claim. Parts the SMS centre took before the attempt was cut short (<paramref name="parts"/>) are recorded either way,
    /// and not sent again.
    /// </summary>
    Task RetryAsync(long smsId, DateTimeOffset dueAt, string reason, SentParts? parts = null, long? node = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the SMS uncertain: the answer to the submit of its part after <paramref name="parts"/> (those the SMS centre took
    /// before, recorded, may be none) never came, so it may have been taken. It is not claimed until <paramref name="graceEnds"/>;
    /// a receipt quoting <paramref name="partText"/> (the text of that part) ends it as taken before then. Only while
    /// <paramref name="node"/> still holds its claim, as <see cref="RetryAsync"/>.
    /// </summary>
    Task UncertainAsync(long smsId, DateTimeOffset graceEnds, string reason, SentParts? parts, string? partText, long? node = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts back in the queue, due now, every uncertain SMS whose grace ended by <paramref name="now"/>, whichever node made it
    /// uncertain; each goes back once, however many nodes sweep. Returns how many.
    /// </summary>
    Task<int> ReleaseUncertainAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Ends the SMS as <paramref name="status"/> (failed or expired) with why; its credits go back, as none of its parts was submitted.</summary>
    Task EndUnsentAsync(long smsId, SmsStatus status, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends an SMS refused part-way: the parts the SMS centre took are recorded (their receipts still come), the SMS is
    /// failed with why, and the credits of the parts never submitted go back.
    /// </summary>
    Task EndPartlySentAsync(long smsId, SentParts parts, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies each receipt's state word to the parts with its key, in the order given, then settles their SMS, all in one
    /// write. One for a part not recorded yet whose <see cref="SmsReceipt.Quote"/> matches exactly one uncertain SMS (to that
    /// mobile, from that source, the text of the part under way starting with the quoted text) records that part as taken
    /// with the receipt's ID: the SMS is submitted (or queued for its remaining parts), never sent again. Any other is kept
    /// until a part with its key is recorded. Returns how many of <paramref name="receipts"/> matched a part.
    /// </summary>
    Task<int> ReceiptsAsync(IReadOnlyList<SmsReceipt> receipts, CancellationToken cancellationToken = default);

    /// <summary>Marks SMS submitted before <paramref name="before"/> and still without a final receipt as unknown; returns how many.</summary>
    Task<int> MarkUnknownAsync(DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>Expires queued SMS accepted before <paramref name="acceptedBefore"/> and not claimed now (their credits back); returns how many.</summary>
    Task<int> ExpireAsync(DateTimeOffset acceptedBefore, string reason, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> emails not reported yet whose SMS are all final, oldest first, with those that arrived and those that did not.</summary>
    Task<IReadOnlyList<FinishedEmail>> FinishedAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks each email reported and queues its report, in one transaction, only if it was not reported already (so
    /// none is lost or sent twice, whichever node gets there first). Returns how many reports were queued.
    /// </summary>
    Task<int> ReportedAsync(IReadOnlyCollection<EmailReport> reports, CancellationToken cancellationToken = default);
}

namespace Mail2Sms.Gateway.Storage;

/// <summary>The figures of the dashboard's overview.</summary>
/// <param name="Queued">SMS waiting to be submitted.</param>
/// <param name="OldestQueuedAt">When the oldest of them was accepted.</param>
/// <param name="Today">SMS accepted today (UTC), by their status now.</param>
/// <param name="Accounts">How many accounts there are.</param>
/// <param name="Credits">Their credits together.</param>
/// <param name="Refused">The latest recipients, entries and rows refused at acceptance.</param>
public sealed record DashboardOverview(long Queued, DateTimeOffset? OldestQueuedAt, IReadOnlyList<StatusCount> Today, long Accounts, long Credits, IReadOnlyList<RefusedRecipient> Refused);

/// <summary>SMS per minute over the last hours: the minutes from <paramref name="From"/> to now, only those with any activity.</summary>
/// <param name="From">The first minute of the window (UTC).</param>
/// <param name="Hours">How long the window is; it ends with the current minute.</param>
/// <param name="Active">The minutes in which any SMS was accepted, submitted or made final, oldest first.</param>
public sealed record SmsPerMinute(DateTimeOffset From, int Hours, IReadOnlyList<SmsMinute> Active);

/// <summary>What happened to SMS in one minute: accepted, submitted, delivered, and failed (failed, expired or unknown).</summary>
public sealed record SmsMinute(DateTimeOffset Minute, long Accepted, long Submitted, long Delivered, long Failed);

/// <summary>How many SMS are in a status.</summary>
public sealed record StatusCount(string Status, long Count);

/// <summary>A recipient (entry, row) of an accepted email that was refused, with the reason the sender was given.</summary>
public sealed record RefusedRecipient(long EmailId, string AccountId, string Location, string Reason, DateTimeOffset At);

/// <summary>What the messages page searches by; each part is optional. Pages count from 1.</summary>
public sealed record SmsSearch(string? Number = null, string? AccountId = null, string? Status = null, string? Text = null, int Page = 1)
{
    /// <summary>Part of the address of whoever sent the SMS's email (its From, or the envelope's MAIL FROM), any case.</summary>
    public string? Sender { get; init; }

    /// <summary>The first day (UTC) the SMS were accepted on.</summary>
    public DateOnly? From { get; init; }

    /// <summary>The last day (UTC) the SMS were accepted on.</summary>
    public DateOnly? To { get; init; }
}

/// <summary>One SMS as the messages page lists it, with its email's subject.</summary>
public sealed record SmsFound(long Id, long EmailId, string AccountId, string Number, string? Name, string Text, string Status, int Parts, DateTimeOffset CreatedAt, string Subject);

/// <summary>An accepted email with what failed at acceptance and every SMS it sent.</summary>
public sealed record EmailDetail(long Id, string AccountId, string? Originator, string MailFrom, IntakeSource Source, string? ClientIp, int Format, string Subject, long Credits,
    DateTimeOffset ReceivedAt, IReadOnlyList<RefusedRecipient> Refused, IReadOnlyList<SmsDetail> Sms, int FailureCount)
{
    /// <summary>Failures counted at acceptance but not kept (past <c>Intake:MaxReportedFailures</c>).</summary>
    public int UnlistedFailures => Math.Max(0, FailureCount - Refused.Count);
}

/// <summary>One SMS and its timeline: accepted, submitted (each part's SMSC ID and receipt), final, and the replies to it.</summary>
public sealed record SmsDetail(long Id, string Number, string? Name, string Text, string Encoding, int Parts, string Status, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? SubmittedAt, DateTimeOffset? FinalAt, IReadOnlyList<SmsPartDetail> Submitted, IReadOnlyList<ReplyListing> Replies);

/// <summary>One submitted part: the SMSC's message ID and what its receipt said.</summary>
public sealed record SmsPartDetail(int Part, string SmscMessageId, string Status, string? ReceiptState, DateTimeOffset? ReceiptAt);

/// <summary>One SMS as the operator sees it in a list.</summary>
public sealed record SmsListing(long Id, long EmailId, string AccountId, string Number, string? Name, string Text, string Encoding, int Parts, string Status, DateTimeOffset CreatedAt);

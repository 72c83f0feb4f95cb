using Mail2Sms.Core.Intake;

namespace Mail2Sms.Gateway.Storage;

/// <summary>Which way a request to send SMS came in.</summary>
public enum IntakeSource
{
    /// <summary>An email, through SMTP or the pickup folder.</summary>
    Email,

    /// <summary>A request to the REST API, which has no envelope: its MAIL FROM is empty.</summary>
    Api,
}

/// <summary>What the gateway knows of an accepted email besides the decision.</summary>
/// <param name="AccountId">The authenticated sender's account.</param>
/// <param name="MessageId">The <c>Message-ID</c>, when the email has one.</param>
/// <param name="Originator">Where replies and reports go.</param>
/// <param name="MailFrom">The envelope sender; empty for an API request.</param>
/// <param name="ClientIp">The client's address.</param>
/// <param name="Format">The format the recipients asked for.</param>
/// <param name="Subject">The subject.</param>
/// <param name="SizeBytes">The message size.</param>
/// <param name="Recipients">The envelope recipients this acceptance serves.</param>
/// <param name="User">The user of the account the sender authenticated as (its address or <c>*@domain</c> pattern), when known.</param>
public sealed record ReceivedEmail(
    string AccountId, string? MessageId, string? Originator, string MailFrom, string? ClientIp,
    EmailFormat Format, string Subject, long SizeBytes, IReadOnlyList<string> Recipients, string? User = null)
{
    /// <summary>Which way it came in.</summary>
    public IntakeSource Source { get; init; }

    /// <summary>For an API request: the answer to compose, and keep for its Idempotency-Key, inside the commit.</summary>
    public RequestAnswer? Answer { get; init; }
}

/// <summary>An email refused after DATA, as the operator sees it: who sent it, from where, to whom, and the reply they got.</summary>
/// <param name="AccountId">The sender's account, when known.</param>
/// <param name="MessageId">Its Message-ID.</param>
/// <param name="Originator">Its From (or Reply-To) address, when it had one.</param>
/// <param name="MailFrom">The envelope sender.</param>
/// <param name="ClientIp">The client's address.</param>
/// <param name="Recipients">The RCPT TO addresses.</param>
/// <param name="Subject">Its subject.</param>
/// <param name="Reason">The first reason's code, as <c>/metrics</c> labels it.</param>
/// <param name="Reply">The SMTP reply given.</param>
public sealed record RejectedEmail(string? AccountId, string? MessageId, string? Originator, string MailFrom, string? ClientIp,
    IReadOnlyList<string> Recipients, string Subject, string Reason, string Reply)
{
    /// <summary>Its ID in the store, once kept.</summary>
    public long Id { get; init; }

    /// <summary>When it was refused, as the store's clock said when it kept it.</summary>
    public DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>An accepted email's debit took its account from at or above its warning level to below it.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Recipient">Who is warned: a user of the account, or the email's originator.</param>
/// <param name="Balance">The credits left.</param>
/// <param name="Level">The account's warning level.</param>
/// <param name="Subject">The subject of the email whose debit crossed it.</param>
/// <param name="Cost">What that email cost.</param>
public sealed record LowCreditWarning(string AccountId, string Recipient, long Balance, long Level, string Subject, long Cost);

/// <summary>
/// The outcome of committing an email: its ID; or why the store refused it; or, with nothing committed,
/// the recipients (as <see cref="Recipient.ResendKey"/> writes them) an email of this Message-ID
/// was already accepted for within the resend window.
/// </summary>
public sealed record AcceptOutcome(long? EmailId, Reason? Refusal, long Balance, IReadOnlySet<string>? AlreadyServed = null)
{
    /// <summary>The answer <see cref="ReceivedEmail.Answer"/> composed inside the commit, when it asked for one.</summary>
    public string? Answer { get; init; }
}

/// <summary>
/// The answer to an API request, composed inside the transaction that commits its SMS, from their IDs (in
/// the order they were accepted) and the balance after the debit; with an Idempotency-Key it is kept for
/// that key in the same transaction, so no crash can leave SMS sent and the key without its answer.
/// </summary>
/// <param name="Key">The request's Idempotency-Key, or null.</param>
/// <param name="Status">The HTTP status to keep with it.</param>
/// <param name="Compose">Writes the answer.</param>
public sealed record RequestAnswer(string? Key, int Status, Func<IReadOnlyList<long>, long, string> Compose);

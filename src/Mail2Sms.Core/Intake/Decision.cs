using Mail2Sms.Core.Text;

namespace Mail2Sms.Core.Intake;

/// <summary>What the gateway knows of the authenticated sender's account when it decides.</summary>
/// <param name="Id">The account ID (<c>CI00123456</c>).</param>
/// <param name="Country">ISO 3166 region of the account (<c>AU</c>); null accepts only international numbers.</param>
/// <param name="RelaxedNumbers">Accept any 8 to 15 digits rather than mobile numbers only.</param>
/// <param name="MaxParts">The most parts one SMS may take (default 12).</param>
/// <param name="PartSizes">The SMS centre's part sizes; null for 8-bit concatenation references.</param>
public sealed record Account(string Id, string? Country, bool RelaxedNumbers = false, int MaxParts = 12, PartSizes? PartSizes = null)
{
    /// <summary>The part sizes in force.</summary>
    public PartSizes Sizes => PartSizes ?? Text.PartSizes.EightBitReference;
}

/// <summary>One SMS the email asks for.</summary>
/// <param name="Number">Destination in international form without <c>+</c>.</param>
/// <param name="Name">The recipient's name where format 2 gives one.</param>
/// <param name="Text">The text, its encoding and parts.</param>
/// <param name="Where">Where in the email it came from: the recipient, <c>[n]</c>, the number as written, or <c>line N</c>.</param>
public sealed record OutboundSms(string Number, string? Name, SmsText Text, string Where)
{
    /// <summary>Credits the SMS costs: one per part.</summary>
    public int Credits => Text.PartCount;
}

/// <summary>A recipient, entry or row that cannot be sent, and why.</summary>
/// <param name="Where">The recipient, <c>[n]</c>, number as written, or <c>line N</c>.</param>
/// <param name="Reason">Why.</param>
public sealed record RecipientFailure(string Where, Reason Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Where}: {Reason.Text}";
}

/// <summary>The outcome of intake: a rejection or what to send.</summary>
public abstract record IntakeDecision;

/// <summary>Nothing is sent; the SMTP reply names every reason, one per line.</summary>
/// <param name="Reasons">The reasons, in the order found, up to the cap on listed failures; never empty.</param>
public sealed record Rejection(IReadOnlyList<Reason> Reasons) : IntakeDecision
{
    /// <summary>How many reasons there were, the ones past the cap on listed failures included.</summary>
    public int ReasonCount
    {
        get => Math.Max(field, Reasons.Count);
        init;
    }

    /// <summary>A rejection for one reason.</summary>
    public Rejection(Reason reason)
        : this([reason])
    {
    }

    /// <summary>The reason whose codes the reply carries: the first permanent one, else the first.</summary>
    public Reason Primary => Reasons.FirstOrDefault(r => !r.IsTransient) ?? Reasons[0];

    /// <summary>The SMTP reply code.</summary>
    public int SmtpCode => Primary.SmtpCode;

    /// <summary>The enhanced status code.</summary>
    public string EnhancedCode => Primary.EnhancedCode;
}

/// <summary>The email is accepted: the SMS to send and the recipients, entries or rows that failed.</summary>
/// <param name="Messages">The SMS, each distinct (number, text) pair once, in the order of the email.</param>
/// <param name="Failures">What could not be sent, up to the cap on listed failures; reported to the originator in one email.</param>
/// <param name="CsvFileName">The attachment's name for format 4, which an account may use once.</param>
public sealed record Acceptance(IReadOnlyList<OutboundSms> Messages, IReadOnlyList<RecipientFailure> Failures, string? CsvFileName) : IntakeDecision
{
    /// <summary>How many recipients, entries or rows failed, those past the cap on listed failures included.</summary>
    public int FailureCount
    {
        get => Math.Max(field, Failures.Count);
        init;
    }

    /// <summary>Failures counted but not listed: the report's "and N more".</summary>
    public int UnlistedFailures => FailureCount - Failures.Count;

    /// <summary>Credits the email costs: one per SMS part.</summary>
    public long Credits => Messages.Sum(m => (long)m.Credits);
}

using System.Globalization;

namespace Mail2Sms.Core.Intake;

/// <summary>What went wrong, as one stable code; the same code names the rule in logs, reports and tests.</summary>
public enum ReasonCode
{
    /// <summary>The local part at a gateway domain names no mailbox.</summary>
    UnknownMailbox,
    /// <summary>The recipient is at a domain the gateway does not serve.</summary>
    RelayDenied,
    /// <summary>A number is not a mobile number the gateway can send to.</summary>
    InvalidNumber,
    /// <summary>A recipient asks for another format than the ones already in the transaction.</summary>
    MixedFormats,
    /// <summary>The transaction already holds as many recipients as one email may.</summary>
    TooManyRecipients,
    /// <summary>A bounce, an out-of-office answer or a read receipt.</summary>
    AutoReply,
    /// <summary>The <c>[SENDER]</c> block is not <c>ID=</c> then <c>PW=</c>.</summary>
    SenderBlockMalformed,
    /// <summary>A <c>[SENDER]</c> line stands somewhere other than the first lines of the body.</summary>
    SenderBlockNotFirst,
    /// <summary>There is no text to send.</summary>
    EmptyMessage,
    /// <summary>A format 2 subject does not begin with <c>SMS:</c>.</summary>
    SubjectNotSms,
    /// <summary>A format 2 email has no <c>[n]</c> entry.</summary>
    NoEntries,
    /// <summary>A format 2 email has more than 50 entries.</summary>
    TooManyEntries,
    /// <summary>A format 2 entry gives a key twice.</summary>
    EntryMalformed,
    /// <summary>An entry or row has no number.</summary>
    MissingNumber,
    /// <summary>An entry or row has no message text.</summary>
    MissingMessage,
    /// <summary>A message is longer than 765 characters.</summary>
    TextTooLong,
    /// <summary>A message needs more parts than the account allows for one SMS.</summary>
    TooManyParts,
    /// <summary>A format 3 email has no <c>X-Cellphone:</c> line.</summary>
    NoCellphones,
    /// <summary>A format 3 body breaks the one-blank-line layout.</summary>
    CellphoneLayout,
    /// <summary>A format 4 email has no <c>.csv</c> attachment, or more than one.</summary>
    CsvAttachmentCount,
    /// <summary>A format 4 attachment is not named <c>&lt;AccountID&gt;&lt;yymmddhhmiss&gt;.csv</c>.</summary>
    CsvFileName,
    /// <summary>The account has already sent a file of that name.</summary>
    CsvDuplicate,
    /// <summary>A CSV file holds no row to send.</summary>
    CsvNoRows,
    /// <summary>A CSV row whose syntax is broken (a quote never closed, a field too long).</summary>
    CsvRowUnreadable,
    /// <summary>A spreadsheet turned a number into scientific notation.</summary>
    NumberInScientificNotation,
    /// <summary>The account's credits do not cover the email.</summary>
    InsufficientCredits,
    /// <summary>The sender could not be authenticated.</summary>
    AuthenticationFailed,
    /// <summary>Too many failed passwords from this address for this account.</summary>
    LockedOut,
    /// <summary>The sender's address matches users of two accounts equally.</summary>
    AmbiguousSender,
    /// <summary>Mail forwarded by a rule must come from an IP-authenticated server.</summary>
    ForwardingNeedsIpAuthentication,
    /// <summary>The number has opted out of the account's messages.</summary>
    OptedOut,
    /// <summary>The email is larger than the gateway accepts.</summary>
    MessageTooLarge,
    /// <summary>The gateway could not finish; the sending server should try again.</summary>
    InternalError,
}

/// <summary>
/// One reason a customer can act on: the SMTP reply code, its enhanced status code and one
/// sentence. The same reason appears in the SMTP reply, the report email, the log and the dashboard.
/// </summary>
/// <param name="Code">The rule that was broken.</param>
/// <param name="SmtpCode">The SMTP reply code (550, 452, 451).</param>
/// <param name="EnhancedCode">The RFC 3463 enhanced status code, such as <c>5.6.0</c>.</param>
/// <param name="Text">One sentence saying what to fix.</param>
public sealed record Reason(ReasonCode Code, int SmtpCode, string EnhancedCode, string Text)
{
    /// <summary>True when the sender may try the same again later (4xx).</summary>
    public bool IsTransient => SmtpCode is >= 400 and < 500;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{SmtpCode} {EnhancedCode} {Text}");
}

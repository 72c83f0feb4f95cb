using System.Globalization;

namespace Mail2Sms.Core.Intake;

/// <summary>Makes reasons: one table gives each rule its SMTP reply code and enhanced status code.</summary>
public static class Reasons
{
    /// <summary>The reply code and enhanced status code of a rule.</summary>
    public static (int SmtpCode, string EnhancedCode) CodesOf(ReasonCode code) => code switch
    {
        ReasonCode.UnknownMailbox or ReasonCode.InvalidNumber or ReasonCode.MissingNumber
            or ReasonCode.NumberInScientificNotation => (550, "5.1.1"),
        ReasonCode.RelayDenied or ReasonCode.AutoReply or ReasonCode.SenderBlockMalformed
            or ReasonCode.InsufficientCredits or ReasonCode.AuthenticationFailed or ReasonCode.AmbiguousSender
            or ReasonCode.ForwardingNeedsIpAuthentication or ReasonCode.CsvDuplicate or ReasonCode.OptedOut => (550, "5.7.1"),
        ReasonCode.MixedFormats or ReasonCode.TooManyRecipients => (452, "4.5.3"),
        ReasonCode.MessageTooLarge => (552, "5.3.4"),
        ReasonCode.LockedOut => (451, "4.7.1"),
        ReasonCode.InternalError => (451, "4.3.0"),
        _ => (550, "5.6.0"),
    };

    /// <summary>A reason for <paramref name="code"/> with the sentence <paramref name="text"/>.</summary>
    public static Reason Create(ReasonCode code, string text)
    {
        var (smtp, enhanced) = CodesOf(code);
        return new Reason(code, smtp, enhanced, text);
    }

    internal static Reason Format(ReasonCode code, FormattableString text) =>
        Create(code, text.ToString(CultureInfo.InvariantCulture));

    /// <summary>The account's credits do not cover what the email (or, with <paramref name="what"/>, the API request) would send; both figures named.</summary>
    public static Reason InsufficientCredits(long needed, long available, string what = "email") => Format(ReasonCode.InsufficientCredits,
        $"This {what} needs {needed} credit{(needed == 1 ? string.Empty : "s")} but the account has {available}: buy credits or send fewer messages.");

    /// <summary>An API message with no text to send, in the API's words rather than an email's.</summary>
    public static Reason EmptyApiMessage { get; } = Create(ReasonCode.EmptyMessage, "The message has no text, and the request no subject: give the SMS in text.");

    /// <summary>An internal failure: the sending server keeps the email and tries again.</summary>
    public static Reason InternalError { get; } = Create(ReasonCode.InternalError,
        "The gateway could not accept the email just now; it will be accepted when your server tries again.");
}

using Mail2Sms.Core.Mail;
using Mail2Sms.Core.Numbers;
using Mail2Sms.Core.Text;

namespace Mail2Sms.Core.Intake;

/// <summary>
/// Collects the SMS of one email: reads each number with the account's rules, checks each text
/// against the limits, sends each distinct (number, text) pair once, and keeps the first
/// <paramref name="maxListedFailures"/> failures, counting the rest: a file of a million bad rows
/// costs a counter, not a million reasons.
/// </summary>
internal sealed class SmsBatch(Account account, int maxListedFailures)
{
    private readonly PhoneNumberRules _numbers = new(account.Country, account.RelaxedNumbers);
    private readonly List<OutboundSms> _messages = [];
    private readonly List<RecipientFailure> _failures = [];
    private readonly HashSet<(string Number, string Text)> _sent = [];
    private int _failureCount;

    public Account Account => account;

    public void Fail(string where, Reason reason)
    {
        if (_failureCount++ < maxListedFailures)
        {
            _failures.Add(new RecipientFailure(where, reason));
        }
    }

    /// <summary>Checks a multi-line message (formats 2, 4) and records its failure; null when it failed.</summary>
    public SmsText? CheckText(string where, string text)
    {
        if (Problem(text, out var sms) is { } problem)
        {
            Fail(where, problem);
            return null;
        }

        return sms;
    }

    /// <summary>
    /// Decides the SMS of a multi-line message, or why it cannot be sent: empty, over 765 characters,
    /// or over the account's part cap. <paramref name="what"/> names the message in the reason.
    /// </summary>
    public Reason? Problem(string text, out SmsText sms, string what = "The message")
    {
        sms = SmsText.From(text, account.Sizes);
        if (BodyLines.IsBlank(sms.Text))
        {
            return Reasons.Format(ReasonCode.MissingMessage, $"{what} is empty: it must be 1 to {IntakeRules.MaxCharacters} characters.");
        }

        // Counted as the sender wrote it: an ellipsis is one character even though it travels as "...".
        var characters = SmsText.CountCharacters(text);
        if (characters > IntakeRules.MaxCharacters)
        {
            return Reasons.Format(ReasonCode.TextTooLong,
                $"{what} has {characters} characters; at most {IntakeRules.MaxCharacters} are allowed.");
        }

        return sms.PartCount > account.MaxParts
            ? Reasons.Format(ReasonCode.TooManyParts,
                $"{what} needs {sms.PartCount} SMS parts ({sms.Units} {(sms.Encoding == SmsEncoding.Gsm7 ? "GSM septets" : "UCS-2 units")}); the account allows at most {account.MaxParts}.")
            : null;
    }

    /// <summary>Adds an SMS to <paramref name="writtenNumber"/>, or its failure.</summary>
    public void Add(string where, string writtenNumber, string? name, SmsText text)
    {
        var number = _numbers.Read(writtenNumber);
        if (number.Failure is { } failure)
        {
            Fail(where, failure);
        }
        else if (_sent.Add((number.International!, text.Text)))
        {
            _messages.Add(new OutboundSms(number.International!, name, text, where));
        }
    }

    /// <summary>The acceptance, or a rejection naming every failure when nothing would be sent.</summary>
    public IntakeDecision Finish(string? csvFileName = null)
    {
        if (_messages.Count > 0)
        {
            return new Acceptance(_messages, _failures, csvFileName) { FailureCount = _failureCount };
        }

        return _failureCount == 0
            ? new Rejection(Reasons.Create(ReasonCode.EmptyMessage, "The email holds no SMS to send."))
            : new Rejection(_failures.Select(f => f.Reason with { Text = f.ToString() }).ToList()) { ReasonCount = _failureCount };
    }
}

using Mail2Sms.Core.Numbers;
using Mail2Sms.Core.Text;

namespace Mail2Sms.Core.Intake;

/// <summary>
/// Collects the SMS of one email: reads each number with the account's rules, checks each text
/// against the limits, sends each distinct (number, text) pair once, and keeps every failure.
/// </summary>
internal sealed class SmsBatch(Account account)
{
    private readonly PhoneNumberRules _numbers = new(account.Country, account.RelaxedNumbers);
    private readonly List<OutboundSms> _messages = [];
    private readonly List<RecipientFailure> _failures = [];
    private readonly HashSet<(string Number, string Text)> _sent = [];

    public Account Account => account;

    public void Fail(string where, Reason reason) => _failures.Add(new RecipientFailure(where, reason));

    /// <summary>Checks a multi-line message (formats 2, 3, 4): present, at most 765 characters, within the part cap.</summary>
    public SmsText? CheckText(string where, string text)
    {
        if (Problem(text) is { } problem)
        {
            Fail(where, problem);
            return null;
        }

        return SmsText.From(text, account.Sizes);
    }

    /// <summary>Why <paramref name="text"/> cannot be sent as one (long) SMS, or null.</summary>
    public Reason? Problem(string text)
    {
        var sms = SmsText.From(text, account.Sizes);
        if (sms.Text.Trim().Length == 0)
        {
            return Reasons.Create(ReasonCode.MissingMessage, "The message text is empty.");
        }

        // Counted as the sender wrote it: an ellipsis is one character even though it travels as "...".
        var characters = SmsText.CountCharacters(text);
        if (characters > IntakeRules.MaxCharacters)
        {
            return Reasons.Format(ReasonCode.TextTooLong,
                $"The message has {characters} characters; at most {IntakeRules.MaxCharacters} are allowed.");
        }

        return sms.PartCount > account.MaxParts
            ? Reasons.Format(ReasonCode.TooManyParts,
                $"The message needs {sms.PartCount} SMS parts ({sms.Units} {(sms.Encoding == SmsEncoding.Gsm7 ? "GSM septets" : "UCS-2 units")}); the account allows at most {account.MaxParts}.")
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
            return new Acceptance(_messages, _failures, csvFileName);
        }

        return _failures.Count == 0
            ? new Rejection(Reasons.Create(ReasonCode.EmptyMessage, "The email holds no SMS to send."))
            : new Rejection(_failures.Select(f => f.Reason with { Text = f.ToString() }).ToList());
    }
}

using Mail2Sms.Core.Numbers;

namespace Mail2Sms.Core.Intake;

/// <summary>
/// The rules of <c>RCPT TO</c>: which recipient joins the transaction and which is answered with a
/// reason at once, so that a sender learns per recipient what is wrong.
/// </summary>
public static class RecipientAdmission
{
    /// <summary>Recipients one email may carry by default.</summary>
    public const int DefaultMaxRecipients = 100;

    /// <summary>Why <paramref name="candidate"/> cannot join the transaction, or null when it can.</summary>
    /// <param name="candidate">The new recipient.</param>
    /// <param name="admitted">The recipients the transaction holds so far.</param>
    /// <param name="maxRecipients">The most SMS recipients of one email.</param>
    /// <param name="numbers">The number rules of the envelope sender's account when <c>MAIL FROM</c> is a registered user; null checks format 1 numbers after <c>DATA</c> instead.</param>
    public static Reason? Check(Recipient candidate, IReadOnlyList<Recipient> admitted, int maxRecipients = DefaultMaxRecipients, PhoneNumberRules? numbers = null)
    {
        if (candidate.Refusal is not null || candidate.Kind == RecipientKind.Operator)
        {
            return candidate.Refusal;
        }

        var smsRecipients = admitted.Where(a => a.Kind == RecipientKind.Sms).ToList();
        if (smsRecipients.Count >= maxRecipients)
        {
            return Reasons.Format(ReasonCode.TooManyRecipients,
                $"This email already has {maxRecipients} recipients, the most one email may have: send the rest in another email.");
        }

        if (smsRecipients.Count > 0 && smsRecipients[0].Format is { } format && format != candidate.Format)
        {
            return Reasons.Format(ReasonCode.MixedFormats,
                $"{candidate.Address} asks for format {(int)candidate.Format!} but this email is already format {(int)format}: one email carries one format, so send it in another email.");
        }

        return candidate.Format == EmailFormat.Mobile ? numbers?.Read(candidate.LocalPart).Failure : null;
    }
}

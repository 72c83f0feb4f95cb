using Mail2Sms.Core.Delivery;
using Mail2Sms.Smpp;

namespace Mail2Sms.Gateway.Storage;

/// <summary>
/// What a receipt with an ID never recorded is matched to an uncertain SMS by, in every provider: the mobile, the source
/// address (both without a <c>+</c>), and the start of the text of the part whose submit's answer never came.
/// </summary>
/// <param name="Mobile">The SMS's number.</param>
/// <param name="From">Its source address.</param>
/// <param name="Excerpt">What the part's text starts with.</param>
/// <param name="MessageId">The receipt's ID, which the part is recorded with.</param>
internal sealed record UncertainMatch(string Mobile, string From, string Excerpt, string MessageId)
{
    /// <summary>The match a quote asks for; null when it quotes no text (nothing to tell two SMS to one mobile apart by).</summary>
    public static UncertainMatch? Of(ReceiptQuote? quote) =>
        quote is { Text.Length: > 0, Mobile.Length: > 0 } ? new(quote.Mobile.TrimStart('+'), quote.From.TrimStart('+'), quote.Text, quote.MessageId) : null;

    /// <summary>The part under way of an SMS with <paramref name="done"/> parts recorded, as taken with the receipt's ID.</summary>
    public SentParts Part(long done) => new((int)done + 1, [MessageId], ReceiptIdForm.SameText);
}

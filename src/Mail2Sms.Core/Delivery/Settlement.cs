namespace Mail2Sms.Core.Delivery;

/// <summary>One part of a submitted SMS as its receipts left it.</summary>
/// <param name="Status">The part's status: submitted until a receipt says more.</param>
/// <param name="ReceiptWord">The last receipt's <c>stat</c> word, as it came; null before any.</param>
public sealed record PartOutcome(SmsStatus Status, string? ReceiptWord);

/// <summary>The final status of an SMS settled from its parts, and why when it did not arrive.</summary>
/// <param name="Status">Delivered, or the status of the part that did not arrive.</param>
/// <param name="Reason">The sentence reports and the dashboard show; null when delivered.</param>
public sealed record Settlement(SmsStatus Status, string? Reason)
{
    /// <summary>
    /// Settles an SMS from its <paramref name="parts"/>, in part order: delivered once every part is; as soon as one
    /// part failed, expired or is unknown, that part's status with the receipt's word in the reason; null while it waits.
    /// </summary>
    public static Settlement? Of(IReadOnlyList<PartOutcome> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.All(p => p.Status == SmsStatus.Delivered))
        {
            return new Settlement(SmsStatus.Delivered, null);
        }

        return parts.FirstOrDefault(p => p.Status is SmsStatus.Failed or SmsStatus.Expired or SmsStatus.Unknown) is { } failed
            ? new Settlement(failed.Status, $"The SMS centre reported it {failed.ReceiptWord}: the phone did not get it.")
            : null;
    }
}

using Mail2Sms.Core.Delivery;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>
/// Applies a channel's receipts to their parts (by their quotes to uncertain SMS when no part has their keys), those of every bind that arrive while one write is under way together in
/// the next; the queue settles each SMS from its parts (<see cref="Settlement"/>).
/// </summary>
public sealed class ReceiptApplier(ISmsQueue queue)
{
    private readonly CoalescedWrites<SmsReceipt> _writes = new(receipts => queue.ReceiptsAsync(receipts));

    /// <summary>Applies <paramref name="receipt"/>, completing once it is stored (the SMSC is answered only then); one for a part not recorded yet is kept until it is.</summary>
    public Task ApplyAsync(SmsReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return _writes.WriteAsync(receipt);
    }
}

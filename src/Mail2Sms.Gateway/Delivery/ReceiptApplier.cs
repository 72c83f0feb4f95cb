using Mail2Sms.Core.Delivery;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>Applies a channel's receipts to their parts; the queue settles each SMS from its parts (<see cref="Settlement"/>).</summary>
public sealed class ReceiptApplier(ISmsQueue queue)
{
    /// <summary>Applies <paramref name="receipt"/>, by its quote to an uncertain SMS when no part has its key; one for a part not recorded yet is kept until it is.</summary>
    public Task ApplyAsync(SmsReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return queue.ReceiptAsync(receipt.ReceiptKey, receipt.State, receipt.Quote);
    }
}

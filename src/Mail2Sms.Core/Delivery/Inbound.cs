namespace Mail2Sms.Core.Delivery;

/// <summary>A delivery receipt as a channel hands it on: which part it is about, and what it says.</summary>
/// <param name="ReceiptKey">The part's key, as the channel wrote it when the part was taken.</param>
/// <param name="State">The receipt's state word (<see cref="ReceiptState"/>'s, or another the SMS centre used).</param>
public sealed record SmsReceipt(string ReceiptKey, string State);

/// <summary>A message from a mobile, whole (its parts joined), as a channel hands it on.</summary>
/// <param name="Mobile">The mobile it came from, as the channel wrote it.</param>
/// <param name="To">The address it was sent to: the source address of the SMS it may answer.</param>
/// <param name="Text">Its text.</param>
public sealed record SmsReply(string Mobile, string To, string Text);

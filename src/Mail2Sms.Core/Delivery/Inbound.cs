namespace Mail2Sms.Core.Delivery;

/// <summary>A delivery receipt as a channel hands it on: which part it is about, and what it says.</summary>
/// <param name="ReceiptKey">The part's key, as the channel wrote it when the part was taken.</param>
/// <param name="State">The receipt's state word (<see cref="ReceiptState"/>'s, or another the SMS centre used).</param>
/// <param name="Quote">What it says of the message besides its ID, when the channel read it: how a part whose submit's answer never came is found.</param>
public sealed record SmsReceipt(string ReceiptKey, string State, ReceiptQuote? Quote = null);

/// <summary>What a receipt tells of the message it is about besides its ID.</summary>
/// <param name="MessageId">The SMS centre's ID of the message, as it wrote it.</param>
/// <param name="Mobile">The mobile the message went to (the receipt's source address), international digits.</param>
/// <param name="From">The source address the message went from (the receipt's destination), without a <c>+</c>.</param>
/// <param name="Text">The start of the message's text (<c>text:</c>, the first 20 characters by the specification's appendix B).</param>
public sealed record ReceiptQuote(string MessageId, string Mobile, string From, string Text);

/// <summary>A message from a mobile, whole (its parts joined), as a channel hands it on.</summary>
/// <param name="Mobile">The mobile it came from, as the channel wrote it.</param>
/// <param name="To">The address it was sent to: the source address of the SMS it may answer.</param>
/// <param name="Text">Its text.</param>
public sealed record SmsReply(string Mobile, string To, string Text);

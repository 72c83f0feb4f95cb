namespace Mail2Sms.Core.Delivery;

/// <summary>What an SMS centre's delivery receipt says of one part: the <c>stat</c> word of SMPP 3.4 (appendix B).</summary>
public enum ReceiptState
{
    /// <summary><c>DELIVRD</c>: the phone got it.</summary>
    Delivered,

    /// <summary><c>EXPIRED</c>: its validity ended before the phone could get it.</summary>
    Expired,

    /// <summary><c>DELETED</c>: the SMS centre deleted it.</summary>
    Deleted,

    /// <summary><c>UNDELIV</c>: it cannot reach the phone.</summary>
    Undeliverable,

    /// <summary><c>ACCEPTD</c>: an operator accepted it on the phone's behalf; more may come.</summary>
    Accepted,

    /// <summary><c>UNKNOWN</c>: the SMS centre does not know what became of it.</summary>
    Unknown,

    /// <summary><c>REJECTD</c>: the SMS centre or the network rejected it.</summary>
    Rejected,

    /// <summary><c>ENROUTE</c>: on its way; more will come.</summary>
    Enroute,
}

/// <summary>The one table of <see cref="ReceiptState"/>: its word, the status it gives the part, and whether that is final.</summary>
public static class ReceiptStates
{
    private static readonly (ReceiptState State, string Word, SmsStatus Part, bool Final)[] Table =
    [
        (ReceiptState.Delivered, "DELIVRD", SmsStatus.Delivered, true),
        (ReceiptState.Expired, "EXPIRED", SmsStatus.Expired, true),
        (ReceiptState.Deleted, "DELETED", SmsStatus.Failed, true),
        (ReceiptState.Undeliverable, "UNDELIV", SmsStatus.Failed, true),
        (ReceiptState.Accepted, "ACCEPTD", SmsStatus.Submitted, false),
        (ReceiptState.Unknown, "UNKNOWN", SmsStatus.Unknown, true),
        (ReceiptState.Rejected, "REJECTD", SmsStatus.Failed, true),
        (ReceiptState.Enroute, "ENROUTE", SmsStatus.Submitted, false),
    ];

    /// <summary>Every state, in the order of the table.</summary>
    public static IReadOnlyList<ReceiptState> All { get; } = [.. Table.Select(t => t.State)];

    /// <summary>The state's word as receipts write it: <c>DELIVRD</c>, <c>UNDELIV</c> ...</summary>
    public static string Word(this ReceiptState state) => Table[(int)state].Word;

    /// <summary>The status a part takes when its receipt says this.</summary>
    public static SmsStatus PartStatus(this ReceiptState state) => Table[(int)state].Part;

    /// <summary>Whether no later receipt will change what this one says.</summary>
    public static bool IsFinal(this ReceiptState state) => Table[(int)state].Final;

    /// <summary>The state a receipt's word names (any case), or null when it names none.</summary>
    public static ReceiptState? Parse(string? word) =>
        Table.FirstOrDefault(t => string.Equals(t.Word, word, StringComparison.OrdinalIgnoreCase)) is { Word: not null } found ? found.State : null;

    /// <summary>
    /// The status a part takes from a receipt's <paramref name="word"/>: as the table says for a known one; a word no
    /// table names is a failure, as the receipt did not say the phone got it.
    /// </summary>
    public static SmsStatus PartStatusOf(string word) => Parse(word)?.PartStatus() ?? SmsStatus.Failed;
}

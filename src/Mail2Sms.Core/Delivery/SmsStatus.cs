namespace Mail2Sms.Core.Delivery;

/// <summary>Where one SMS is on its way: the words customers see in reports, the dashboard, the CLI and the REST API.</summary>
public enum SmsStatus
{
    /// <summary>Accepted and waiting to be submitted (again, after a transient failure).</summary>
    Queued,

    /// <summary>
    /// Its submit's answer never came (a timeout, a connection lost with it in flight): waiting for a receipt that says the
    /// SMS centre took it, and queued again when none comes within <c>Delivery:UnknownGraceSeconds</c>.
    /// </summary>
    Uncertain,

    /// <summary>Every part taken by the SMS centre; waiting for receipts.</summary>
    Submitted,

    /// <summary>Every part's receipt said delivered.</summary>
    Delivered,

    /// <summary>Refused (by the SMS centre, a receipt, or an opt-out); the reason says which.</summary>
    Failed,

    /// <summary>Not submitted within its validity.</summary>
    Expired,

    /// <summary>Submitted, but no receipt came within the receipt timeout.</summary>
    Unknown,
}

/// <summary>The one table of <see cref="SmsStatus"/>: its word, and whether it is final.</summary>
public static class SmsStatuses
{
    private static readonly (SmsStatus Status, string Word, bool Final)[] Table =
    [
        (SmsStatus.Queued, "queued", false),
        (SmsStatus.Uncertain, "uncertain", false),
        (SmsStatus.Submitted, "submitted", false),
        (SmsStatus.Delivered, "delivered", true),
        (SmsStatus.Failed, "failed", true),
        (SmsStatus.Expired, "expired", true),
        (SmsStatus.Unknown, "unknown", true),
    ];

    /// <summary>Every status, in the order an SMS may pass through them.</summary>
    public static IReadOnlyList<SmsStatus> All { get; } = [.. Table.Select(t => t.Status)];

    /// <summary>The status's word, as stored and shown: <c>queued</c>, <c>delivered</c> ...</summary>
    public static string Word(this SmsStatus status) => Table[(int)status].Word;

    /// <summary>Whether nothing more will happen to an SMS in this status.</summary>
    public static bool IsFinal(this SmsStatus status) => Table[(int)status].Final;

    /// <summary>The status a word names (any case), or null when it names none.</summary>
    public static SmsStatus? Parse(string? word) =>
        Table.FirstOrDefault(t => string.Equals(t.Word, word, StringComparison.OrdinalIgnoreCase)) is { Word: not null } found ? found.Status : null;
}

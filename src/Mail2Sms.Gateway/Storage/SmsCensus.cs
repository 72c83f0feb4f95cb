using Mail2Sms.Core.Delivery;

namespace Mail2Sms.Gateway.Storage;

/// <summary>
/// The SMS in the store by status, those queued and due, and when the oldest still queued was accepted, as of one query.
/// A provider answers it at the same cost however many SMS the store holds (<c>/metrics</c> asks it at every scrape).
/// </summary>
/// <param name="ByStatus">How many SMS are in each status; every status in <see cref="Statuses"/> is there, at 0 when none is.</param>
/// <param name="Due">Queued SMS due now, waiting only for room in the SMSC window (the others wait for a retry).</param>
/// <param name="OldestQueuedAt">When the oldest SMS still queued was accepted; null when none is queued.</param>
public sealed record SmsCensus(IReadOnlyDictionary<string, long> ByStatus, long Due, DateTimeOffset? OldestQueuedAt)
{
    /// <summary>The statuses an SMS goes through: queued (uncertain while a submit's answer is missing), then submitted, then one of the final ones.</summary>
    public static readonly IReadOnlyList<string> Statuses = [.. SmsStatuses.All.Select(s => s.Word())];
}

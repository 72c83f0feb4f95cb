using Dapper;
using Mail2Sms.Core.Delivery;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>
/// The SMS in the store by status, those queued and due, and when the oldest still queued was accepted, as of one query.
/// Costs the same however many SMS the store holds: the counts by status are kept by triggers, the rest read from the queued SMS' indexes.
/// </summary>
/// <param name="ByStatus">How many SMS are in each status; every status in <see cref="Statuses"/> is there, at 0 when none is.</param>
/// <param name="Due">Queued SMS due now, waiting only for room in the SMSC window (the others wait for a retry).</param>
/// <param name="OldestQueuedAt">When the oldest SMS still queued was accepted; null when none is queued.</param>
public sealed record SmsCensus(IReadOnlyDictionary<string, long> ByStatus, long Due, DateTimeOffset? OldestQueuedAt)
{
    /// <summary>The statuses an SMS goes through: queued, then submitted, then one of the final ones.</summary>
    public static readonly IReadOnlyList<string> Statuses = [.. SmsStatuses.All.Select(s => s.Word())];

    /// <summary>Counts the SMS in <paramref name="database"/> at <paramref name="now"/>.</summary>
    public static async Task<SmsCensus> TakeAsync(SqliteDatabase database, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<(string Status, long Count, long? Due, string? Oldest)>(
            """
            SELECT status, count,
                   CASE status WHEN 'queued' THEN (SELECT count(*) FROM sms INDEXED BY sms_queued_by_due_at WHERE status = 'queued' AND due_at <= @now) END,
                   CASE status WHEN 'queued' THEN (SELECT min(created_at) FROM sms INDEXED BY sms_queued_by_created_at WHERE status = 'queued') END
            FROM sms_status_counts
            """,
            new { now = Timestamps.Write(now) }).ConfigureAwait(false)).ToList();
        var byStatus = Statuses.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            byStatus[row.Status] = row.Count;
        }

        var queued = rows.FirstOrDefault(r => r.Status == Core.Delivery.SmsStatus.Queued.Word());
        return new SmsCensus(byStatus, queued.Due ?? 0, Timestamps.ReadOrNull(queued.Oldest));
    }
}

using Dapper;
using Mail2Sms.Core.Delivery;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>The SMS census over SQLite.</summary>
internal static class SmsCensusQuery
{
    /// <summary>Counts the SMS in <paramref name="database"/> at <paramref name="now"/>: the counts by status are kept by triggers, the rest read from the queued SMS' indexes.</summary>
    public static async Task<SmsCensus> TakeAsync(SqliteDatabase database, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<(string Status, long Count, long? Due, string? Oldest)>(
            """
            SELECT status, count,
                   CASE status WHEN 'queued' THEN (SELECT count(*) FROM sms INDEXED BY sms_queued_by_due_at WHERE status = 'queued' AND due_at <= @now) END,
                   CASE status WHEN 'queued' THEN (SELECT min(created_at) FROM sms INDEXED BY sms_queued_by_created_at WHERE status = 'queued') END
            FROM sms_status_counts
            """,
            new { now = Timestamps.Write(now) }).ConfigureAwait(false)).ToList();
        var queued = rows.FirstOrDefault(r => r.Status == SmsStatus.Queued.Word());
        return DashboardRows.Census(rows.Select(r => new StatusCount(r.Status, r.Count)), queued.Due ?? 0, Timestamps.ReadOrNull(queued.Oldest));
    }
}

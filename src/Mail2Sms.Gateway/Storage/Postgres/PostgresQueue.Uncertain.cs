using Dapper;
using Mail2Sms.Smpp;
using Npgsql;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>The queue's uncertain SMS on PostgreSQL: held through their grace, queued again by any node's sweep, or ended as taken by a receipt quoting them.</summary>
internal sealed partial class PostgresQueue
{
    public async Task UncertainAsync(long smsId, DateTimeOffset graceEnds, string reason, SentParts? parts, string? partText, long? node = null, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (parts is not null)
        {
            await RecordPartsAsync(connection, [(smsId, parts)], now, cancellationToken).ConfigureAwait(false);
        }

        // Only while this node holds the claim, as a retry; with the receipts that quoted its part before the timeout fired.
        var early = (await connection.RowsAsync<UncertainMatch>(new CommandDefinition(
            """
            WITH uncertain AS (
                UPDATE sms SET status = 'uncertain', uncertain_text = @partText, attempts = attempts + 1, due_at = @graceEnds,
                    claimed_until = NULL, claimed_by = NULL, last_error = @reason
                WHERE id = @smsId AND status = 'queued' AND claimed_by IS NOT DISTINCT FROM @node
                RETURNING number, ltrim(source_address, '+') AS source, uncertain_text)
            SELECT e.mobile AS "Mobile", e.source AS "From", e.excerpt AS "Excerpt", e.message_id AS "MessageId"
            FROM uncertain u JOIN early_receipts e ON e.mobile = u.number AND e.source = u.source AND starts_with(u.uncertain_text, e.excerpt)
            ORDER BY e.received_at
            """, new { smsId, partText, graceEnds = graceEnds.ToUniversalTime(), reason, node }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        if (early.Count > 0)
        {
            await TakeQuotedAsync(connection, early, now, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> ReleaseUncertainAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        // Row locks make it once: a second node's sweep waits for the first, then finds the SMS queued and passes it over.
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sms SET status = 'queued', uncertain_text = NULL WHERE status = 'uncertain' AND due_at <= @now",
            new { now = now.ToUniversalTime() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    // Each quote whose key no part has and that can only be about one uncertain SMS records that SMS's part under way as
    // taken with its ID: the SMS is submitted when it was its last part, else queued at once for the rest. A quote that
    // two SMS could be about matches neither (its receipt waits as an early one, and the grace decides); of two quotes of
    // one SMS, the first.
    private static async Task TakeQuotedAsync(NpgsqlConnection connection, List<UncertainMatch> quotes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var found = await connection.RowsAsync<(long Ord, long SmsId, int Parts, long Done)>(new CommandDefinition(
            """
            SELECT q.ord, s.id, s.parts, (SELECT count(*) FROM sms_parts p WHERE p.sms_id = s.id)
            FROM unnest(@keys, @mobiles, @sources, @excerpts) WITH ORDINALITY AS q (key, mobile, source, excerpt, ord)
            JOIN sms s ON s.status = 'uncertain' AND s.number = q.mobile AND ltrim(s.source_address, '+') = q.source AND starts_with(s.uncertain_text, q.excerpt)
            WHERE NOT EXISTS (SELECT 1 FROM sms_parts p WHERE p.receipt_key = q.key)
            """,
            new
            {
                keys = quotes.Select(q => MessageIds.Key(q.MessageId)).ToArray(),
                mobiles = quotes.Select(q => q.Mobile).ToArray(),
                sources = quotes.Select(q => q.From).ToArray(),
                excerpts = quotes.Select(q => q.Excerpt).ToArray(),
            }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var taken = found.GroupBy(f => f.Ord).Where(q => q.Count() == 1).Select(q => q.Single())
            .GroupBy(f => f.SmsId).Select(s => s.MinBy(f => f.Ord))
            .Select(f => (f.SmsId, Last: f.Done + 1 >= f.Parts, Part: quotes[(int)f.Ord - 1].Part(f.Done))).ToList();
        if (taken.Where(t => t.Last).Select(t => (t.SmsId, t.Part)).ToList() is { Count: > 0 } submitted)
        {
            await SubmittedWithinAsync(connection, submitted, now, cancellationToken).ConfigureAwait(false);
        }

        if (taken.Where(t => !t.Last).Select(t => (t.SmsId, t.Part)).ToList() is { Count: > 0 } partly)
        {
            await RecordPartsAsync(connection, partly, now, cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE sms SET status = 'queued', uncertain_text = NULL, due_at = @now WHERE id = ANY(@ids) AND status = 'uncertain'",
                new { ids = partly.Select(p => p.SmsId).ToArray(), now }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }
}

namespace Mail2Sms.Gateway.Storage;

/// <summary>One part of a reply a mobile sent in parts (a concatenated SMS), decoded, as the SMSC delivered it on any node's bind.</summary>
/// <param name="Source">The mobile it came from, as the SMSC wrote it.</param>
/// <param name="Destination">The address it was sent to, as the SMSC wrote it.</param>
/// <param name="Reference">The concatenation reference its parts share.</param>
/// <param name="Total">How many parts the reply has.</param>
/// <param name="Number">Which part this is, from 1.</param>
/// <param name="Text">Its text.</param>
public sealed record ReplyPart(string Source, string Destination, int Reference, int Total, int Number, string Text);

/// <summary>A reply joined from its parts as far as they came: whole, or given up when its parts stopped coming.</summary>
/// <param name="Source">The mobile it came from.</param>
/// <param name="Destination">The address it was sent to.</param>
/// <param name="Text">The parts' texts in order; a part that never came is left out.</param>
/// <param name="PartsReceived">How many parts came.</param>
/// <param name="PartsTotal">How many it has.</param>
public sealed record JoinedReply(string Source, string Destination, string Text, int PartsReceived, int PartsTotal)
{
    /// <summary>True when every part came.</summary>
    public bool Complete => PartsReceived == PartsTotal;

    /// <summary>The reply of <paramref name="source"/> to <paramref name="destination"/> of <paramref name="total"/> parts joined from the <paramref name="parts"/> kept.</summary>
    internal static JoinedReply Of(string source, string destination, int total, IEnumerable<(int Number, string Text)> parts)
    {
        var kept = parts.OrderBy(p => p.Number).ToList();
        return new JoinedReply(source, destination, string.Concat(kept.Select(p => p.Text)), kept.Count, total);
    }
}

/// <summary>An assembly's key and one of its kept parts, as the providers read them back (set by name, whatever integer type the provider gives).</summary>
internal sealed class ReplyAssemblyRow
{
    public long Id { get; init; }

    public required string Source { get; init; }

    public required string Destination { get; init; }

    public long Total { get; init; }

    public long Number { get; init; }

    public required string Text { get; init; }

    /// <summary>The replies the rows of many assemblies (parts of each together) join into, by assembly.</summary>
    public static IReadOnlyList<JoinedReply> Join(IEnumerable<ReplyAssemblyRow> rows) =>
        [.. rows.GroupBy(r => r.Id).OrderBy(g => g.Key).Select(g => JoinedReply.Of(g.First().Source, g.First().Destination, (int)g.First().Total, g.Select(r => ((int)r.Number, r.Text))))];
}

/// <summary>
/// Keeping a reply's part, the same statements on every provider inside one transaction of its own: the assembly's row
/// first (a write, which locks it, so a node adding another part of the same reply waits and then counts this one), then
/// the part (a repeat counts once), then its parts read back; a whole reply is taken out of the store and returned.
/// </summary>
internal static class ReplyPartSteps
{
    /// <summary>Assemblies' parts with their keys, a row each: <see cref="ReplyAssemblyRow"/>'s columns.</summary>
    public const string RowsSql = """
        SELECT a.id AS Id, a.source AS Source, a.destination AS Destination, a.total AS Total, p.number AS Number, p.text AS Text
        FROM reply_assemblies a JOIN reply_assembly_parts p ON p.assembly_id = a.id
        """;

    /// <summary>
    /// Runs the statements for <paramref name="part"/>, come <paramref name="now"/> (as the provider writes times), through the
    /// provider's transaction: <paramref name="scalar"/>, <paramref name="execute"/> and <paramref name="rows"/> run a statement
    /// with its values. Returns the whole reply when this part completed it, else null.
    /// </summary>
    public static async Task<JoinedReply?> RunAsync(ReplyPart part, object now, Func<string, object, Task<long>> scalar, Func<string, object, Task<int>> execute,
        Func<string, object, Task<IEnumerable<ReplyAssemblyRow>>> rows)
    {
        var id = await scalar(
            """
            INSERT INTO reply_assemblies (source, destination, reference, total, started_at) VALUES (@Source, @Destination, @Reference, @Total, @now)
            ON CONFLICT (source, destination, reference, total) DO UPDATE SET total = excluded.total RETURNING id
            """, new { part.Source, part.Destination, part.Reference, part.Total, now }).ConfigureAwait(false);
        await execute("INSERT INTO reply_assembly_parts (assembly_id, number, text) VALUES (@id, @Number, @Text) ON CONFLICT DO NOTHING",
            new { id, part.Number, part.Text }).ConfigureAwait(false);
        var kept = (await rows(RowsSql + " WHERE a.id = @id", new { id }).ConfigureAwait(false)).ToList();
        if (kept.Count != part.Total)
        {
            return null;
        }

        await execute("DELETE FROM reply_assemblies WHERE id = @id", new { id }).ConfigureAwait(false);
        return ReplyAssemblyRow.Join(kept)[0];
    }
}

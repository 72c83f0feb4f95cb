namespace Mail2Sms.Gateway.Storage;

/// <summary>How a column's values travel from one provider to another, whatever each provider's own type for it.</summary>
public enum CopyKind
{
    Text,

    /// <summary>A 32-bit integer.</summary>
    Number,

    /// <summary>A 64-bit integer.</summary>
    LongNumber,
    Boolean,
    Time,
    Bytes,
}

/// <summary>A column of the target: its values' kind, and whether a row needs one (no default, not nullable).</summary>
public sealed record CopyColumn(string Name, CopyKind Kind, bool Required);

/// <summary>A table of the target, with the columns a copy fills.</summary>
public sealed record CopyTable(string Name, IReadOnlyList<CopyColumn> Columns);

/// <summary>A stopped store read table by table, for <c>db copy</c>.</summary>
public interface IStoreExport : IAsyncDisposable
{
    /// <summary>Brings the schema up to date first, so its tables are the ones this version knows.</summary>
    Task PrepareAsync(CancellationToken cancellationToken = default);

    /// <summary>Each table with its columns, except those the provider derives from the others (counts, versions).</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> TablesAsync(CancellationToken cancellationToken = default);

    /// <summary>The rows of a table in primary key order, one value per column in the kind the column names, read as they are needed.</summary>
    IAsyncEnumerable<object?[]> RowsAsync(CopyTable table, CancellationToken cancellationToken = default);

    Task<long> CountAsync(string table, CancellationToken cancellationToken = default);
}

/// <summary>An empty store filled by <c>db copy</c>.</summary>
public interface IStoreImport : IAsyncDisposable
{
    /// <summary>Brings the schema up to date first.</summary>
    Task PrepareAsync(CancellationToken cancellationToken = default);

    /// <summary>The tables a copy fills, each after the tables its rows refer to; those derived from others (counts, versions) are left out.</summary>
    Task<IReadOnlyList<CopyTable>> TablesAsync(CancellationToken cancellationToken = default);

    Task<long> CountAsync(string table, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes every table's rows, IDs kept, in one transaction (a failed copy leaves the store empty), then sets each
    /// identity past the highest ID copied; returns the rows written per table.
    /// </summary>
    Task<IReadOnlyList<long>> ImportAsync(IReadOnlyList<CopyTable> tables, Func<CopyTable, IAsyncEnumerable<object?[]>> rows, CancellationToken cancellationToken = default);
}

/// <summary>A provider whose stores can be copied from.</summary>
public interface IStoreExporter
{
    /// <summary>Opens a store to copy from; a <see cref="StoreException"/> when there is none there.</summary>
    IStoreExport OpenExport(string connectionString);
}

/// <summary>A provider whose stores can be copied into.</summary>
public interface IStoreImporter
{
    IStoreImport OpenImport(string connectionString);
}

/// <summary><c>db copy</c>: a stopped store's every row into an empty store of another provider, IDs kept, counts checked.</summary>
public static class StoreCopy
{
    /// <summary>Copies <paramref name="from"/> into <paramref name="to"/>; returns each table copied with its rows, in the order copied.</summary>
    /// <exception cref="StoreException">The target is not empty, lacks a table or column of the source, or counts differ after the copy.</exception>
    public static async Task<IReadOnlyList<(string Table, long Rows)>> CopyAsync(IStoreExport from, IStoreImport to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        await from.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await to.PrepareAsync(cancellationToken).ConfigureAwait(false);
        var sources = await from.TablesAsync(cancellationToken).ConfigureAwait(false);
        var targets = await to.TablesAsync(cancellationToken).ConfigureAwait(false);

        var filled = new List<string>();
        foreach (var table in targets)
        {
            if (await to.CountAsync(table.Name, cancellationToken).ConfigureAwait(false) is > 0 and var rows)
            {
                filled.Add($"{table.Name}: {rows} rows");
            }
        }

        if (filled.Count > 0)
        {
            throw new StoreException($"The target database is not empty ({string.Join(", ", filled)}); db copy copies into an empty, migrated database only.");
        }

        var plan = Plan(sources, targets);
        var copied = await to.ImportAsync(plan, table => from.RowsAsync(table, cancellationToken), cancellationToken).ConfigureAwait(false);
        var result = new List<(string, long)>();
        for (var i = 0; i < plan.Count; i++)
        {
            var (source, target) = (await from.CountAsync(plan[i].Name, cancellationToken).ConfigureAwait(false), await to.CountAsync(plan[i].Name, cancellationToken).ConfigureAwait(false));
            if (source != target || target != copied[i])
            {
                throw new StoreException($"Table {plan[i].Name} has {source} rows in the source but {target} in the target after the copy.");
            }

            result.Add((plan[i].Name, target));
        }

        return result;
    }

    // The target's tables the source has, each with the columns both have; refused when the source holds what the target cannot.
    private static List<CopyTable> Plan(IReadOnlyDictionary<string, IReadOnlyList<string>> sources, IReadOnlyList<CopyTable> targets)
    {
        var missing = sources.Keys.Except(targets.Select(t => t.Name), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new StoreException($"The target has no table {string.Join(", ", missing)}: is it this version's schema?");
        }

        var plan = new List<CopyTable>();
        foreach (var target in targets.Where(t => sources.ContainsKey(t.Name)))
        {
            var columns = sources[target.Name];
            var problems = columns.Except(target.Columns.Select(c => c.Name), StringComparer.Ordinal).Select(c => $"{target.Name}.{c} has no place in the target")
                .Concat(target.Columns.Where(c => c.Required && !columns.Contains(c.Name, StringComparer.Ordinal)).Select(c => $"{target.Name}.{c.Name} has no value in the source"))
                .ToList();
            if (problems.Count > 0)
            {
                throw new StoreException($"The two schemas differ: {string.Join("; ", problems)}.");
            }

            plan.Add(target with { Columns = [.. target.Columns.Where(c => columns.Contains(c.Name, StringComparer.Ordinal))] });
        }

        return plan;
    }
}

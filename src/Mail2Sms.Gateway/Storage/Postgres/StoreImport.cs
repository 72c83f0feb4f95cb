using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// An empty PostgreSQL database filled by <c>db copy</c>: each table by binary COPY (streamed, so memory stays bounded
/// however many rows), parents first, all in one transaction; IDs kept, then each identity set past the highest.
/// The status counts are the triggers' work: COPY fires them as any insert does.
/// </summary>
public sealed class StoreImport(string connectionString) : IStoreImport
{
    // Kept by the database from the other tables (triggers, migrations): never copied, never counted as content.
    private static readonly string[] Derived = ["schema_migrations", "sms_status_counts", "directory_version"];

    private readonly PostgresDatabase _database = new(connectionString);

    // Each table's identity column, as TablesAsync found it.
    private readonly Dictionary<string, string> _identities = new(StringComparer.Ordinal);

    public Task PrepareAsync(CancellationToken cancellationToken = default) => Guard(() => _database.MigrateAsync(cancellationToken));

    public Task<IReadOnlyList<CopyTable>> TablesAsync(CancellationToken cancellationToken = default) => Guard(async () =>
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var columns = (await connection.RowsAsync<(string Table, string Column, string Type, bool Required, bool Identity)>(
            """
            SELECT c.table_name, c.column_name, c.data_type,
                   c.is_nullable = 'NO' AND c.column_default IS NULL AND c.is_identity = 'NO', c.is_identity = 'YES'
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name, c.ordinal_position
            """).ConfigureAwait(false)).Where(c => !Derived.Contains(c.Table, StringComparer.Ordinal)).ToList();
        var references = (await connection.RowsAsync<(string Table, string Parent)>(
            """
            SELECT child.relname, parent.relname
            FROM pg_constraint k
            JOIN pg_class child ON child.oid = k.conrelid
            JOIN pg_class parent ON parent.oid = k.confrelid
            WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace AND k.conrelid <> k.confrelid
            """).ConfigureAwait(false)).ToLookup(r => r.Table, r => r.Parent, StringComparer.Ordinal);

        _identities.Clear();
        foreach (var identity in columns.Where(c => c.Identity))
        {
            _identities[identity.Table] = identity.Column;
        }

        var tables = columns.GroupBy(c => c.Table, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new CopyTable(g.Key, [.. g.Select(c => new CopyColumn(c.Column, Kind(c.Table, c.Column, c.Type), c.Required))]), StringComparer.Ordinal);
        return (IReadOnlyList<CopyTable>)ParentsFirst(tables, references);
    });

    public Task<long> CountAsync(string table, CancellationToken cancellationToken = default) => Guard(async () =>
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {Quoted(table)}").ConfigureAwait(false);
    });

    public Task<IReadOnlyList<long>> ImportAsync(IReadOnlyList<CopyTable> tables, Func<CopyTable, IAsyncEnumerable<object?[]>> rows, CancellationToken cancellationToken = default) => Guard(async () =>
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(rows);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var copied = new List<long>();
        foreach (var table in tables)
        {
            var types = table.Columns.Select(c => Type(c.Kind)).ToArray();
            var count = 0L;
            await using (var importer = await connection.BeginBinaryImportAsync(
                $"COPY {Quoted(table.Name)} ({string.Join(", ", table.Columns.Select(c => Quoted(c.Name)))}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
            {
                await foreach (var row in rows(table).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < row.Length; i++)
                    {
                        if (row[i] is { } value)
                        {
                            await importer.WriteAsync(value, types[i], cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }

                    count++;
                }

                await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_identities.TryGetValue(table.Name, out var identity))
            {
                await connection.ExecuteAsync(
                    $"SELECT setval(pg_get_serial_sequence(@table, @identity), COALESCE(max({Quoted(identity)}), 0) + 1, false) FROM {Quoted(table.Name)}",
                    new { table = Quoted(table.Name), identity }, transaction).ConfigureAwait(false);
            }

            copied.Add(count);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (IReadOnlyList<long>)copied;
    });

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private static CopyKind Kind(string table, string column, string type) => type switch
    {
        "text" => CopyKind.Text,
        "integer" => CopyKind.Number,
        "bigint" => CopyKind.LongNumber,
        "boolean" => CopyKind.Boolean,
        "timestamp with time zone" => CopyKind.Time,
        "bytea" => CopyKind.Bytes,
        _ => throw new StoreException($"{table}.{column} is of type {type}, which db copy does not know."),
    };

    private static NpgsqlDbType Type(CopyKind kind) => kind switch
    {
        CopyKind.Text => NpgsqlDbType.Text,
        CopyKind.Number => NpgsqlDbType.Integer,
        CopyKind.LongNumber => NpgsqlDbType.Bigint,
        CopyKind.Boolean => NpgsqlDbType.Boolean,
        CopyKind.Time => NpgsqlDbType.TimestampTz,
        CopyKind.Bytes => NpgsqlDbType.Bytea,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    // Each table after every table its foreign keys name, otherwise by name.
    private static List<CopyTable> ParentsFirst(Dictionary<string, CopyTable> tables, ILookup<string, string> references)
    {
        var ordered = new List<CopyTable>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < tables.Count)
        {
            var ready = tables.Keys.Where(t => !placed.Contains(t) && references[t].All(p => placed.Contains(p) || !tables.ContainsKey(p)))
                .Order(StringComparer.Ordinal).FirstOrDefault()
                ?? throw new StoreException($"The tables {string.Join(", ", tables.Keys.Where(t => !placed.Contains(t)))} refer to each other in a cycle.");
            placed.Add(ready);
            ordered.Add(tables[ready]);
        }

        return ordered;
    }

    private static string Quoted(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new StoreException(e.Message);
        }
    }
}

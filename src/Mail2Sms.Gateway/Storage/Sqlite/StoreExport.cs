using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>
/// A stopped gateway's SQLite file read for <c>db copy</c>: each table's rows in primary key order, streamed from one
/// reader (bounded memory however many rows), each value turned from SQLite's storage (times as text, flags as
/// 0 or 1) into the kind the target asks for.
/// </summary>
public sealed class StoreExport : IStoreExport
{
    // Kept from the other tables by the store itself: the target derives its own.
    private static readonly string[] Derived = ["schema_migrations", "sms_status_counts", "directory_version"];

    private readonly SqliteDatabase _database;

    /// <param name="connectionString">A connection string, or the path of the file (anything without <c>=</c>).</param>
    public StoreExport(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString.Contains('=', StringComparison.Ordinal) ? connectionString : $"Data Source={connectionString}");
        if (!File.Exists(builder.DataSource))
        {
            throw new StoreException($"There is no database to copy at {builder.DataSource}.");
        }

        _database = new SqliteDatabase(builder.ToString());
    }

    public Task PrepareAsync(CancellationToken cancellationToken = default) => Read(() => _database.MigrateAsync(cancellationToken));

    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> TablesAsync(CancellationToken cancellationToken = default) => Read(async () =>
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var tables = await connection.QueryAsync<string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").ConfigureAwait(false);
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var table in tables.Except(Derived, StringComparer.Ordinal))
        {
            result[table] = [.. await connection.QueryAsync<string>("SELECT name FROM pragma_table_info(@table) ORDER BY cid", new { table }).ConfigureAwait(false)];
        }

        return (IReadOnlyDictionary<string, IReadOnlyList<string>>)result;
    });

    public async IAsyncEnumerable<object?[]> RowsAsync(CopyTable table, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var key = (await connection.QueryAsync<string>("SELECT name FROM pragma_table_info(@table) WHERE pk > 0 ORDER BY pk", new { table = table.Name }).ConfigureAwait(false)).ToList();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", table.Columns.Select(c => Quoted(c.Name)))} FROM {Quoted(table.Name)} ORDER BY {(key.Count > 0 ? string.Join(", ", key.Select(Quoted)) : "rowid")}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[table.Columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : As(table.Columns[i], reader.GetValue(i), table.Name);
            }

            yield return row;
        }
    }

    public Task<long> CountAsync(string table, CancellationToken cancellationToken = default) => Read(async () =>
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {Quoted(table)}").ConfigureAwait(false);
    });

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    // A value as SQLite keeps it (long, double, string or byte[]) in the kind the target's column takes.
    private static object As(CopyColumn column, object value, string table) => column.Kind switch
    {
        CopyKind.Text => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        CopyKind.Number => Convert.ToInt32(value, CultureInfo.InvariantCulture),
        CopyKind.LongNumber => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        CopyKind.Boolean => Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0,
        CopyKind.Time => value is string text ? Timestamps.Read(text).ToUniversalTime()
            : throw new StoreException($"{table}.{column.Name} holds {value}, which is not a time."),
        CopyKind.Bytes => value as byte[] ?? Encoding.UTF8.GetBytes(Convert.ToString(value, CultureInfo.InvariantCulture)!),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Kind, null),
    };

    private static string Quoted(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static async Task<T> Read<T>(Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw new StoreException(e.Message);
        }
    }
}

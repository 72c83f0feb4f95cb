using System.Data.Common;
using Dapper;
using Npgsql;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// Rows read as Dapper maps them, but without the thread-pool stall of Dapper's own <c>QueryAsync</c>. That one reads with
/// <c>CommandBehavior.SequentialAccess</c>, under which Npgsql fetches a row that straddles its 8 KB read buffer from the
/// column getter, and Dapper's getters are synchronous: a blocking socket read on a pool thread per such row, which under
/// load starved the pool until ingest stopped (docs/operations.md, "On PostgreSQL"). Read without it, Npgsql buffers each
/// whole row in <see cref="DbDataReader.ReadAsync(CancellationToken)"/>, so the getters never wait on the network.
/// </summary>
internal static class PostgresRows
{
    /// <summary>Every row of <paramref name="command"/>, each mapped to <typeparamref name="T"/> by Dapper.</summary>
    public static async Task<List<T>> RowsAsync<T>(this NpgsqlConnection connection, CommandDefinition command)
    {
        await using var reader = await connection.ExecuteReaderAsync(command).ConfigureAwait(false);
        // The untyped parser: the typed one cannot cast its parser of a single plain column (a string) to Func<DbDataReader, T>.
        var parse = reader.GetRowParser(typeof(T));
        var rows = new List<T>();
        while (await reader.ReadAsync(command.CancellationToken).ConfigureAwait(false))
        {
            rows.Add((T)parse(reader));
        }

        return rows;
    }

    /// <summary>Every row of <paramref name="sql"/> with <paramref name="values"/>, in <paramref name="transaction"/> when given, each mapped to <typeparamref name="T"/>.</summary>
    public static Task<List<T>> RowsAsync<T>(this NpgsqlConnection connection, string sql, object? values = null, NpgsqlTransaction? transaction = null) =>
        connection.RowsAsync<T>(new CommandDefinition(sql, values, transaction));
}

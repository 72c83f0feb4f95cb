using Dapper;
using Npgsql;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// One PostgreSQL database shared by every node: a pooled data source, and the schema brought up to date from the
/// embedded migrations under an advisory lock, so that nodes starting together migrate once.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    // pg_advisory_lock's key for migrations: any fixed number no other program on the database takes ("m2s" + 1).
    private const long MigrationLock = 0x6D3273_01;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        DataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        DatabaseName = builder.Database ?? builder.Username ?? "postgres";
    }

    /// <summary>The pool every store of this node opens its connections from.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The database's name, as the connection string gives it.</summary>
    public string DatabaseName { get; }

    /// <summary>An open connection from the pool.</summary>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default) => DataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Applies every embedded migration not yet applied, each in its own transaction, under the migration lock; returns how many ran.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = MigrationLock }).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version text NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL)").ConfigureAwait(false);
            var applied = (await connection.RowsAsync<string>("SELECT version FROM schema_migrations").ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            var count = 0;
            foreach (var (version, sql) in EmbeddedMigrations.Pending("Postgres", applied))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await connection.ExecuteAsync(sql, transaction: transaction).ConfigureAwait(false);
                await connection.ExecuteAsync("INSERT INTO schema_migrations (version, applied_at) VALUES (@version, now())", new { version }, transaction).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                count++;
            }

            return count;
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = MigrationLock }).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}

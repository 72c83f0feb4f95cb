using System.Data.Common;
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

    /// <summary>How many statements each connection keeps prepared when the connection string does not say (<c>Max Auto Prepare</c>).</summary>
    public const int AutoPrepared = 64;

    private readonly NpgsqlDataSource _unpooled;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // The statements a gateway runs over and over are prepared on each connection (parsed and planned once), unless
        // the connection string says otherwise: parsing and planning them each time was most of the server's CPU
        // under ingest (docs/operations.md, "On PostgreSQL").
        if (!Names(connectionString, nameof(builder.MaxAutoPrepare)))
        {
            builder.MaxAutoPrepare = AutoPrepared;
        }

        // Nor is a connection reset as it goes back to the pool (seven statements on its next use, more than a typical
        // open's own work), unless the connection string says so: the stores leave no session state behind (their
        // advisory locks are the transaction's, the migration lock is released by hand), and the one connection that
        // LISTENs is not pooled.
        if (!Names(connectionString, nameof(builder.NoResetOnClose)))
        {
            builder.NoResetOnClose = true;
        }

        DataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        _unpooled = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false }.ConnectionString).Build();
        DatabaseName = builder.Database ?? builder.Username ?? "postgres";
    }

    // Whether the connection string sets the keyword, however it spells it ("Max Auto Prepare", "maxautoprepare"): Npgsql's
    // own builder has a value for every keyword, set or not.
    private static bool Names(string connectionString, string keyword) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(key => key.Replace(" ", string.Empty, StringComparison.Ordinal).Equals(keyword, StringComparison.OrdinalIgnoreCase));

    /// <summary>The pool every store of this node opens its connections from.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The database's name, as the connection string gives it.</summary>
    public string DatabaseName { get; }

    /// <summary>An open connection from the pool.</summary>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default) => DataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>An open connection of its own, closed for good when disposed: for one that keeps session state (LISTEN).</summary>
    public ValueTask<NpgsqlConnection> OpenUnpooledAsync(CancellationToken cancellationToken = default) => _unpooled.OpenConnectionAsync(cancellationToken);

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

    public async ValueTask DisposeAsync()
    {
        await _unpooled.DisposeAsync().ConfigureAwait(false);
        await DataSource.DisposeAsync().ConfigureAwait(false);
    }
}

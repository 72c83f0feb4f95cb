using Dapper;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

[assembly: StorageProvider("sqlite", typeof(SqliteStorageProvider), IsDefault = true)]

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>The embedded provider: one SQLite file, <c>mail2sms.db</c> in the data folder by default.</summary>
public sealed class SqliteStorageProvider : IStorageProvider, IStoreExporter
{
    public IStoreExport OpenExport(string connectionString) => new StoreExport(connectionString);

    public string DefaultConnectionString(string dataDirectory) => $"Data Source={Path.Combine(dataDirectory, "mail2sms.db")}";

    public IStorage Open(string connectionString, TimeProvider clock) => new SqliteStorage(new SqliteDatabase(connectionString), clock);
}

/// <summary>Every area's contract over one SQLite file.</summary>
public sealed class SqliteStorage(SqliteDatabase database, TimeProvider clock) : IStorage
{
    private readonly AccountStore _accounts = new(database, clock);

    public string Provider => "sqlite";

    public IAccountDirectory Accounts => _accounts;

    public IOperators Operators { get; } = new OperatorStore(database, clock);

    public IApiKeys ApiKeys { get; } = new ApiStore(database, clock);

    public ILockouts Lockouts { get; } = new LockoutStore(database, clock);

    public IReplyStore Replies { get; } = new ReplyStore(database, clock);

    public IOutbox Outbox { get; } = new OutboxStore(database, clock);

    /// <summary>The file itself, for the tests and benchmarks that look at SQLite's own rows.</summary>
    public SqliteDatabase Database { get; } = database;

    public IEmailCommitter Emails { get; } = new EmailStore(database, clock);

    public IDashboardQueries Dashboard { get; } = new DashboardStore(database, clock);

    public ISmsQueue Queue { get; } = new DeliveryStore(database, clock);

    public INodeRegistry Nodes { get; } = new NodeStore(database, clock);

    public IProtectionKeys ProtectionKeys { get; } = new ProtectionKeyStore(database, clock);

    /// <summary>Within this process only: one SQLite file is one machine's.</summary>
    public IWakeups Wakeups { get; } = new LocalWakeups();

    public Task<int> MigrateAsync(CancellationToken cancellationToken = default) => Database.MigrateAsync(cancellationToken);

    public async Task<bool> IsMigratedAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_migrations").ConfigureAwait(false) > 0;
        }
        catch (SqliteException e)
        {
            throw new StoreException(e.Message);
        }
    }

    /// <summary>Closes the pooled connections, so the file can be moved or deleted.</summary>
    public ValueTask DisposeAsync()
    {
        _accounts.Dispose();
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}

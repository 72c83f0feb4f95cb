using Dapper;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Postgres;
using Npgsql;

[assembly: StorageProvider("postgres", typeof(PostgresStorageProvider))]

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>The provider for several nodes on one PostgreSQL database: <c>Database:Provider=postgres</c> with <c>Database:ConnectionString</c>.</summary>
public sealed class PostgresStorageProvider : IStorageProvider, IStoreImporter
{
    public IStoreImport OpenImport(string connectionString) => new StoreImport(connectionString);

    /// <summary>A local server's database named mail2sms, as Debian's package runs it: give <c>Database:ConnectionString</c> for any other.</summary>
    public string DefaultConnectionString(string dataDirectory) => "Host=localhost;Database=mail2sms";

    public IStorage Open(string connectionString, TimeProvider clock) => new PostgresStorage(new PostgresDatabase(connectionString), clock);
}

/// <summary>Every area's contract over one PostgreSQL database.</summary>
public sealed class PostgresStorage(PostgresDatabase database, TimeProvider clock) : IStorage
{
    public string Provider => "postgres";

    /// <summary>The database itself, for the tests and benchmarks that look at its own rows.</summary>
    public PostgresDatabase Database { get; } = database;

    private readonly PostgresAccounts _accounts = new(database, clock);

    public IAccountDirectory Accounts => _accounts;

    public IOperators Operators { get; } = new PostgresOperators(database, clock);

    public IApiKeys ApiKeys { get; } = new PostgresApiKeys(database, clock);

    public ILockouts Lockouts { get; } = new PostgresLockouts(database, clock);

    public IReplyStore Replies { get; } = new ReplyStore(database, clock);

    public IOutbox Outbox { get; } = new OutboxStore(database, clock);

    public IEmailCommitter Emails { get; } = new EmailStore(database, clock);

    public IDashboardQueries Dashboard { get; } = new DashboardStore(database, clock);

    public ISmsQueue Queue { get; } = new PostgresQueue(database, clock);

    public INodeRegistry Nodes { get; } = new NodeStore(database, clock);

    private readonly Wakeups _wakeups = new(database);

    public IWakeups Wakeups => _wakeups;

    public IProtectionKeys ProtectionKeys { get; } = new ProtectionKeyStore(database, clock);

    public Task<int> MigrateAsync(CancellationToken cancellationToken = default) => Database.MigrateAsync(cancellationToken);

    public async Task<bool> IsMigratedAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await Database.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_migrations").ConfigureAwait(false) > 0;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            throw new StoreException(e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _accounts.Dispose();
        await _wakeups.DisposeAsync().ConfigureAwait(false);
        await Database.DisposeAsync().ConfigureAwait(false);
    }
}

using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

[assembly: StorageProvider("sqlite", typeof(SqliteStorageProvider), IsDefault = true)]

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>The embedded provider: one SQLite file, <c>mail2sms.db</c> in the data folder by default.</summary>
public sealed class SqliteStorageProvider : IStorageProvider
{
    public string DefaultConnectionString(string dataDirectory) => $"Data Source={Path.Combine(dataDirectory, "mail2sms.db")}";

    public IStorage Open(string connectionString, TimeProvider clock) => new SqliteStorage(new SqliteDatabase(connectionString), clock);
}

/// <summary>Every area's contract over one SQLite file.</summary>
public sealed class SqliteStorage(SqliteDatabase database, TimeProvider clock) : IStorage
{
    public string Provider => "sqlite";

    /// <summary>The file itself, for what has no contract yet.</summary>
    public SqliteDatabase Database { get; } = database;

    public TimeProvider Clock { get; } = clock;

    public ISmsQueue Queue { get; } = new DeliveryStore(database, clock);

    public INodeRegistry Nodes { get; } = new NodeStore(database, clock);

    public Task<int> MigrateAsync(CancellationToken cancellationToken = default) => Database.MigrateAsync(cancellationToken);

    /// <summary>Closes the pooled connections, so the file can be moved or deleted.</summary>
    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}

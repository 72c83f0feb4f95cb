using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Mail2Sms.Gateway.Tests.Storage;

/// <summary>A real SQLite file in a folder of its own, migrated, with the stores over it on a fake clock; deleted afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Folder = Directory.CreateTempSubdirectory("mail2sms-db-").FullName;
        Path = System.IO.Path.Combine(Folder, "data", "mail2sms.db");
        Database = new SqliteDatabase($"Data Source={Path}");
        Database.MigrateAsync().GetAwaiter().GetResult();
        Accounts = new AccountStore(Database, Clock);
        Storage = new SqliteStorage(Database, Clock);
        Outbox = new OutboxStore(Database, Clock);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));

    public AccountStore Accounts { get; }

    /// <summary>The stores behind contracts, over <see cref="Database"/> on <see cref="Clock"/>.</summary>
    public SqliteStorage Storage { get; }

    public IEmailCommitter Emails => Storage.Emails;

    public IDashboardQueries Dashboard => Storage.Dashboard;

    public OutboxStore Outbox { get; }

    public ReplyStore Replies => new(Database, Clock);

    public string Folder { get; }

    public string Path { get; }

    public SqliteDatabase Database { get; }

    public void Dispose()
    {
        Accounts.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}

using Mail2Sms.Gateway.Storage;
using Microsoft.Data.Sqlite;

namespace Mail2Sms.Gateway.Tests.Storage;

/// <summary>A real SQLite file in a folder of its own, migrated, deleted afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Folder = Directory.CreateTempSubdirectory("mail2sms-db-").FullName;
        Path = System.IO.Path.Combine(Folder, "data", "mail2sms.db");
        Database = new SqliteDatabase($"Data Source={Path}");
        Database.MigrateAsync().GetAwaiter().GetResult();
    }

    public string Folder { get; }

    public string Path { get; }

    public SqliteDatabase Database { get; }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}

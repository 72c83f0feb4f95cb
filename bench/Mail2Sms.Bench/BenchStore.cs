using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;

namespace Mail2Sms.Bench;

/// <summary>
/// A fresh SQLite file in a folder of its own, migrated, with one account and one bulk email of the SMS
/// given accepted into it, as intake commits them; the folder is deleted when disposed.
/// </summary>
internal sealed class BenchStore : IDisposable
{
    /// <summary>The account the bulk email was accepted for.</summary>
    public const string Account = "BENCH0001";

    private readonly string _folder;

    private BenchStore(string folder)
    {
        _folder = folder;
        Database = new SqliteDatabase($"Data Source={Path.Combine(folder, "bench.db")}");
    }

    public SqliteDatabase Database { get; }

    /// <summary>The bulk email's row.</summary>
    public long EmailId { get; private set; }

    /// <summary>Makes the store and accepts <paramref name="messages"/>; their commit sets <paramref name="queued"/>, if given.</summary>
    public static async Task<BenchStore> CreateAsync(IReadOnlyList<OutboundSms> messages, QueueSignal? queued = null)
    {
        var store = new BenchStore(Directory.CreateTempSubdirectory("mail2sms-bench-").FullName);
        try
        {
            await store.Database.MigrateAsync().ConfigureAwait(false);
            using (var accounts = new AccountStore(store.Database, TimeProvider.System))
            {
                await accounts.AddAccountAsync(Account, "AU", null, false, messages.Count).ConfigureAwait(false);
            }

            var email = new ReceivedEmail(Account, "<bench@example.com>", "ops@example.com", "ops@example.com", "127.0.0.1", EmailFormat.Csv, "Bench", 100, ["bulksms@sms.localhost"]);
            var accepted = await new SqliteStorage(store.Database, TimeProvider.System).Emails.AcceptAsync(email, new Acceptance(messages, [], null)).ConfigureAwait(false);
            queued?.Set();
            store.EmailId = accepted.EmailId ?? throw new InvalidOperationException($"The bench email was refused: {accepted.Refusal}");
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

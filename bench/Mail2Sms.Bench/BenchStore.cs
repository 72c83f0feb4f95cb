using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Bench;

/// <summary>
/// A fresh store, migrated, with one account and one bulk email of the SMS given accepted into it, as intake commits
/// them: a SQLite file in a folder of its own (deleted when disposed), or for <c>--store postgres</c> the empty
/// database whose connection string <c>bench/with-postgres.sh</c> gives in <see cref="PostgresVariable"/>.
/// </summary>
internal sealed class BenchStore : IAsyncDisposable
{
    /// <summary>The account the bulk email was accepted for.</summary>
    public const string Account = "BENCH0001";

    /// <summary>The environment variable that gives an empty PostgreSQL database (set by <c>bench/with-postgres.sh</c>).</summary>
    public const string PostgresVariable = "MAIL2SMS_BENCH_POSTGRES";

    private readonly string? _folder;

    private BenchStore(IStorage storage, string? folder) => (Storage, _folder) = (storage, folder);

    /// <summary>The store, by its contracts.</summary>
    public IStorage Storage { get; }

    /// <summary>The bulk email's row.</summary>
    public long EmailId { get; private set; }

    /// <summary>Makes the store of <paramref name="provider"/> and accepts <paramref name="messages"/>; their commit sets <paramref name="queued"/>, if given.</summary>
    public static async Task<BenchStore> CreateAsync(IReadOnlyList<OutboundSms> messages, QueueSignal? queued = null, string provider = "sqlite")
    {
        var found = StorageProviders.Find(provider) ?? throw new ArgumentException($"--store is '{provider}'; it must be one of {string.Join(", ", StorageProviders.Names)}.");
        string? folder = null;
        string connection;
        if (provider == "postgres")
        {
            connection = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } given ? given
                : throw new ArgumentException($"--store postgres needs an empty database in {PostgresVariable}: run it under bench/with-postgres.sh, which makes a throwaway cluster.");
        }
        else
        {
            folder = Directory.CreateTempSubdirectory("mail2sms-bench-").FullName;
            connection = found.DefaultConnectionString(folder);
        }

        var store = new BenchStore(found.Open(connection, TimeProvider.System), folder);
        try
        {
            await store.Storage.MigrateAsync().ConfigureAwait(false);
            await store.Storage.Accounts.AddAccountAsync(Account, "AU", null, false, messages.Count).ConfigureAwait(false);
            var email = new ReceivedEmail(Account, "<bench@example.com>", "ops@example.com", "ops@example.com", "127.0.0.1", EmailFormat.Csv, "Bench", 100, ["bulksms@sms.localhost"]);
            var accepted = await store.Storage.Emails.AcceptAsync(email, new Acceptance(messages, [], null)).ConfigureAwait(false);
            queued?.Set();
            store.EmailId = accepted.EmailId ?? throw new InvalidOperationException($"The bench email was refused: {accepted.Refusal}");
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Storage.DisposeAsync().ConfigureAwait(false);
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

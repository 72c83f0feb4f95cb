using Mail2Sms.Gateway.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>
/// A fresh, migrated database of a provider, on a fake clock: SQLite's in a folder of its own, PostgreSQL's a new
/// database on the test run's throwaway server (<see cref="Mail2Sms.Tests.Shared.PostgresServer"/>). Every contract
/// test class runs once per provider (<c>ProviderContracts.cs</c>). Contract tests speak only through
/// <see cref="IStorage"/>: no SQL, no provider type.
/// </summary>
public sealed class ContractStorage : IAsyncDisposable
{
    private readonly IStorageProvider _provider;
    private readonly string _connection;

    private ContractStorage(IStorage storage, FakeTimeProvider clock, string folder, IStorageProvider provider, string connection)
    {
        Storage = storage;
        Clock = clock;
        Folder = folder;
        _provider = provider;
        _connection = connection;
    }

    public IStorage Storage { get; }

    public FakeTimeProvider Clock { get; }

    /// <summary>A folder of this test's own, deleted afterwards.</summary>
    public string Folder { get; }

    public static async Task<ContractStorage> OpenAsync(string providerName)
    {
        var provider = StorageProviders.Find(providerName) ?? throw new InvalidOperationException($"No storage provider '{providerName}'; known: {string.Join(", ", StorageProviders.Names)}.");
        var folder = Directory.CreateTempSubdirectory("mail2sms-contract-").FullName;
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var connection = providerName == "postgres" ? await Mail2Sms.Tests.Shared.PostgresServer.CreateDatabaseAsync() : provider.DefaultConnectionString(folder);
        var storage = provider.Open(connection, clock);
        await storage.MigrateAsync();
        return new ContractStorage(storage, clock, folder, provider, connection);
    }

    /// <summary>Another storage on the same database and clock, as a second node opens it (the caller disposes it).</summary>
    public IStorage OpenSecond() => _provider.Open(_connection, Clock);

    public async ValueTask DisposeAsync()
    {
        await Storage.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

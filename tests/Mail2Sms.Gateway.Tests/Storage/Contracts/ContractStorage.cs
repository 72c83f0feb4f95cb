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
    private readonly List<IStorage> _others = [];

    private ContractStorage(IStorageProvider provider, string connection, IStorage storage, FakeTimeProvider clock, string folder)
    {
        _provider = provider;
        _connection = connection;
        Storage = storage;
        Clock = clock;
        Folder = folder;
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
        return new ContractStorage(provider, connection, storage, clock, folder);
    }

    /// <summary>Another storage on the same database and clock, as a second node opens it; disposed with this one.</summary>
    public IStorage OpenAnother()
    {
        var other = _provider.Open(_connection, Clock);
        _others.Add(other);
        return other;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var other in _others)
        {
            await other.DisposeAsync();
        }

        await Storage.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

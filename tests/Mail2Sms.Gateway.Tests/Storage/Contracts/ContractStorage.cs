using Mail2Sms.Gateway.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>
/// A fresh, migrated database of the provider under test, on a fake clock: <c>MAIL2SMS_TEST_STORAGE</c> names it
/// (the default provider when unset) and <c>MAIL2SMS_TEST_STORAGE_CONNECTION</c> may give its connection string.
/// Contract tests speak only through <see cref="IStorage"/>: no SQL, no provider type.
/// </summary>
public sealed class ContractStorage : IAsyncDisposable
{
    private ContractStorage(IStorage storage, FakeTimeProvider clock, string folder)
    {
        Storage = storage;
        Clock = clock;
        Folder = folder;
    }

    public IStorage Storage { get; }

    public FakeTimeProvider Clock { get; }

    /// <summary>A folder of this test's own, deleted afterwards.</summary>
    public string Folder { get; }

    public static string ProviderName => Environment.GetEnvironmentVariable("MAIL2SMS_TEST_STORAGE") is { Length: > 0 } name ? name : StorageProviders.Names[0];

    public static async Task<ContractStorage> OpenAsync()
    {
        var provider = StorageProviders.Find(ProviderName) ?? throw new InvalidOperationException($"No storage provider '{ProviderName}'; known: {string.Join(", ", StorageProviders.Names)}.");
        var folder = Directory.CreateTempSubdirectory("mail2sms-contract-").FullName;
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var storage = provider.Open(Environment.GetEnvironmentVariable("MAIL2SMS_TEST_STORAGE_CONNECTION") ?? provider.DefaultConnectionString(folder), clock);
        await storage.MigrateAsync();
        return new ContractStorage(storage, clock, folder);
    }

    public async ValueTask DisposeAsync()
    {
        await Storage.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

using Mail2Sms.Gateway.Storage;
using Mail2Sms.Smpp;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>What the queue's contract suites share: a provider's store with one account, CI00000001, opened per test.</summary>
public abstract class QueueContractTests(string provider) : IAsyncLifetime
{
    /// <summary>The lease the suites claim with.</summary>
    protected static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private protected ContractStorage Contract { get; private set; } = null!;

    private protected QueueSeeding Seed { get; private set; } = null!;

    private protected ISmsQueue Queue => Contract.Storage.Queue;

    public async Task InitializeAsync()
    {
        Contract = await ContractStorage.OpenAsync(provider);
        Seed = new QueueSeeding(Contract);
        await Seed.AddAccountAsync("CI00000001");
    }

    public async Task DisposeAsync() => await Contract.DisposeAsync();

    /// <summary>Parts from <paramref name="first"/> on, sent with the SMSC IDs <paramref name="ids"/>.</summary>
    private protected static SentParts Parts(int first, params string[] ids) => new(first, ids, ReceiptIdForm.SameText);
}

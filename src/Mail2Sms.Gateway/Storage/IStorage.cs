namespace Mail2Sms.Gateway.Storage;

/// <summary>
/// One database as the gateway sees it, whatever the provider: each area's contract is a property here
/// (accounts, emails, the SMS queue, replies, the outbox, API keys, the dashboard's queries, nodes).
/// Every node of a gateway opens the same one; nothing shared lives in a node's memory.
/// </summary>
public interface IStorage : IAsyncDisposable
{
    /// <summary>The provider's name, as <c>Database:Provider</c> gives it.</summary>
    string Provider { get; }

    /// <summary>Brings the schema up to date (each migration once, whoever runs it first); returns how many ran.</summary>
    Task<int> MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>The SMS queue: claims, submits, retries, receipts, expiry and reports.</summary>
    ISmsQueue Queue { get; }

    /// <summary>The gateway's nodes: registration, heartbeats, takeover.</summary>
    INodeRegistry Nodes { get; }
}

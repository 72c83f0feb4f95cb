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

    /// <summary>Accounts, users, networks, credits, and who a sender may be.</summary>
    IAccountDirectory Accounts { get; }

    /// <summary>The dashboard's operators.</summary>
    IOperators Operators { get; }

    /// <summary>The REST API's keys and idempotency keys.</summary>
    IApiKeys ApiKeys { get; }

    /// <summary>Password failures and lockouts, shared by every node.</summary>
    ILockouts Lockouts { get; }

    /// <summary>Replies from mobiles and the opt-out list.</summary>
    IReplyStore Replies { get; }

    /// <summary>The mail the gateway sends.</summary>
    IOutbox Outbox { get; }

    /// <summary>Brings the schema up to date (each migration once, whoever runs it first); returns how many ran.</summary>
    Task<int> MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether the database answers with its schema migrated; a <see cref="StoreException"/> says why it does not answer.</summary>
    Task<bool> IsMigratedAsync(CancellationToken cancellationToken = default);

    /// <summary>Commits accepted emails and keeps refused ones (one per storage: its commits are grouped).</summary>
    IEmailCommitter Emails { get; }

    /// <summary>The dashboard's and the CLI's read-only queries.</summary>
    IDashboardQueries Dashboard { get; }

    /// <summary>The SMS queue: claims, submits, retries, receipts, expiry and reports.</summary>
    ISmsQueue Queue { get; }

    /// <summary>The gateway's nodes: registration, heartbeats, takeover.</summary>
    INodeRegistry Nodes { get; }

    /// <summary>The dashboard's Data Protection keys, shared by every node.</summary>
    IProtectionKeys ProtectionKeys { get; }

    /// <summary>Wake-up hints between the nodes: work queued on one is looked at now on the others.</summary>
    IWakeups Wakeups { get; }
}

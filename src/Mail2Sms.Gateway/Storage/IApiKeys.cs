namespace Mail2Sms.Gateway.Storage;

/// <summary>An API key as listed: never the key itself, which is shown once when made.</summary>
public sealed record ApiKeyRecord(long Id, string AccountId, string? Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>The response first given to a request with an Idempotency-Key; <see cref="Status"/> is null while that request is under way.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The body as written.</param>
/// <param name="RequestHash">The SHA-256 of that request's body, to tell a retry from another request reusing the key.</param>
public sealed record IdempotentResponse(int? Status, string? Body, string? RequestHash = null);

/// <summary>One SMS of an account as the API shows it.</summary>
public sealed record ApiSmsStatus(
    long Id, string Number, string? Name, string Text, string Encoding, int Parts, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? SubmittedAt, DateTimeOffset? FinalAt, string? Error);

/// <summary>
/// What the REST API keeps: keys per account (only a hash of each), the first response to each
/// Idempotency-Key for a day, and the reads of an account's own SMS.
/// </summary>
public interface IApiKeys
{
    /// <summary>What every key begins with, so a leaked one is recognised (secret scanners, logs).</summary>
    const string KeyPrefix = "m2s_";

    /// <summary>How long a response is kept for its Idempotency-Key.</summary>
    static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a request with an Idempotency-Key may stay under way: a claim older than this with no
    /// response died with its process before it committed anything (an accepted request's response is
    /// kept in the transaction that commits its SMS), and a retry of the same request takes it over
    /// rather than being told 409 for a day.
    /// </summary>
    static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);

    /// <summary>Makes a key for <paramref name="accountId"/> (any case); returns it (the only time it is seen) and its record.</summary>
    /// <exception cref="StoreException">There is no such account.</exception>
    Task<(string Key, ApiKeyRecord Record)> AddKeyAsync(string accountId, string? name, CancellationToken cancellationToken = default);

    /// <summary>The keys of <paramref name="accountId"/>, oldest first, revoked ones included.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> KeysAsync(string accountId, CancellationToken cancellationToken = default);

    /// <summary>Revokes key <paramref name="id"/> of <paramref name="accountId"/> at once; revoking it again changes nothing.</summary>
    /// <exception cref="StoreException">The account has no such key.</exception>
    Task RevokeKeyAsync(string accountId, long id, CancellationToken cancellationToken = default);

    /// <summary>The account a key belongs to, or null for an unknown or revoked key.</summary>
    Task<string?> AccountOfKeyAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims <paramref name="key"/> for a new request of <paramref name="accountId"/> whose body hashes to
    /// <paramref name="requestHash"/> and returns null; or, when a request with that key came within the
    /// window, returns its response (or that it is under way) and its hash. An abandoned claim of the same request is taken over.
    /// </summary>
    Task<IdempotentResponse?> ClaimIdempotencyKeyAsync(string accountId, string key, string requestHash, CancellationToken cancellationToken = default);

    /// <summary>Keeps the response to the request that claimed <paramref name="key"/>; null lets the key be used afresh (the request failed).</summary>
    Task FinishIdempotencyKeyAsync(string accountId, string key, IdempotentResponse? response);

    /// <summary>SMS <paramref name="id"/> when it is <paramref name="accountId"/>'s, else null.</summary>
    Task<ApiSmsStatus?> FindSmsAsync(string accountId, long id, CancellationToken cancellationToken = default);
}

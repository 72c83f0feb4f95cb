using Dapper;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>
/// What the REST API keeps: keys per account (only a SHA-256 hash: a key is 32 random bytes, so a slow
/// hash would add nothing), the first response to each Idempotency-Key for a day, and the reads of an
/// account's own SMS.
/// </summary>
public sealed class ApiStore(SqliteDatabase database, TimeProvider clock) : IApiKeys
{
    /// <summary>Makes a key for <paramref name="accountId"/>; returns it (the only time it is seen) and its record.</summary>
    public async Task<(string Key, ApiKeyRecord Record)> AddKeyAsync(string accountId, string? name, CancellationToken cancellationToken = default)
    {
        var key = ApiKeySecrets.NewKey();
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var account = await connection.QuerySingleOrDefaultAsync<string>("SELECT id FROM accounts WHERE id = @accountId COLLATE NOCASE", new { accountId }).ConfigureAwait(false)
            ?? throw new StoreException($"There is no account {accountId}.");
        using (await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO api_keys (account_id, name, key_hash, created_at) VALUES (@account, @name, @hash, @now) RETURNING id",
                new { account, name, hash = ApiKeySecrets.Hash(key), now = Timestamps.Write(now) }).ConfigureAwait(false);
            return (key, new ApiKeyRecord(id, account, name, now, null));
        }
    }

    /// <summary>The keys of <paramref name="accountId"/>, oldest first, revoked ones included.</summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> KeysAsync(string accountId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Id, string AccountId, string? Name, string CreatedAt, string? RevokedAt)>(
            "SELECT id, account_id, name, created_at, revoked_at FROM api_keys WHERE account_id = @accountId COLLATE NOCASE ORDER BY id",
            new { accountId }).ConfigureAwait(false);
        return [.. rows.Select(r => new ApiKeyRecord(r.Id, r.AccountId, r.Name, Timestamps.Read(r.CreatedAt), Timestamps.ReadOrNull(r.RevokedAt)))];
    }

    /// <summary>Revokes key <paramref name="id"/> of <paramref name="accountId"/> at once; revoking it again changes nothing.</summary>
    public async Task RevokeKeyAsync(string accountId, long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using (await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false))
        {
            var found = await connection.ExecuteAsync(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, @now) WHERE id = @id AND account_id = @accountId COLLATE NOCASE",
                new { id, accountId, now = Timestamps.Write(clock.GetUtcNow()) }).ConfigureAwait(false);
            if (found == 0)
            {
                throw new StoreException($"Account {accountId} has no API key {id}.");
            }
        }
    }

    /// <summary>The account a key belongs to, or null for an unknown or revoked key.</summary>
    public async Task<string?> AccountOfKeyAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT account_id FROM api_keys WHERE key_hash = @hash AND revoked_at IS NULL", new { hash = ApiKeySecrets.Hash(key) }).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims <paramref name="key"/> for a new request of <paramref name="accountId"/> whose body hashes to
    /// <paramref name="requestHash"/> and returns null; or, when a request with that key came within the
    /// window, returns its response (or that it is under way) and its hash.
    /// </summary>
    public async Task<IdempotentResponse?> ClaimIdempotencyKeyAsync(string accountId, string key, string requestHash, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        using (await database.WriteTurnAsync(cancellationToken).ConfigureAwait(false))
        {
            // A key older than the window is a new request; the same request's abandoned claim is taken over.
            var claimed = await connection.ExecuteAsync(
                """
                INSERT INTO api_idempotency (account_id, key, request_hash, created_at) VALUES (@accountId, @key, @requestHash, @now)
                ON CONFLICT (account_id, key) DO UPDATE SET request_hash = excluded.request_hash, status = NULL, body = NULL, created_at = excluded.created_at
                WHERE api_idempotency.created_at < @since
                   OR (api_idempotency.status IS NULL AND api_idempotency.created_at < @abandoned AND api_idempotency.request_hash = excluded.request_hash)
                """,
                new
                {
                    accountId,
                    key,
                    requestHash,
                    now = Timestamps.Write(now),
                    since = Timestamps.Write(now - IApiKeys.IdempotencyWindow),
                    abandoned = Timestamps.Write(now - IApiKeys.AbandonedAfter),
                }).ConfigureAwait(false);
            if (claimed > 0)
            {
                return null;
            }
        }

        var (status, body, hash) = await connection.QuerySingleAsync<(long? Status, string? Body, string RequestHash)>(
            "SELECT status, body, request_hash FROM api_idempotency WHERE account_id = @accountId AND key = @key", new { accountId, key }).ConfigureAwait(false);
        return new IdempotentResponse((int?)status, body, hash);
    }

    /// <summary>Keeps the response to the request that claimed <paramref name="key"/>; null lets the key be used afresh (the request failed).</summary>
    public async Task FinishIdempotencyKeyAsync(string accountId, string key, IdempotentResponse? response)
    {
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        using (await database.WriteTurnAsync().ConfigureAwait(false))
        {
            await connection.ExecuteAsync(response is null
                    ? "DELETE FROM api_idempotency WHERE account_id = @accountId AND key = @key"
                    : "UPDATE api_idempotency SET status = @Status, body = @Body WHERE account_id = @accountId AND key = @key",
                new { accountId, key, response?.Status, response?.Body }).ConfigureAwait(false);
        }
    }

    /// <summary>SMS <paramref name="id"/> when it is <paramref name="accountId"/>'s, else null.</summary>
    public async Task<ApiSmsStatus?> FindSmsAsync(string accountId, long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<(long Id, string Number, string? Name, string Text, string Encoding, long Parts, string Status, string CreatedAt, string? SubmittedAt, string? FinalAt, string? Error)>(
            "SELECT id, number, name, text, encoding, parts, status, created_at, submitted_at, final_at, last_error FROM sms WHERE id = @id AND account_id = @accountId",
            new { id, accountId }).ConfigureAwait(false);
        return row.Number is null ? null : new ApiSmsStatus(row.Id, row.Number, row.Name, row.Text, row.Encoding, (int)row.Parts, row.Status,
            Timestamps.Read(row.CreatedAt), Timestamps.ReadOrNull(row.SubmittedAt), Timestamps.ReadOrNull(row.FinalAt), row.Error);
    }
}

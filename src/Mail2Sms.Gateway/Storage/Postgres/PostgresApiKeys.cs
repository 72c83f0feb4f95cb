using Dapper;

namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>
/// What the REST API keeps, on PostgreSQL: keys per account (only a hash), the first response to each Idempotency-Key
/// for a day (claimed with one upsert, so two nodes given the same key at once answer one request), and the reads of an
/// account's own SMS.
/// </summary>
public sealed class PostgresApiKeys(PostgresDatabase database, TimeProvider clock) : IApiKeys
{
    public async Task<(string Key, ApiKeyRecord Record)> AddKeyAsync(string accountId, string? name, CancellationToken cancellationToken = default)
    {
        var key = ApiKeySecrets.NewKey();
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var added = await connection.QuerySingleOrDefaultAsync<KeyRow>(
            """
            INSERT INTO api_keys (account_id, name, key_hash, created_at)
            SELECT id, @name, @hash, @now FROM accounts WHERE lower(id) = lower(@accountId)
            RETURNING id AS Id, account_id AS AccountId
            """,
            new { accountId, name, hash = ApiKeySecrets.Hash(key), now }).ConfigureAwait(false)
            ?? throw new StoreException($"There is no account {accountId}.");
        return (key, new ApiKeyRecord(added.Id, added.AccountId, name, now, null));
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> KeysAsync(string accountId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.RowsAsync<(long Id, string AccountId, string? Name, DateTime CreatedAt, DateTime? RevokedAt)>(
            "SELECT id, account_id, name, created_at, revoked_at FROM api_keys WHERE lower(account_id) = lower(@accountId) ORDER BY id",
            new { accountId }).ConfigureAwait(false);
        return [.. rows.Select(r => new ApiKeyRecord(r.Id, r.AccountId, r.Name, PostgresTimes.Read(r.CreatedAt), PostgresTimes.ReadOrNull(r.RevokedAt)))];
    }

    public async Task RevokeKeyAsync(string accountId, long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var found = await connection.ExecuteAsync(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, @now) WHERE id = @id AND lower(account_id) = lower(@accountId)",
            new { id, accountId, now = clock.GetUtcNow() }).ConfigureAwait(false);
        if (found == 0)
        {
            throw new StoreException($"Account {accountId} has no API key {id}.");
        }
    }

    public async Task<string?> AccountOfKeyAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT account_id FROM api_keys WHERE key_hash = @hash AND revoked_at IS NULL", new { hash = ApiKeySecrets.Hash(key) }).ConfigureAwait(false);
    }

    public async Task<IdempotentResponse?> ClaimIdempotencyKeyAsync(string accountId, string key, string requestHash, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // A key older than the window is a new request; the same request's abandoned claim is taken over. A claim made
        // by another node at the same moment waits for that node's commit, then is answered by the row it wrote.
        var claimed = await connection.ExecuteAsync(
            """
            INSERT INTO api_idempotency AS i (account_id, key, request_hash, created_at) VALUES (@accountId, @key, @requestHash, @now)
            ON CONFLICT (account_id, key) DO UPDATE SET request_hash = excluded.request_hash, status = NULL, body = NULL, created_at = excluded.created_at
            WHERE i.created_at < @since OR (i.status IS NULL AND i.created_at < @abandoned AND i.request_hash = excluded.request_hash)
            """,
            new { accountId, key, requestHash, now, since = now - IApiKeys.IdempotencyWindow, abandoned = now - IApiKeys.AbandonedAfter }).ConfigureAwait(false);
        if (claimed > 0)
        {
            return null;
        }

        var (status, body, hash) = await connection.QuerySingleAsync<(int? Status, string? Body, string RequestHash)>(
            "SELECT status, body, request_hash FROM api_idempotency WHERE account_id = @accountId AND key = @key", new { accountId, key }).ConfigureAwait(false);
        return new IdempotentResponse(status, body, hash);
    }

    public async Task FinishIdempotencyKeyAsync(string accountId, string key, IdempotentResponse? response)
    {
        await using var connection = await database.OpenAsync().ConfigureAwait(false);
        await connection.ExecuteAsync(response is null
                ? "DELETE FROM api_idempotency WHERE account_id = @accountId AND key = @key"
                : "UPDATE api_idempotency SET status = @Status, body = @Body WHERE account_id = @accountId AND key = @key",
            new { accountId, key, response?.Status, response?.Body }).ConfigureAwait(false);
    }

    public async Task<ApiSmsStatus?> FindSmsAsync(string accountId, long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<SmsRow>(
            """
            SELECT id AS Id, number AS Number, name AS Name, text AS Text, encoding AS Encoding, parts AS Parts, status AS Status, created_at AS CreatedAt,
                submitted_at AS SubmittedAt, final_at AS FinalAt, last_error AS Error
            FROM sms WHERE id = @id AND account_id = @accountId
            """,
            new { id, accountId }).ConfigureAwait(false);
        return row is null ? null : new ApiSmsStatus(row.Id, row.Number, row.Name, row.Text, row.Encoding, row.Parts, row.Status,
            PostgresTimes.Read(row.CreatedAt), PostgresTimes.ReadOrNull(row.SubmittedAt), PostgresTimes.ReadOrNull(row.FinalAt), row.Error);
    }

    private sealed record KeyRow(long Id, string AccountId);

    private sealed record SmsRow(long Id, string Number, string? Name, string Text, string Encoding, int Parts, string Status, DateTime CreatedAt,
        DateTime? SubmittedAt, DateTime? FinalAt, string? Error);
}

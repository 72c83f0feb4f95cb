using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

public abstract class ApiKeysContractTests(string provider)
{
    private async Task<ContractStorage> WithAccountAsync()
    {
        var store = await ContractStorage.OpenAsync(provider);
        await store.Storage.Accounts.AddAccountAsync("CI00000001", "AU", null, relaxedNumbers: false, credits: 10);
        return store;
    }

    [Fact]
    public async Task A_key_made_for_an_account_finds_it_until_revoked()
    {
        await using var store = await WithAccountAsync();

        var (key, record) = await store.Storage.ApiKeys.AddKeyAsync("CI00000001", "monitoring");

        Assert.StartsWith(IApiKeys.KeyPrefix, key, StringComparison.Ordinal);
        Assert.Equal(("CI00000001", "monitoring", store.Clock.GetUtcNow(), (DateTimeOffset?)null), (record.AccountId, record.Name, record.CreatedAt, record.RevokedAt));
        Assert.Equal("CI00000001", await store.Storage.ApiKeys.AccountOfKeyAsync(key));
        Assert.Equal([record], await store.Storage.ApiKeys.KeysAsync("CI00000001"));

        await store.Storage.ApiKeys.RevokeKeyAsync("CI00000001", record.Id);
        await store.Storage.ApiKeys.RevokeKeyAsync("CI00000001", record.Id);

        Assert.Null(await store.Storage.ApiKeys.AccountOfKeyAsync(key));
        Assert.Equal(store.Clock.GetUtcNow(), Assert.Single(await store.Storage.ApiKeys.KeysAsync("CI00000001")).RevokedAt);
        Assert.Null(await store.Storage.ApiKeys.AccountOfKeyAsync(IApiKeys.KeyPrefix + "made-up"));
    }

    [Fact]
    public async Task Keys_of_an_unknown_account_or_another_accounts_key_are_refused()
    {
        await using var store = await WithAccountAsync();
        await store.Storage.Accounts.AddAccountAsync("CI00000002", "AU", null, relaxedNumbers: false, credits: 10);
        var (_, record) = await store.Storage.ApiKeys.AddKeyAsync("CI00000001", null);

        Assert.Equal("There is no account CI00009999.", (await Assert.ThrowsAsync<StoreException>(() => store.Storage.ApiKeys.AddKeyAsync("CI00009999", null))).Message);
        Assert.Equal($"Account CI00000002 has no API key {record.Id}.",
            (await Assert.ThrowsAsync<StoreException>(() => store.Storage.ApiKeys.RevokeKeyAsync("CI00000002", record.Id))).Message);
        Assert.Null(Assert.Single(await store.Storage.ApiKeys.KeysAsync("CI00000001")).RevokedAt);
    }

    [Fact]
    public async Task An_idempotency_key_is_claimed_once_and_answers_its_response_for_a_day()
    {
        await using var store = await WithAccountAsync();
        await store.Storage.Accounts.AddAccountAsync("CI00000002", "AU", null, relaxedNumbers: false, credits: 10);
        var keys = store.Storage.ApiKeys;

        Assert.Null(await keys.ClaimIdempotencyKeyAsync("CI00000001", "k1", "hash-a"));
        Assert.Equal(new IdempotentResponse(null, null, "hash-a"), await keys.ClaimIdempotencyKeyAsync("CI00000001", "k1", "hash-a"));

        await keys.FinishIdempotencyKeyAsync("CI00000001", "k1", new IdempotentResponse(202, "{\"id\":1}"));
        Assert.Equal(new IdempotentResponse(202, "{\"id\":1}", "hash-a"), await keys.ClaimIdempotencyKeyAsync("CI00000001", "k1", "hash-a"));
        Assert.Equal(new IdempotentResponse(202, "{\"id\":1}", "hash-a"), await keys.ClaimIdempotencyKeyAsync("CI00000001", "k1", "hash-b"));
        Assert.Null(await keys.ClaimIdempotencyKeyAsync("CI00000002", "k1", "hash-a")); // another account's key space

        store.Clock.Advance(IApiKeys.IdempotencyWindow + TimeSpan.FromSeconds(1));
        Assert.Null(await keys.ClaimIdempotencyKeyAsync("CI00000001", "k1", "hash-b"));
    }

    [Fact]
    public async Task An_abandoned_claim_is_taken_over_by_the_same_request_only()
    {
        await using var store = await WithAccountAsync();
        var keys = store.Storage.ApiKeys;
        Assert.Null(await keys.ClaimIdempotencyKeyAsync("CI00000001", "k1", "hash-a"));

        store.Clock.Advance(IApiKeys.AbandonedAfter + TimeSpan.FromSeconds(1));

        Assert.Equal(new IdempotentResponse(null, null, "hash-a"), await keys.ClaimIdempotencyKeyAsync("CI00000001", "k1", "hash-b"));
        Assert.Null(await keys.ClaimIdempotencyKeyAsync("CI00000001", "k1", "hash-a"));
    }

    [Fact]
    public async Task A_failed_request_frees_its_key()
    {
        await using var store = await WithAccountAsync();
        var keys = store.Storage.ApiKeys;
        Assert.Null(await keys.ClaimIdempotencyKeyAsync("CI00000001", "k1", "hash-a"));

        await keys.FinishIdempotencyKeyAsync("CI00000001", "k1", null);

        Assert.Null(await keys.ClaimIdempotencyKeyAsync("CI00000001", "k1", "hash-b"));
    }

    [Fact]
    public async Task An_SMS_that_is_not_the_accounts_is_not_found()
    {
        await using var store = await WithAccountAsync();

        Assert.Null(await store.Storage.ApiKeys.FindSmsAsync("CI00000001", 1));
    }
}

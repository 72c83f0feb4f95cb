namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

public abstract class ProtectionKeysContractTests(string provider)
{
    [Fact]
    public async Task Keys_are_read_back_in_the_order_they_were_kept()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        Assert.Empty(await store.Storage.ProtectionKeys.AllAsync());

        await store.Storage.ProtectionKeys.StoreAsync("key-b", "<key id=\"b\" />");
        await store.Storage.ProtectionKeys.StoreAsync("key-a", "<key id=\"a\" />");

        Assert.Equal(["<key id=\"b\" />", "<key id=\"a\" />"], await store.Storage.ProtectionKeys.AllAsync());
    }

    [Fact]
    public async Task A_key_once_kept_is_not_replaced_by_a_second_write_of_its_name()
    {
        await using var store = await ContractStorage.OpenAsync(provider);

        await store.Storage.ProtectionKeys.StoreAsync("key-a", "<key id=\"a\" />");
        await store.Storage.ProtectionKeys.StoreAsync("key-a", "<key id=\"a\" revoked=\"later\" />");

        Assert.Equal(["<key id=\"a\" />"], await store.Storage.ProtectionKeys.AllAsync());
    }

    [Fact]
    public async Task Keys_kept_at_the_same_moment_through_two_openings_are_all_read_by_both()
    {
        await using var store = await ContractStorage.OpenAsync(provider);
        await using var second = store.OpenSecond();

        // Two nodes' first start: each makes its own key at once.
        var keys = Enumerable.Range(0, 20).Select(i => ($"key-{i}", $"<key id=\"{i}\" />")).ToList();
        await Task.WhenAll(keys.Select((key, i) => (i % 2 == 0 ? store.Storage : second).ProtectionKeys.StoreAsync(key.Item1, key.Item2)));

        var first = await store.Storage.ProtectionKeys.AllAsync();
        Assert.Equal(keys.Select(k => k.Item2).Order(), first.Order());
        Assert.Equal(first, await second.ProtectionKeys.AllAsync());
    }
}

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

public abstract class MigrationContractTests(string provider)
{
    [Fact]
    public async Task A_database_migrated_once_has_nothing_left_to_migrate()
    {
        await using var store = await ContractStorage.OpenAsync(provider);

        Assert.True(await store.Storage.IsMigratedAsync());
        Assert.Equal(0, await store.Storage.MigrateAsync());
        Assert.Equal(provider, store.Storage.Provider);
    }
}

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

public sealed class MigrationContractTests
{
    [Fact]
    public async Task A_database_migrated_once_has_nothing_left_to_migrate()
    {
        await using var store = await ContractStorage.OpenAsync();

        Assert.True(await store.Storage.IsMigratedAsync());
        Assert.Equal(0, await store.Storage.MigrateAsync());
        Assert.Equal(ContractStorage.ProviderName, store.Storage.Provider);
    }
}

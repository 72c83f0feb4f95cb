using Mail2Sms.Gateway.Storage.Sqlite;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>
/// Opens an account for the email and dashboard contracts to debit. Until the account directory has its
/// contract on <see cref="Gateway.Storage.IStorage"/>, this is the suite's one reach past the contracts.
/// </summary>
internal static class ContractAccounts
{
    public static async Task AddAsync(ContractStorage store, string id, long credits)
    {
        using var accounts = new AccountStore(((SqliteStorage)store.Storage).Database, store.Clock);
        await accounts.AddAccountAsync(id, "AU", null, relaxedNumbers: false, credits);
    }
}

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>Opens an account for the email and dashboard contracts to debit, through the account directory's contract.</summary>
internal static class ContractAccounts
{
    public static Task AddAsync(ContractStorage store, string id, long credits) =>
        store.Storage.Accounts.AddAccountAsync(id, "AU", null, relaxedNumbers: false, credits);
}

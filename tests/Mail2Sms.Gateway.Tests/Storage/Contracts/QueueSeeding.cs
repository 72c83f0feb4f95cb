using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage.Sqlite;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>
/// Accounts, emails and the outbox for the queue's and nodes' contract tests, until IAccountDirectory, IEmailCommitter
/// and IOutbox are on main: the lead switches these three to them, and the cast goes.
/// </summary>
internal sealed class QueueSeeding(ContractStorage contract)
{
    private readonly SqliteDatabase _database = ((SqliteStorage)contract.Storage).Database;

    public Task AddAccountAsync(string id, string? sender = null, long credits = 100, int smsPerMinute = 0) =>
        smsPerMinute == 0
            ? new AccountStore(_database, contract.Clock).AddAccountAsync(id, "AU", sender, false, credits)
            : AddCappedAsync(id, sender, credits, smsPerMinute);

    private async Task AddCappedAsync(string id, string? sender, long credits, int smsPerMinute)
    {
        var accounts = new AccountStore(_database, contract.Clock);
        await accounts.AddAccountAsync(id, "AU", sender, false, credits);
        await accounts.SetAccountAsync(id, new AccountChanges { SmsPerMinute = smsPerMinute });
    }

    public async Task<long> CreditsAsync(string account) => (await new AccountStore(_database, contract.Clock).FindAccountAsync(account))!.Credits;

    /// <summary>One email of <paramref name="account"/>'s: an alert (format 1) or a bulk list (CSV), an SMS per number and text.</summary>
    public async Task<long> QueueAsync(string account, bool alert, params (string Number, string Text)[] sms)
    {
        var email = new ReceivedEmail(account, $"<m-{Guid.NewGuid():N}@example.com>", "ops@example.com", "ops@example.com", "203.0.113.5",
            alert ? EmailFormat.Mobile : EmailFormat.Csv, "Alert", 100, ["x@sms.localhost"]);
        var messages = sms.Select((m, i) => new OutboundSms(m.Number, "Bob", SmsText.From(m.Text), $"{i}")).ToList();
        var outcome = await new EmailStore(_database, contract.Clock).AcceptAsync(email, new Acceptance(messages, [], null));
        return outcome.EmailId ?? throw new InvalidOperationException($"not accepted: {outcome.Refusal}");
    }

    public async Task<IReadOnlyList<string>> OutboxKindsAsync() => [.. (await new OutboxStore(_database, contract.Clock).QueuedAsync(100)).Select(m => $"{m.Kind} to {m.RcptTo}")];
}

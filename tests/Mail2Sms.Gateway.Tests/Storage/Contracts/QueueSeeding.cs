using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Storage.Contracts;

/// <summary>Accounts, emails and the outbox for the queue's and nodes' contract tests, through their own contracts.</summary>
internal sealed class QueueSeeding(ContractStorage contract)
{
    private IStorage Storage => contract.Storage;

    public async Task AddAccountAsync(string id, string? sender = null, long credits = 100, int smsPerMinute = 0)
    {
        await Storage.Accounts.AddAccountAsync(id, "AU", sender, false, credits);
        if (smsPerMinute > 0)
        {
            await Storage.Accounts.SetAccountAsync(id, new AccountChanges { SmsPerMinute = smsPerMinute });
        }
    }

    public async Task<long> CreditsAsync(string account) => (await Storage.Accounts.FindAccountAsync(account))!.Credits;

    /// <summary>One email of <paramref name="account"/>'s: an alert (format 1) or a bulk list (CSV), an SMS per number and text.</summary>
    public async Task<long> QueueAsync(string account, bool alert, params (string Number, string Text)[] sms)
    {
        var email = new ReceivedEmail(account, $"<m-{Guid.NewGuid():N}@example.com>", "ops@example.com", "ops@example.com", "203.0.113.5",
            alert ? EmailFormat.Mobile : EmailFormat.Csv, "Alert", 100, ["x@sms.localhost"]);
        var messages = sms.Select((m, i) => new OutboundSms(m.Number, "Bob", SmsText.From(m.Text), $"{i}")).ToList();
        var outcome = await Storage.Emails.AcceptAsync(email, new Acceptance(messages, [], null));
        return outcome.EmailId ?? throw new InvalidOperationException($"not accepted: {outcome.Refusal}");
    }

    public async Task<IReadOnlyList<string>> OutboxKindsAsync() => [.. (await Storage.Outbox.QueuedAsync(100)).Select(m => $"{m.Kind} to {m.RcptTo}")];
}

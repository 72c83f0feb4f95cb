using Dapper;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Storage;

public sealed class SmsCensusTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task The_census_agrees_with_the_sms_table_after_sms_are_accepted_change_status_through_another_connection_and_are_deleted()
    {
        await _db.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 100);
        var email = new ReceivedEmail("CI00000001", "<census@example.com>", "ops@example.com", "ops@example.com", "127.0.0.1", EmailFormat.Csv, "Census", 100, ["bulksms@sms.localhost"]);
        await _db.Emails.AcceptAsync(email, new Acceptance(
            [.. Enumerable.Range(0, 6).Select(i => new OutboundSms($"6141234{i:D4}", null, SmsText.From("Bulk offer"), $"row {i}"))], [], null));

        // Another process sharing the file: a submit, a receipt, a failure, an SMS due later, and one SMS removed.
        await using (var other = await _db.Database.OpenAsync())
        {
            await other.ExecuteAsync("UPDATE sms SET status = 'submitted' WHERE id IN (1, 2)");
            await other.ExecuteAsync("UPDATE sms SET status = 'delivered' WHERE id = 1");
            await other.ExecuteAsync("UPDATE sms SET status = 'failed' WHERE id = 3");
            await other.ExecuteAsync("UPDATE sms SET due_at = '2026-11-25T10:00:00.0000000Z' WHERE id = 4");
            // Written again with the status it has (a retry, a renewed claim): counted once still.
            await other.ExecuteAsync("UPDATE sms SET status = 'queued', attempts = attempts + 1 WHERE id IN (4, 6)");
            await other.ExecuteAsync("UPDATE sms SET status = 'failed' WHERE id = 3");
            await other.ExecuteAsync("DELETE FROM sms WHERE id = 5");
        }

        var census = await _db.Storage.Dashboard.CensusAsync(_db.Clock.GetUtcNow());
        await using var connection = await _db.Database.OpenAsync();
        var counted = (await connection.QueryAsync<(string Status, long Count)>("SELECT status, count(*) FROM sms GROUP BY status")).ToDictionary(r => r.Status, r => r.Count);
        Assert.Equal(SmsCensus.Statuses.ToDictionary(s => s, s => counted.GetValueOrDefault(s)), census.ByStatus);
        Assert.Equal((1, 1, 1, 2), (census.ByStatus["delivered"], census.ByStatus["submitted"], census.ByStatus["failed"], census.ByStatus["queued"]));
        Assert.Equal((1, _db.Clock.GetUtcNow()), (census.Due, census.OldestQueuedAt));
    }
}

using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Tests.Mail;

public sealed class ReportComposerTests
{
    [Fact]
    public void A_receipt_for_a_huge_bulk_email_lists_the_first_deliveries_and_counts_the_rest()
    {
        var at = new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
        var delivered = Enumerable.Range(0, ReportComposer.MaxListedDeliveries + 3)
            .Select(i => new DeliveredSms($"61412{i:D6}", null, "Reminder", at, at.AddSeconds(2))).ToList();
        var receipt = new ReportComposer("sms.localhost").Compose(new FinishedEmail(1, "ops@example.com", null, "Reminders", delivered, [], Receipts: true));
        var body = receipt.Message.TextBody!;
        Assert.Equal(ReportComposer.MaxListedDeliveries, body.Split('\n').Count(l => l.StartsWith("  +61412", StringComparison.Ordinal)));
        Assert.Contains("  +61412000999, delivered 2026-11-25 09:00:02 UTC (submitted 2026-11-25 09:00:00 UTC)\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain("+61412001000", body, StringComparison.Ordinal);
        Assert.EndsWith("\n  ... and 3 more.\n", body, StringComparison.Ordinal);
        Assert.Null(receipt.Message.InReplyTo);
    }
}

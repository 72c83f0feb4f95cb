using Mail2Sms.Core.Intake;

namespace Mail2Sms.Gateway.Storage;

/// <summary>What every email committer decides alike, whatever its database: priorities, refusals and who a low-credit warning goes to.</summary>
internal static class EmailCommits
{
    /// <summary>The queue priority of an email's SMS: alerts (formats 1 and 2) before bulk lists.</summary>
    public static int Priority(EmailFormat format) => format is EmailFormat.Mobile or EmailFormat.Cellphones ? 0 : 1;

    /// <summary>The refusal of an email its account cannot pay for, with the credits it has.</summary>
    public static AcceptOutcome CannotPay(long cost, long available) => new(null, Reasons.InsufficientCredits(cost, available), available);

    /// <summary>The refusal of a CSV file whose name the account used before.</summary>
    public static AcceptOutcome CsvDuplicate(string csvFileName, long balance) => new(null, Reasons.Create(ReasonCode.CsvDuplicate,
        $"{csvFileName} was sent before and its messages went out then: name each new file with the time you make it."), balance);

    /// <summary>Once per crossing: a debit that takes the balance from at or above the warning level to below it; the next starts below it, until a top-up or refund lifts it back.</summary>
    public static bool CrossesWarningLevel(long balance, long cost, long level) => balance < level && balance + cost >= level;

    /// <summary>Who a low-credit warning goes to: the account's users with a mailbox, and the originator when none of them is it.</summary>
    public static List<string> WarningRecipients(IEnumerable<string> users, string? originator)
    {
        var recipients = users.ToList();
        if (originator is not null && !recipients.Contains(originator, StringComparer.OrdinalIgnoreCase))
        {
            recipients.Add(originator);
        }

        return recipients;
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using Mail2Sms.Core.Intake;

namespace Mail2Sms.Core.Formats;

/// <summary>
/// The format 4 attachment name: <c>&lt;AccountID&gt;&lt;yymmddhhmiss&gt;.csv</c>, such as
/// <c>CI00123456161223151959.csv</c>. The account ID is everything before the last 12 digits.
/// </summary>
public static partial class CsvFileName
{
    [GeneratedRegex(@"^(?<account>.+?)(?<stamp>\d{12})\.csv$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    /// <summary>Why <paramref name="fileName"/> is not a valid name for <paramref name="accountId"/>, or null when it is.</summary>
    public static Reason? Check(string fileName, string accountId)
    {
        var match = Shape().Match(fileName);
        string? why = null;
        if (!match.Success)
        {
            why = "it does not end in 12 digits of date and time before .csv";
        }
        else if (!match.Groups["account"].Value.Equals(accountId, StringComparison.OrdinalIgnoreCase))
        {
            why = $"it starts with '{match.Groups["account"].Value}' rather than the account ID {accountId}";
        }
        else if (!DateTime.TryParseExact(match.Groups["stamp"].Value, "yyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            why = $"'{match.Groups["stamp"].Value}' is not a date and time as yymmddhhmiss";
        }

        return why is null ? null : Reasons.Create(ReasonCode.CsvFileName,
            $"The CSV file must be named <AccountID><yymmddhhmiss>.csv, such as {accountId}161223151959.csv; '{fileName}' is not, because {why}.");
    }
}

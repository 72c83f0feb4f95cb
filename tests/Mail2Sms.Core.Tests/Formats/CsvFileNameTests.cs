using Mail2Sms.Core.Formats;
using Mail2Sms.Core.Intake;

namespace Mail2Sms.Core.Tests.Formats;

public sealed class CsvFileNameTests
{
    private const string Account = "CI00123456";

    private static Reason Refused(string fileName, string account = Account)
    {
        var reason = CsvFileName.Check(fileName, account);
        Assert.NotNull(reason);
        Assert.Equal(ReasonCode.CsvFileName, reason.Code);
        Assert.Equal(550, reason.SmtpCode);
        Assert.Equal("5.6.0", reason.EnhancedCode);
        Assert.Contains("<AccountID><yymmddhhmiss>.csv", reason.Text, StringComparison.Ordinal);
        Assert.Contains($"such as {account}", reason.Text, StringComparison.Ordinal);
        Assert.Contains($"'{fileName}'", reason.Text, StringComparison.Ordinal);
        return reason;
    }

    [Theory]
    [InlineData("CI00123456161223151959.csv")]
    [InlineData("CI00123456161223151959.CSV")]
    [InlineData("CI00123456161223151959.Csv")]
    [InlineData("ci00123456161223151959.csv")]
    [InlineData("CI00123456000101000000.csv")]
    [InlineData("CI00123456991231235959.csv")]
    [InlineData("CI00123456240229120000.csv")]
    public void The_account_id_then_a_valid_yymmddhhmiss_is_a_valid_name(string fileName)
    {
        Assert.Null(CsvFileName.Check(fileName, Account));
    }

    [Fact]
    public void An_account_id_that_ends_in_digits_is_everything_before_the_last_12()
    {
        Assert.Null(CsvFileName.Check("12345161223151959.csv", "12345"));
    }

    [Fact]
    public void Another_accounts_id_is_refused_naming_both()
    {
        var reason = Refused("CI00999999161223151959.csv");
        Assert.Contains("'CI00999999'", reason.Text, StringComparison.Ordinal);
        Assert.Contains("account ID CI00123456", reason.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CI00123456161323151959.csv", "161323151959")]
    [InlineData("CI00123456161232151959.csv", "161232151959")]
    [InlineData("CI00123456161223251959.csv", "161223251959")]
    [InlineData("CI00123456161223156059.csv", "161223156059")]
    [InlineData("CI00123456230229120000.csv", "230229120000")]
    public void A_date_and_time_that_does_not_exist_is_refused(string fileName, string stamp)
    {
        var reason = Refused(fileName);
        Assert.Contains($"'{stamp}' is not a date and time", reason.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bulk.csv")]
    [InlineData("CI00123456.csv")]
    [InlineData("CI00123456 161223151959.csv.txt")]
    [InlineData("161223151959.csv")]
    public void A_name_without_12_digits_before_dot_csv_is_refused(string fileName)
    {
        Assert.Contains("12 digits", Refused(fileName).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Eleven_digits_are_not_a_date_and_time()
    {
        // With 11 digits the last 12 characters run into the account ID, which then is not the account's.
        var reason = Refused("CI0012345616122315195.csv");
        Assert.Contains("rather than the account ID CI00123456", reason.Text, StringComparison.Ordinal);
        Refused("CI16122315195.csv", "CI");
    }
}

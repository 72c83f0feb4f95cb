using System.Text;
using Mail2Sms.Fuzz;

namespace Mail2Sms.Gateway.Tests.Fuzz;

/// <summary>
/// A short run of the fuzz harness (bench/Mail2Sms.Fuzz) over the SMTP command-line parser with a fixed
/// seed, and every line a longer run found that once failed.
/// </summary>
public sealed class SmtpCommandFuzzTests
{
    [Fact]
    public void Ten_thousand_malformed_command_lines_are_parsed_without_an_exception_or_a_hang()
    {
        var options = new FuzzOptions(10_000, Seed: 20261207, TimeSpan.FromSeconds(5), FindingsFolder: Path.Combine(Path.GetTempPath(), "mail2sms-fuzz-findings"));

        var summary = FuzzRunner.Run(SmtpCommandLines.Target(), options);

        Assert.True(summary.Clean, string.Join('\n', summary.Findings));
        Assert.Equal(10_000, summary.Inputs);
    }

    // Lines on which SmtpServer 11.1.0's parser (the one before ours) threw, killing the session without a reply.
    [Theory]
    [InlineData("MAIL FROM:<\"jane ci\\izen\"@example.com> SMTPUTF8")] // RegexParseException: Regex.Unescape of the quoted local part
    [InlineData("MAIL FROM:<> SIZE=10 SIZE=1024")] // ArgumentException: a parameter given twice
    [InlineData("PROXY TCP")] // IndexOutOfRangeException: a PROXY line cut short
    public void A_command_line_that_once_escaped_with_an_exception_is_parsed(string line)
    {
        Assert.Null(Record.Exception(() => SmtpCommandLines.Parse(Encoding.UTF8.GetBytes(line))));
    }
}

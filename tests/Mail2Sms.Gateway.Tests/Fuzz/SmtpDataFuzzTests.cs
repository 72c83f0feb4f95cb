using Mail2Sms.Fuzz;

namespace Mail2Sms.Gateway.Tests.Fuzz;

/// <summary>
/// A short run of the fuzz harness (bench/Mail2Sms.Fuzz) over the reading of an email's data with a fixed
/// seed: read whole or in the chunks a socket hands over, the same data ends at the same octet, keeps the
/// same email and passes the same limits.
/// </summary>
public sealed class SmtpDataFuzzTests
{
    [Fact]
    public void Ten_thousand_malformed_data_streams_read_the_same_whole_and_in_chunks()
    {
        var options = new FuzzOptions(10_000, Seed: 20261207, TimeSpan.FromSeconds(5), FindingsFolder: Path.Combine(Path.GetTempPath(), "mail2sms-fuzz-findings"));

        var summary = FuzzRunner.Run(SmtpDataStreams.Target(), options);

        Assert.True(summary.Clean, string.Join('\n', summary.Findings));
        Assert.Equal(10_000, summary.Inputs);
    }
}

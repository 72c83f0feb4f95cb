using Mail2Sms.Fuzz;

namespace Mail2Sms.Smpp.Tests.Fuzz;

/// <summary>A short run of the fuzz harness (bench/Mail2Sms.Fuzz) over the PDU codec with a fixed seed.</summary>
public sealed class PduFuzzTests
{
    [Fact]
    public void Ten_thousand_malformed_pdu_streams_are_read_and_written_back_without_an_exception_or_a_hang()
    {
        var options = new FuzzOptions(10_000, Seed: 20261207, TimeSpan.FromSeconds(5), FindingsFolder: Path.Combine(Path.GetTempPath(), "mail2sms-fuzz-findings"));

        var summary = FuzzRunner.Run(PduFrames.Target(), options);

        Assert.True(summary.Clean, string.Join('\n', summary.Findings));
        Assert.Equal(10_000, summary.Inputs);
    }
}

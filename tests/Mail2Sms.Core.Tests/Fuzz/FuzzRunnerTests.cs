using System.Diagnostics;
using Mail2Sms.Fuzz;

namespace Mail2Sms.Core.Tests.Fuzz;

/// <summary>The fuzz harness itself sees what it is there to see: an escaping exception, a hang, a heap that keeps growing.</summary>
public sealed class FuzzRunnerTests
{
    private static readonly string Findings = Path.Combine(Path.GetTempPath(), "mail2sms-fuzz-runner-tests");

    // Every input is one zero byte; the entry points below count their calls.
    private static FuzzTarget Target(Action<byte[]> run) => new("harness", random => [(byte)random.Next(1)], run);

    [Fact]
    public void An_exception_escaping_the_entry_point_is_a_failure_with_the_input_saved()
    {
        var count = 0;
        var summary = FuzzRunner.Run(Target(_ =>
        {
            if (++count == 10)
            {
                throw new InvalidOperationException("the tenth input");
            }
        }), new FuzzOptions(20, Seed: 1, TimeSpan.FromSeconds(5), FindingsFolder: Findings));

        Assert.Equal((20L, 1L, 0L), (summary.Inputs, summary.Failures, summary.Hangs));
        var finding = Assert.Single(summary.Findings);
        Assert.Equal((FuzzFindings.Exception, 9L), (finding.Kind, finding.Input));
        Assert.Contains("InvalidOperationException: the tenth input", finding.What, StringComparison.Ordinal);
        Assert.True(File.Exists(finding.SavedTo), finding.SavedTo);
    }

    [Fact]
    public void An_input_that_keeps_the_cpu_busy_past_the_limit_is_a_hang_and_the_run_goes_on()
    {
        var count = 0;
        var summary = FuzzRunner.Run(Target(_ =>
        {
            if (++count == 3)
            {
                // A second of CPU, however long a loaded machine makes it take.
                using var process = Process.GetCurrentProcess();
                var until = process.TotalProcessorTime + TimeSpan.FromSeconds(1);
                while (process.TotalProcessorTime < until)
                {
                    Thread.SpinWait(10_000);
                    process.Refresh();
                }
            }
        }), new FuzzOptions(5, Seed: 1, TimeSpan.FromMilliseconds(200), FindingsFolder: Findings, WallLimit: TimeSpan.FromSeconds(60)));

        Assert.Equal((5L, 0L, 1L), (summary.Inputs, summary.Failures, summary.Hangs));
        var finding = Assert.Single(summary.Findings);
        Assert.Equal((FuzzFindings.Hang, 2L), (finding.Kind, finding.Input));
    }

    [Fact]
    public void A_heap_that_grows_with_every_input_is_a_memory_failure()
    {
        var kept = new List<byte[]>();
        var summary = FuzzRunner.Run(Target(_ => kept.Add(new byte[1024 * 1024])),
            new FuzzOptions(100, Seed: 1, TimeSpan.FromSeconds(5), MaxRetainedGrowthMb: 32, FindingsFolder: Findings));

        Assert.Equal(1, summary.Failures);
        Assert.Equal(FuzzFindings.Memory, Assert.Single(summary.Findings).Kind);
        Assert.True(summary.RetainedGrowthMb > 80, $"{summary.RetainedGrowthMb} MB");
    }
}

using System.Text;
using Mail2Sms.Core.Intake;
using static Mail2Sms.Core.Tests.Intake.Emails;

namespace Mail2Sms.Core.Tests.Intake;

/// <summary>Measures the heap around one decision, so it runs alone: other tests allocating at the same time would count too.</summary>
[CollectionDefinition(nameof(FailureCapMemoryTests), DisableParallelization = true)]
[Collection(nameof(FailureCapMemoryTests))]
public sealed class FailureCapMemoryTests
{
    [Fact]
    public void A_CSV_of_200000_bad_rows_leaves_a_decision_of_bounded_size()
    {
        var csv = new StringBuilder("0412345678,ok\n");
        for (var i = 0; i < 200_000; i++)
        {
            csv.Append("0298765432,landline\n");
        }

        var facts = Facts(WithCsv(csv.ToString()), "bulksms");
        csv.Clear();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var accepted = Assert.IsType<Acceptance>(IntakeRules.Decide(facts, Au));
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;

        Assert.Equal(200_000, accepted.FailureCount);
        Assert.Equal(IntakeRules.DefaultMaxListedFailures, accepted.Failures.Count);
        // 1,000 listed failures take about 0.5 MB; 200,000 held ones took over 50 MB.
        Assert.True(held < 4 * 1024 * 1024, $"the decision holds {held} bytes");
        GC.KeepAlive(facts);
    }
}

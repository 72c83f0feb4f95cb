using System.Globalization;

namespace Mail2Sms.Fuzz;

/// <summary>What went wrong with one input: an exception that escaped, a hang or memory.</summary>
internal sealed record FuzzFinding(string Kind, long Input, string What, string? SavedTo)
{
    public override string ToString() => $"{Kind} at input {Input}: {What}{(SavedTo is null ? string.Empty : $" (input saved to {SavedTo})")}";
}

/// <summary>The outcome of one fuzzing run; <see cref="Findings"/> keeps the first few of each kind, the counts are exact.</summary>
internal sealed record FuzzSummary(
    string Target, long Inputs, long Failures, long Hangs, IReadOnlyList<FuzzFinding> Findings,
    double PeakWorkingSetMb, double RetainedGrowthMb, TimeSpan Elapsed)
{
    public bool Clean => Failures == 0 && Hangs == 0;

    public double InputsPerSecond => Inputs / Math.Max(Elapsed.TotalSeconds, 0.001);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Target}: inputs={Inputs} failures={Failures} hangs={Hangs} peakMB={PeakWorkingSetMb:0} retainedGrowthMB={RetainedGrowthMb:0.0} " +
        $"seconds={Elapsed.TotalSeconds:0.0} inputs/s={InputsPerSecond:0}");
}

/// <summary>The kinds of <see cref="FuzzFinding"/>.</summary>
internal static class FuzzFindings
{
    public const string Exception = "exception";
    public const string Hang = "hang";
    public const string Memory = "memory";
}

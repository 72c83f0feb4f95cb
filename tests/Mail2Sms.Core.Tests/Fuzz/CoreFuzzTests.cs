using Mail2Sms.Core.Formats;
using Mail2Sms.Core.Intake;
using Mail2Sms.Fuzz;
using MimeKit;

namespace Mail2Sms.Core.Tests.Fuzz;

/// <summary>
/// Short runs of the fuzz harness (bench/Mail2Sms.Fuzz) over Core's entry points with a fixed seed, and
/// every input a longer run found that once failed.
/// </summary>
public sealed class CoreFuzzTests
{
    private const int Seed = 20261207;

    private static string FixtureFolder => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    private static string RegressionFolder => Path.Combine(AppContext.BaseDirectory, "Fuzz", "Regressions");

    // 5 s of CPU rather than the console's 2 s: other test classes run beside these and share the process's CPU time.
    internal static FuzzOptions Short(long count) =>
        new(count, Seed, TimeSpan.FromSeconds(5), FindingsFolder: Path.Combine(Path.GetTempPath(), "mail2sms-fuzz-findings"));

    [Fact]
    public void Two_thousand_malformed_emails_are_parsed_and_decided_without_an_exception_or_a_hang()
    {
        var summary = FuzzRunner.Run(MimeIntake.Target(FixtureFolder), Short(2_000));

        Assert.True(summary.Clean, string.Join('\n', summary.Findings));
        Assert.Equal(2_000, summary.Inputs);
    }

    [Fact]
    public void Five_thousand_malformed_csv_files_are_read_within_the_row_bounds_without_an_exception_or_a_hang()
    {
        var summary = FuzzRunner.Run(CsvFiles.Target(FixtureFolder), Short(5_000));

        Assert.True(summary.Clean, string.Join('\n', summary.Findings));
        Assert.Equal(5_000, summary.Inputs);
    }

    public static TheoryData<string> MimeIntakeRegressions() =>
        [.. Directory.EnumerateFiles(RegressionFolder, "mime-intake-*.bin").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(MimeIntakeRegressions))]
    public void A_mime_intake_input_that_once_failed_or_hung_is_decided_within_the_bound(string name)
    {
        var input = File.ReadAllBytes(Path.Combine(RegressionFolder, name));

        var summary = FuzzRunner.Run(new FuzzTarget(name, _ => input, MimeIntake.Run), Short(1));

        Assert.True(summary.Clean, string.Join('\n', summary.Findings));
    }

    [Fact]
    public void A_password_line_after_thousands_of_empty_lines_is_still_found()
    {
        // The fuzzer's hang: ^\s*PW ran on over every line break; the line must still be found past them.
        Assert.True(SenderBlock.Mentions(new string('\n', 250_000) + "  PW=secret"));
        Assert.False(SenderBlock.Mentions(new string('\n', 250_000) + "PWD is not a password line"));
    }

    [Fact]
    public void A_winmail_dat_with_no_data_counts_as_no_body_and_the_subject_is_sent()
    {
        // Found by the fuzzer: MimeKit's TNEF reader threw InvalidOperationException out of intake.
        var input = File.ReadAllBytes(Path.Combine(RegressionFolder, "mime-intake-tnef-without-data.bin"));
        var email = input.AsSpan(Array.IndexOf(input, (byte)'\n') + 1).ToArray();
        var message = MimeMessage.Load(new MemoryStream(email));
        var facts = SenderFacts.Read(message, new Envelope("karen.bell@example.com.au", ["61412345678@mail.completesms.net"]), ["mail.completesms.net"]);

        var acceptance = Assert.IsType<Acceptance>(IntakeRules.Decide(facts, new Account("CI00123456", "AU")));

        var sms = Assert.Single(acceptance.Messages);
        Assert.Equal(("61412345678", "Freezer alarm"), (sms.Number, sms.Text.Text));
    }
}

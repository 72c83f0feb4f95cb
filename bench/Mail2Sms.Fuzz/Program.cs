using System.Globalization;
using Mail2Sms.Fuzz;

// dotnet run -c Release --project bench/Mail2Sms.Fuzz -- <mime-intake|csv|pdu|smtp-command|smtp-data|all> [--count N] [--seed S]
//   [--timeout-ms 2000] [--max-mb 2048] [--fixtures DIR] [--findings DIR] [--wall-seconds S] [--max-seconds S] [--replay FILE]
string[] names = ["mime-intake", "csv", "pdu", "smtp-command", "smtp-data"];
if (args.Length == 0 || !(names.Contains(args[0]) || args[0] == "all"))
{
    Console.Error.WriteLine($"usage: Mail2Sms.Fuzz <{string.Join('|', names)}|all> [--count N] [--seed S] [--timeout-ms MS] [--max-mb MB] [--fixtures DIR] [--findings DIR] [--wall-seconds S] [--max-seconds S] [--replay FILE]");
    return 2;
}

string Option(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

var count = long.Parse(Option("--count", "1000000"), CultureInfo.InvariantCulture);
var seed = int.Parse(Option("--seed", "1"), CultureInfo.InvariantCulture);
var fixtures = Option("--fixtures", Path.Combine(AppContext.BaseDirectory, "Fixtures"));
var options = new FuzzOptions(count, seed,
    TimeSpan.FromMilliseconds(int.Parse(Option("--timeout-ms", "2000"), CultureInfo.InvariantCulture)),
    int.Parse(Option("--max-mb", "2048"), CultureInfo.InvariantCulture),
    FindingsFolder: Path.GetFullPath(Option("--findings", "fuzz-findings")),
    WallLimit: Option("--wall-seconds", string.Empty) is { Length: > 0 } wall ? TimeSpan.FromSeconds(int.Parse(wall, CultureInfo.InvariantCulture)) : null,
    Budget: Option("--max-seconds", string.Empty) is { Length: > 0 } budget ? TimeSpan.FromSeconds(int.Parse(budget, CultureInfo.InvariantCulture)) : null);

if (Option("--replay", string.Empty) is { Length: > 0 } replay)
{
    // One saved input on this thread: whatever escapes it, with the whole stack, and its time once warm (JIT and regexes built).
    var target = Target(args[0]);
    var input = File.ReadAllBytes(replay);
    target.Run(input);
    var clock = System.Diagnostics.Stopwatch.StartNew();
    target.Run(input);
    Console.WriteLine($"{target.Name}: {replay} ran in {clock.Elapsed.TotalMilliseconds:0} ms");
    return 0;
}

var clean = true;
foreach (var name in args[0] == "all" ? names : [args[0]])
{
    var target = Target(name);
    Console.WriteLine($"{name}: {count} inputs, seed {seed}, {options.PerInputLimit.TotalMilliseconds:0} ms per input");
    var summary = FuzzRunner.Run(target, options, Console.Out);
    foreach (var finding in summary.Findings)
    {
        Console.WriteLine($"  {finding}");
    }

    Console.WriteLine(summary);
    clean &= summary.Clean;
}

return clean ? 0 : 1;

FuzzTarget Target(string name) => name switch
{
    "mime-intake" => MimeIntake.Target(fixtures),
    "csv" => CsvFiles.Target(fixtures),
    "pdu" => PduFrames.Target(),
    "smtp-data" => SmtpDataStreams.Target(),
    _ => SmtpCommandLines.Target(),
};

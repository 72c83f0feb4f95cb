using System.Diagnostics;

namespace Mail2Sms.Tests;

/// <summary>Runs the real <c>mail2sms</c> program as a process, as an operator would.</summary>
internal static class Cli
{
    public static (int ExitCode, string Output) Run(params string[] args) => Run(new Dictionary<string, string>(), args);

    public static (int ExitCode, string Output) Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mail2sms.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "mail2sms did not finish");
        return (process.ExitCode, output.Result + error.Result);
    }
}

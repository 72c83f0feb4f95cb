using System.Diagnostics;

namespace Mail2Sms.Tests.Shared;

/// <summary>
/// Debian packages a test needs, installed on first use with apt-get (as root, as on these machines; .ci/run
/// installs them first), so a fresh machine passes with <c>dotnet test</c> alone; elsewhere the test fails saying what to install.
/// </summary>
internal static class DebianPackages
{
    /// <summary>Installs <paramref name="packages"/> unless <paramref name="installed"/> says they are there already.</summary>
    public static async Task EnsureInstalledAsync(Func<Task<bool>> installed, params string[] packages)
    {
        if (await installed())
        {
            return;
        }

        string[] install = ["install", "-y", "-qq", .. packages];
        if ((await RunAsync("apt-get", install) != 0 && (await RunAsync("apt-get", "update", "-qq") != 0 || await RunAsync("apt-get", install) != 0)) || !await installed())
        {
            throw new InvalidOperationException($"{string.Join(' ', packages)}: not installed, and apt-get could not install them (it needs root): run .ci/run, or apt-get install {string.Join(' ', packages)}.");
        }
    }

    /// <summary>Runs a program to its end, its output read and dropped; returns its exit code.</summary>
    public static async Task<int> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync(), process.WaitForExitAsync());
        return process.ExitCode;
    }
}

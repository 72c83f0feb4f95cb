using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Mail2Sms.Tests.Shared;

/// <summary>
/// An npm folder copied next to the tests (its scripts, package.json and package-lock.json): installed
/// with <c>npm ci</c> on first use, one installer at a time across test processes, and its scripts run
/// with Node. A machine without Node or npm fails the test with what to install; nothing is skipped.
/// </summary>
internal static class NodePackages
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>Installs the folder's packages unless <paramref name="package"/> is there at the version package.json pins.</summary>
    public static async Task EnsureInstalledAsync(string folder, string package)
    {
        var gate = Gates.GetOrAdd(folder, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            Assert.True(File.Exists(Path.Combine(folder, "package-lock.json")), $"package-lock.json was not copied to {folder}");

            // Other test processes on the same output folder (several runs at once) take turns too.
            using var folderLock = await LockFolderAsync(Path.Combine(folder, ".npm-ci.lock"), TimeSpan.FromMinutes(6));
            if (IsInstalled(folder, package))
            {
                return;
            }

            var (exitCode, stdout, stderr) = await RunAsync(folder,
                OperatingSystem.IsWindows() ? "npm.cmd" : "npm", ["ci", "--no-audit", "--no-fund"], null, TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0 && IsInstalled(folder, package), $"npm ci in {folder} failed ({exitCode}):\n{stdout}\n{stderr}");
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Starts a program in the folder with its standard streams redirected (UTF-8).</summary>
    public static Process Start(string folder, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"These tests need Node.js and npm on the PATH, and '{program}' could not be run ({e.Message}). "
                + "Install them (Debian: apt-get install nodejs npm); the tests must not be skipped.");
            throw;
        }
    }

    /// <summary>Runs a program in the folder to its end, <paramref name="stdin"/> as its input.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string folder, string program, string[] arguments, string? stdin, TimeSpan timeout)
    {
        using var process = Start(folder, program, arguments);
        using var timer = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timer.Token);
        var stderr = process.StandardError.ReadToEndAsync(timer.Token);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), timer.Token);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(timer.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within {timeout}.");
            throw;
        }
    }

    // Installed, and at the version package.json pins (an older node_modules left behind is not enough).
    private static bool IsInstalled(string folder, string package)
    {
        var installed = Path.Combine(folder, "node_modules", package, "package.json");
        if (!File.Exists(installed))
        {
            return false;
        }

        using var wanted = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "package.json")));
        using var found = JsonDocument.Parse(File.ReadAllText(installed));
        return wanted.RootElement.GetProperty("dependencies").GetProperty(package).GetString()
            == found.RootElement.GetProperty("version").GetString();
    }

    private static async Task<FileStream> LockFolderAsync(string lockFile, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (deadline.Elapsed < timeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }
}

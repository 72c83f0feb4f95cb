using System.Diagnostics;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Gateway.Tests.Smtp;

/// <summary>
/// The gateway driven by swaks, the client administrators test mail servers with. .ci/run installs it;
/// on a machine without it the first test installs Debian's package (as root), as the npm tests do with npm ci.
/// </summary>
public sealed class SwaksTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly Lazy<Task> Installed = new(InstallAsync);
    private RunningGateway _gateway = null!;

    private static Task InstallAsync() => DebianPackages.EnsureInstalledAsync(
        async () => File.Exists("/usr/bin/swaks") && await DebianPackages.RunAsync("perl", "-MNet::SSLeay", "-MAuthen::SASL", "-e1") == 0,
        "swaks", "libnet-ssleay-perl", "libauthen-sasl-perl");

    public async Task InitializeAsync()
    {
        await Installed.Value;
        _gateway = new RunningGateway();
        await _gateway.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 100);
        await _gateway.Accounts.AllowIpAsync("CI00000001", "127.0.0.1");
        await _gateway.Accounts.AddUserAsync("CI00000001", "*@monitor.example.com", null);
        await _gateway.Accounts.AddAccountAsync("CI00000002", "AU", null, false, 100);
        await _gateway.Accounts.AddUserAsync("CI00000002", "me@hosted.example", "hunter2");
    }

    async Task IAsyncLifetime.DisposeAsync() => await _gateway.DisposeAsync();

    ValueTask IAsyncDisposable.DisposeAsync() => _gateway.DisposeAsync();

    private async Task<(int ExitCode, string Transcript)> Swaks(params string[] args)
    {
        var start = new ProcessStartInfo("swaks") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--server", $"127.0.0.1:{_gateway.Port}", "--hide-informational" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task A_monitoring_host_sends_an_alert_with_swaks()
    {
        var (exitCode, transcript) = await Swaks("--from", "nagios@monitor.example.com", "--to", "0412345678@sms.localhost",
            "--header", "Subject: PROBLEM web01", "--body", "HTTP CRITICAL");
        Assert.True(exitCode == 0, transcript);
        Assert.Contains("<-  250 2.0.0 Accepted: 1 SMS queued for 1 credit.", transcript, StringComparison.Ordinal);
        Assert.Equal("PROBLEM web01 HTTP CRITICAL", Assert.Single(await _gateway.Dashboard.ListSmsAsync(null, null, 10)).Text);
    }

    [Fact]
    public async Task A_refused_recipient_shows_its_reason_in_the_swaks_transcript()
    {
        var (exitCode, transcript) = await Swaks("--from", "nagios@monitor.example.com", "--to", "0298765432@sms.localhost");
        Assert.NotEqual(0, exitCode);
        // A pattern allowed from the client's address names one account, so the number is judged at RCPT TO (FORMATS.md, 2026-12-07).
        Assert.Contains("<** 550 5.1.1 '0298765432' is a fixed-line number of AU, not a mobile number.", transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hosted_sender_uses_starttls_and_auth_with_swaks()
    {
        var (exitCode, transcript) = await Swaks("--tls", "--auth", "LOGIN", "--auth-user", "me@hosted.example", "--auth-password", "hunter2",
            "--from", "me@hosted.example", "--to", "0412345678@sms.localhost", "--header", "Subject: via swaks", "--body", "over TLS");
        Assert.True(exitCode == 0, transcript);
        Assert.Contains("235", transcript, StringComparison.Ordinal);
        Assert.Contains("<~  250 2.0.0 Accepted: 1 SMS queued", transcript, StringComparison.Ordinal);
    }
}

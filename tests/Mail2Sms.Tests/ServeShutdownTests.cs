using System.Diagnostics;
using System.Globalization;
using System.Net;
using Mail2Sms.Smpp;

namespace Mail2Sms.Tests;

/// <summary><c>serve</c> stopping in order: SMTP first, then the dispatcher drains what is under way, then the node.</summary>
public sealed class ServeShutdownTests
{
    [Fact]
    public async Task Sigterm_with_a_submit_outstanding_lets_it_finish_records_it_submitted_and_says_stopped()
    {
        // The SMSC answers each request after a second: SIGTERM comes while the submit waits for its answer.
        var submitted = new TaskCompletionSource();
        await using var smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions
        {
            ResponseDelay = TimeSpan.FromSeconds(1),
            OnReceived = pdu => { if (pdu is ShortMessage { Command: CommandId.SubmitSm }) { submitted.TrySetResult(); } },
        });
        using var gateway = new GatewayProcess("--Sms:Provider=smpp", "--Smpp:Host=127.0.0.1", $"--Smpp:Port={smsc.Port}");
        var serve = gateway.Serve();
        using (var client = await gateway.ConnectAsync())
        {
            Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credit.", await client.SendAsync(GatewayProcess.Email(1)));
            await client.DisconnectAsync(quit: true);
        }

        await submitted.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using (var kill = Process.Start("kill", ["-TERM", serve.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await serve.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        lock (gateway.Output)
        {
            Assert.True(serve.ExitCode == 0, $"exit code {serve.ExitCode}:\n{string.Join('\n', gateway.Output)}");
            Assert.Equal("mail2sms stopped.", gateway.Output.Last(l => l.Length > 0 && !l.StartsWith("stderr:", StringComparison.Ordinal)));
        }

        // The answer came within the drain: the SMS is recorded with its SMSC message ID, not queued again.
        var (exitCode, output) = gateway.Run("messages");
        Assert.Equal(0, exitCode);
        Assert.Matches(@"DEMO0001\s+61412345678\s+(submitted|delivered)\s+1xGsm7 Alert 1", output);
        Assert.Single(smsc.Received, p => p is ShortMessage { Command: CommandId.SubmitSm });
    }
}

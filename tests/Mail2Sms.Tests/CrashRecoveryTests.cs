using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mail2Sms.Smpp;
using Mail2Sms.Tests.Shared;
using MailKit;
using MailKit.Net.Smtp;
using Xunit.Abstractions;

namespace Mail2Sms.Tests;

/// <summary>
/// <c>mail2sms serve</c> killed with SIGKILL while a stream of email comes in and its SMS go out over SMPP to
/// an SMSC the test hosts (so it sees every submit_sm), then started again on the same database.
/// It loads the machine for half a minute, so it runs alone: other tests' generous timings stay generous.
/// </summary>
[Collection(nameof(CrashRecoveryTests))]
[CollectionDefinition(nameof(CrashRecoveryTests), DisableParallelization = true)]
public sealed class CrashRecoveryTests(ITestOutputHelper log)
{
    private const int Emails = 2000;
    private const int Senders = 8;
    private const int Window = 10;

    [Fact]
    public async Task After_kill_9_and_a_restart_every_acknowledged_sms_is_submitted_and_only_the_unrecorded_ones_twice()
    {
        await using var smsc = SmscSimulator.Start(IPAddress.Loopback, 0);
        using var gateway = new GatewayProcess("--Sms:Provider=smpp", $"--Smpp:Port={smsc.Port}", $"--Smpp:WindowSize={Window}",
            "--Delivery:LeaseSeconds=10"); // the dead process's claims come back ten seconds after the kill, not five minutes
        var serve = gateway.Serve();
        Assert.Equal(0, gateway.Run("account", "credit", "DEMO0001", Emails.ToString(CultureInfo.InvariantCulture)).ExitCode);

        // A few senders share the stream; each, as a mail server would, sends an email again until it is
        // acknowledged with 250. Only what was acknowledged was promised.
        var acknowledged = new ConcurrentBag<int>();
        var next = -1;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        async Task SendAsync()
        {
            SmtpClient? client = null;
            for (int n; (n = Interlocked.Increment(ref next)) < Emails;)
            {
                while (true)
                {
                    try
                    {
                        client ??= await gateway.ConnectAsync();
                        await client.SendAsync(GatewayProcess.Email(n));
                        acknowledged.Add(n);
                        break;
                    }
                    catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or SmtpCommandException or ServiceNotConnectedException)
                    {
                        Assert.True(DateTime.UtcNow < deadline, $"email {n} was never acknowledged: {e.Message}");
                        client?.Dispose();
                        client = null;
                        await Task.Delay(50); // the gateway is down: try again shortly, as a mail server's queue would
                    }
                }
            }

            await client!.DisconnectAsync(quit: true);
            client.Dispose();
        }

        var senders = Enumerable.Range(0, Senders).Select(_ => Task.Run(SendAsync)).ToArray();

        // The SMSC slow for the first half of the stream, so that a backlog builds up; then fast again, and the
        // gateway killed while the dispatcher drains that backlog with its window full.
        smsc.Options.ResponseDelay = TimeSpan.FromMilliseconds(50);
        await Waits.UntilAsync(() => acknowledged.Count >= Emails / 2, "half the emails acknowledged");
        smsc.Options.ResponseDelay = TimeSpan.Zero;
        var draining = Submits(smsc).Count + (10 * Window);
        await Waits.UntilAsync(() => Submits(smsc).Count >= draining, "the backlog going out at full speed");
        serve.Kill(entireProcessTree: true);
        await serve.WaitForExitAsync();
        var submittedBeforeKill = Submits(smsc).Count;
        var acknowledgedBeforeKill = acknowledged.Count;
        gateway.Serve();
        await Task.WhenAll(senders);

        // Nothing queued any more: every SMS claimed by the dead process has come back and gone out.
        await gateway.MessagesUntilAsync(string.IsNullOrWhiteSpace, "the queue drained", "--status", "queued", "--limit", "1");
        var submits = Submits(smsc);
        var texts = submits.ToHashSet(StringComparer.Ordinal);
        var duplicates = submits.Count - texts.Count;
        log.WriteLine($"{acknowledged.Count} emails acknowledged ({acknowledgedBeforeKill} before the kill); {submittedBeforeKill} submit_sm before the kill, "
            + $"{submits.Count} in all for {texts.Count} different SMS: {duplicates} sent twice.");

        Assert.Equal(Emails, acknowledged.Distinct().Count());
        Assert.All(acknowledged, n => Assert.True(texts.Contains($"Alert {n} Server 23 is offline."), $"the SMS of acknowledged email {n} was never submitted"));

        // An SMS is sent twice only when its submit went out and the kill came before it was recorded. The
        // dispatcher claims no more than the window has room for, and a place in it is freed only once the
        // submit is recorded: at most a window of SMS twice.
        Assert.InRange(duplicates, 0, Window);
    }

    private static List<string> Submits(SmscSimulator smsc) =>
        [.. smsc.Received.OfType<ShortMessage>().Where(p => p.CommandId == CommandId.SubmitSm).Select(p => Encoding.ASCII.GetString(p.Message.Span))];
}

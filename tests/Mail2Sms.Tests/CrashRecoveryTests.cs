using System.Globalization;
using System.Net;
using System.Text;
using Mail2Sms.Smpp;
using Mail2Sms.Tests.Shared;
using Xunit.Abstractions;

namespace Mail2Sms.Tests;

/// <summary>
/// <c>mail2sms serve</c> killed with SIGKILL again and again while a stream of email comes in and its SMS go out over
/// SMPP to an SMSC the test hosts (so it sees every submit_sm), each time started again on the same database, with
/// the default lease of five minutes: the killed process's claims come back because the next one finds it dead.
/// It loads the machine for a minute or two, so it runs alone: other tests' generous timings stay generous.
/// </summary>
[Collection(nameof(CrashRecoveryTests))]
[CollectionDefinition(nameof(CrashRecoveryTests), DisableParallelization = true)]
public sealed class CrashRecoveryTests(ITestOutputHelper log)
{
    // MAIL2SMS_CRASH_KILLS=50 runs the same test with fifty kills, for a longer run by hand.
    private static readonly int Kills = int.TryParse(Environment.GetEnvironmentVariable("MAIL2SMS_CRASH_KILLS"), NumberStyles.None, CultureInfo.InvariantCulture, out var kills) && kills > 0 ? kills : 10;
    private const int MostEmails = 10_000;
    private const int Senders = 8;
    private const int Window = 10;
    private const int SubmitsPerSecond = 20;
    private const int MostQueued = 100;

    [Fact]
    public async Task After_ten_kill_9s_and_restarts_every_acknowledged_sms_is_submitted_within_a_minute_and_at_most_a_window_twice_per_kill()
    {
        // The gateway submits at most 20 a second, as an SMSC account may allow: with a queue behind them, most of the
        // window's claims wait their turn unsent, so a kill leaves them claimed and never submitted.
        var submitted = 0;
        await using var smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions
        {
            OnReceived = pdu => { if (pdu.CommandId == CommandId.SubmitSm) { Interlocked.Increment(ref submitted); } },
        });
        using var gateway = new GatewayProcess("--Sms:Provider=smpp", $"--Smpp:Port={smsc.Port}", $"--Smpp:WindowSize={Window}",
            $"--Smpp:MaxSubmitsPerSecond={SubmitsPerSecond}");
        var serve = gateway.Serve();
        Assert.Equal(0, gateway.Run("account", "credit", "DEMO0001", MostEmails.ToString(CultureInfo.InvariantCulture)).ExitCode);

        // A few senders share the stream until the kills are over, keeping about 100 SMS queued (so the queue left
        // at the end goes in seconds); each, as a mail server would, sends an email again until it is acknowledged
        // with 250. Only what was acknowledged was promised.
        await using var stream = new EmailStream([gateway.Port], Senders, MostEmails, acknowledged => acknowledged - Volatile.Read(ref submitted) > MostQueued,
            TimeSpan.FromSeconds(30 * Kills));
        var acknowledged = stream.Acknowledged;

        // Each kill comes while the gateway submits, with more queued than its window holds; the submits the SMSC saw
        // from the killed process are counted once it has seen its bind go.
        var kills = new List<int>();
        for (var kill = 0; kill < Kills; kill++)
        {
            var from = Volatile.Read(ref submitted);
            await Waits.UntilAsync(() => Volatile.Read(ref submitted) >= from + Window && acknowledged.Count - Volatile.Read(ref submitted) >= 2 * Window,
                "the gateway submitting with a queue behind its window");
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
            await Waits.UntilAsync(() => smsc.BoundSessions == 0, "the SMSC seeing the killed gateway's bind gone");
            kills.Add(Submits(smsc).Count);
            serve = gateway.Serve();
        }

        var lastRestart = DateTime.UtcNow;
        await stream.StopAsync();

        // Every acknowledged SMS submitted within a minute of the last restart: none waits for its lease.
        var took = await stream.UntilAllSubmittedAsync(() => Submits(smsc), lastRestart, TimeSpan.FromSeconds(60), "after the last restart");
        var submits = Submits(smsc);

        var (twice, different) = RepeatedSubmits.Count(submits, kills);
        log.WriteLine($"{acknowledged.Count} emails acknowledged over {Kills} kills; {submits.Count} submit_sm for {different} different SMS, "
            + $"all of them out {took.TotalSeconds:0.0} s after the last restart; sent twice per kill: {string.Join(", ", twice)}.");
        Assert.Equal(acknowledged.Count, acknowledged.Distinct().Count());
        Assert.Equal(acknowledged.Count, different);

        // The dispatcher claims no more than the window has room for, and a place in it is freed only once its
        // submit is recorded: at most a window of SMS twice per kill.
        Assert.All(twice, count => Assert.InRange(count, 0, Window));
    }

    private static List<string> Submits(SmscSimulator smsc) =>
        [.. smsc.Received.OfType<ShortMessage>().Where(p => p.CommandId == CommandId.SubmitSm).Select(p => Encoding.ASCII.GetString(p.Message.Span))];
}

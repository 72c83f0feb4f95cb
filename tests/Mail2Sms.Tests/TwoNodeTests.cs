using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mail2Sms.Gateway.Tests.Mail;
using Mail2Sms.Tests.Shared;
using MailKit.Net.Smtp;
using MimeKit;
using Xunit.Abstractions;

namespace Mail2Sms.Tests;

/// <summary>
/// Two <c>mail2sms serve</c> nodes on one PostgreSQL database (issue 13), each with its own SMTP port and its own bind
/// to the node SMSC, which spreads its traffic over both binds as an SMSC does with several binds of one system_id
/// (<c>server.js PORT spread</c>: each receipt on the other node's bind). A stream of email comes in over both ports;
/// one node is killed with SIGKILL mid-stream and started again later. It loads the machine, so it runs alone, in the
/// crash test's collection.
/// </summary>
[Collection(nameof(CrashRecoveryTests))]
public sealed partial class TwoNodeTests(ITestOutputHelper log)
{
    // MAIL2SMS_TWO_NODE_KILLS=20 runs the same test with twenty kills, the two nodes in turn: a soak run by hand.
    private static readonly int Kills = int.TryParse(Environment.GetEnvironmentVariable("MAIL2SMS_TWO_NODE_KILLS"), NumberStyles.None, CultureInfo.InvariantCulture, out var kills) && kills > 0 ? kills : 1;
    private const int Window = 5;
    private const int SubmitsPerSecond = 20;
    private const int NodeTimeoutSeconds = 5;
    private const int UnknownGraceSeconds = 3;
    private const int Senders = 6;
    private const int MostQueued = 60;
    private const string SourceNumber = "61400000000";

    // What a loaded 2-core machine may add to the node timeout and the unknown grace before a taken-over SMS goes out.
    private static readonly TimeSpan Allowance = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Two_nodes_one_killed_mid_stream_every_acknowledged_sms_goes_out_at_most_a_window_twice_every_receipt_counts_and_a_reply_split_over_both_is_emailed_once()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var smsc = await NodeSmsc.StartAsync("spread");
        await using var sink = await SmtpSink.StartAsync();
        string[] settings = ["--Sms:Provider=smpp", $"--Smpp:Port={smsc.Port}", "--Smpp:SystemId=test", "--Smpp:Password=secret",
            $"--Smpp:SourceAddress={SourceNumber}", $"--Smpp:WindowSize={Window}", $"--Smpp:MaxSubmitsPerSecond={SubmitsPerSecond}",
            $"--Delivery:NodeTimeoutSeconds={NodeTimeoutSeconds}", $"--Delivery:UnknownGraceSeconds={UnknownGraceSeconds}",
            "--Mail:SmartHost=127.0.0.1", $"--Mail:SmartPort={sink.Port}", "--Mail:SmartTls=none"];
        using var a = new GatewayProcess(settings) { PostgresConnection = database };
        using var b = new GatewayProcess(settings) { PostgresConnection = database };
        GatewayProcess[] nodes = [a, b];

        // One after the other: the first migrates the database and makes the demo account, the second finds both done.
        var bindOf = new int[2];
        var serving = new Process[2];
        for (var node = 0; node < 2; node++)
        {
            (serving[node], bindOf[node]) = await ServeAsync(nodes[node], smsc);
        }

        Assert.Equal(0, a.Run("account", "credit", "DEMO0001", "1000000").ExitCode);
        int Submitted() => smsc.Received("submit_sm").Count;
        await using var stream = new EmailStream([a.Port, b.Port], Senders, 1_000_000, acknowledged => acknowledged - Submitted() > MostQueued, TimeSpan.FromSeconds(60 + (30 * Kills)));

        // Each kill comes while both nodes submit with a queue behind their windows; the survivor takes the victim's
        // claims over (the restart comes only after that), and the victim is started again.
        var kills = new List<int>();
        for (var kill = 0; kill < Kills; kill++)
        {
            var victim = kill % 2;
            var from = Submitted();
            await Waits.UntilAsync(() => Submitted() >= from + (2 * Window) && stream.Acknowledged.Count - Submitted() >= 2 * Window && stream.AcknowledgedOn.Count == 2,
                "both nodes having taken email, and submitting with a queue behind their windows");
            serving[victim].Kill(entireProcessTree: true);
            await serving[victim].WaitForExitAsync();
            var killedAt = DateTime.UtcNow;
            await Waits.UntilAsync(() => !LiveBinds(smsc).Contains(bindOf[victim]), "the SMSC seeing the killed node's bind gone");
            kills.Add(Submitted());
            var took = await stream.UntilAllSubmittedAsync(() => SubmittedTexts(smsc), killedAt,
                TimeSpan.FromSeconds(NodeTimeoutSeconds + UnknownGraceSeconds) + Allowance, "after the kill, the other node up");
            log.WriteLine($"kill {kill + 1} (node {victim}): every SMS acknowledged so far submitted {took.TotalSeconds:0.0} s after it");
            (serving[victim], bindOf[victim]) = await ServeAsync(nodes[victim], smsc);
            await Waits.UntilAsync(() => smsc.Received("submit_sm").Count(l => l["bind"]?.GetValue<int>() == bindOf[victim]) >= Window,
                "the restarted node submitting again");
        }

        var stoppedAt = DateTime.UtcNow;
        await stream.StopAsync();
        var drained = await stream.UntilAllSubmittedAsync(() => SubmittedTexts(smsc), stoppedAt, TimeSpan.FromSeconds(60), "after the stream stopped");
        var submits = SubmittedTexts(smsc);
        var (twice, different) = RepeatedSubmits.Count(submits, kills);
        log.WriteLine($"{stream.Acknowledged.Count} emails acknowledged ({string.Join(" and ", stream.AcknowledgedOn.Values)} on the two ports) over {Kills} kill(s); "
            + $"{submits.Count} submit_sm for {different} different SMS, all out {drained.TotalSeconds:0.0} s after the stream stopped; sent twice per kill: {string.Join(", ", twice)}.");
        Assert.Equal(stream.Acknowledged.Count, different);
        Assert.Equal(2, stream.AcknowledgedOn.Count);

        // A node claims no more than its window has room for: at most a window of SMS twice per kill of a one-bind node.
        Assert.All(twice, count => Assert.InRange(count, 0, Window));

        // Every receipt recorded, whichever bind it came on: each acknowledged SMS is delivered in the shared store,
        // and receipts crossed between the two nodes' binds both ways.
        var delivered = await b.MessagesUntilAsync(o => DeliveredAlerts(o).Count == stream.Acknowledged.Count, "every acknowledged SMS delivered",
            "--status", "delivered", "--limit", "10000000");
        Assert.Equal(stream.Acknowledged.Order(), DeliveredAlerts(delivered).Order());
        var receipts = smsc.Lines.Where(l => l["receipt"] is not null).Select(l => (From: l["submitted_on"]!.GetValue<int>(), To: l["sent_on"]!.GetValue<int>())).ToList();
        Assert.Contains((bindOf[0], bindOf[1]), receipts);
        Assert.Contains((bindOf[1], bindOf[0]), receipts);

        // A reply in two parts (8-bit UDH concatenation, reference 0x2A), one on each node's bind: one email, whole.
        await smsc.CommandAsync(Mo(bindOf[0], "0500032a0201", "On it, "));
        await smsc.CommandAsync(Mo(bindOf[1], "0500032a0202", "ETA 10 min"));
        await UntilAsync(() => Replies(sink).Any(r => Text(r).StartsWith("On it, ETA 10 min", StringComparison.Ordinal)), "the two-part reply emailed whole", nodes);

        // Then a one-part reply, emailed after it: by then a second copy of the first would have gone too.
        await smsc.CommandAsync(Mo(bindOf[1], string.Empty, "Fixed now"));
        await UntilAsync(() => Replies(sink).Any(r => Text(r).StartsWith("Fixed now", StringComparison.Ordinal)), "the one-part reply emailed", nodes);
        var reply = Assert.Single(Replies(sink), r => Text(r).StartsWith("On it", StringComparison.Ordinal) || Text(r).StartsWith("ETA 10 min", StringComparison.Ordinal));
        Assert.Equal(("61412345678@sms.localhost", "nagios@example.com"), (reply.From.Mailboxes.Single().Address, reply.To.Mailboxes.Single().Address));
        Assert.StartsWith("Re: Alert ", reply.Subject, StringComparison.Ordinal);
        Assert.Equal([1, 1, 1], smsc.Lines.Where(l => l["mo_sent"] is not null).Select(l => l["mo_sent"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_user_disabled_by_an_operator_against_node_a_has_its_next_email_refused_by_node_b()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        using var a = new GatewayProcess { PostgresConnection = database };
        using var b = new GatewayProcess { PostgresConnection = database };
        a.Serve();
        b.Serve();
        Assert.Equal(0, a.Run("user", "add", "DEMO0001", "ops@example.org").ExitCode);
        using var client = await b.ConnectAsync();
        Assert.StartsWith("2.0.0 Accepted: 1 SMS queued", await client.SendAsync(From("ops@example.org", 1)), StringComparison.Ordinal);

        Assert.Equal(0, a.Run("user", "set", "DEMO0001", "ops@example.org", "--disabled", "true").ExitCode);
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(From("ops@example.org", 2)));
        Assert.Equal((550, "5.7.1 ops@example.org is not registered to send SMS through this gateway: ask the gateway's operator to add it to your account."),
            ((int)refused.StatusCode, refused.Message));
    }

    // Waits as Waits.UntilAsync does; a failure quotes what each node logged last, which says what became of the wait's subject.
    private static async Task UntilAsync(Func<bool> condition, string what, GatewayProcess[] nodes)
    {
        try
        {
            await Waits.UntilAsync(condition, what);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n{string.Join('\n', nodes.Select((n, i) => $"node {i} logged last:\n{Last(n.Output, 40)}"))}");
        }

        static string Last(List<string> output, int lines)
        {
            lock (output)
            {
                return string.Join('\n', output.TakeLast(lines));
            }
        }
    }

    // Starts the node and waits for its bind at the SMSC; returns its process and the SMSC's number for that bind.
    private static async Task<(Process Serve, int Bind)> ServeAsync(GatewayProcess node, NodeSmsc smsc)
    {
        var before = LiveBinds(smsc);
        var serve = node.Serve();
        await Waits.UntilAsync(() => LiveBinds(smsc).Except(before).Any(), "the node's bind at the SMSC");
        return (serve, LiveBinds(smsc).Except(before).Single());
    }

    private static List<int> LiveBinds(NodeSmsc smsc)
    {
        var closed = smsc.Lines.Where(l => l["closed"] is not null).Select(l => l["closed"]!.GetValue<int>()).ToHashSet();
        return [.. smsc.Lines.Where(l => l["bound"] is not null).Select(l => l["bound"]!.GetValue<int>()).Where(b => !closed.Contains(b))];
    }

    private static List<string> SubmittedTexts(NodeSmsc smsc) => [.. smsc.Submits().Select(s => s["message_text"]!.GetValue<string>())];

    private static List<int> DeliveredAlerts(string messages) =>
        [.. AlertNumber().Matches(messages).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@" delivered +1xGsm7 Alert (\d+) ")]
    private static partial Regex AlertNumber();

    // A message from the mobile 0412345678 to the gateway's number on one bind; with a UDH (hex) when given.
    private static string Mo(int bind, string udh, string text) =>
        new JsonObject
        {
            ["mo"] = new JsonObject
            {
                ["source_addr_ton"] = 1,
                ["source_addr_npi"] = 1,
                ["source_addr"] = "61412345678",
                ["dest_addr_ton"] = 1,
                ["dest_addr_npi"] = 1,
                ["destination_addr"] = SourceNumber,
                ["esm_class"] = udh.Length > 0 ? 0x40 : 0,
                ["short_message_hex"] = udh + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(text)),
            },
            ["bind"] = bind,
        }.ToJsonString();

    private static string Text(MimeMessage message) => message.TextBody ?? string.Empty;

    private static List<MimeMessage> Replies(SmtpSink sink) => [.. sink.Received.Select(m => m.Message).Where(m => m.Subject?.StartsWith("Re: ", StringComparison.Ordinal) == true)];

    private static MimeMessage From(string sender, int n)
    {
        var message = GatewayProcess.Email(n);
        message.From.Clear();
        message.From.Add(MailboxAddress.Parse(sender));
        return message;
    }
}

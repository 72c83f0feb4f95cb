using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Gateway.Tests.Smtp;

/// <summary>
/// A load driver: idle connections from many loopback addresses past <c>Smtp:MaxConnections</c>, as a
/// flood on the internet holds them. Bounded: at most 260 connections at first and 150 more while the
/// flood holds, for at most 30 seconds. It runs alone, so the refusals it counts are its own.
/// </summary>
[CollectionDefinition(nameof(ConnectionFloodTests), DisableParallelization = true)]
[Collection(nameof(ConnectionFloodTests))]
public sealed class ConnectionFloodTests
{
    private const int Cap = 200;
    private const string AtCap = "421 4.3.2 The gateway is at its limit of 200 connections: try again in a few minutes.";

    private sealed record FloodConnection(Socket Socket, StreamReader Reader);

    // A connection from 127.0.0.<host>, and the first line the gateway said; null when it said nothing within 30 s.
    private static async Task<(FloodConnection Connection, string? Greeting)> ConnectFromAsync(int host, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{host}"), 0));
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var reader = new StreamReader(new NetworkStream(socket, ownsSocket: true), Encoding.ASCII);
        string? greeting;
        try
        {
            greeting = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            greeting = null;
        }

        return (new FloodConnection(socket, reader), greeting);
    }

    // A sending server: connect, and on 421 try again a second later; the reply to the email's data, and the tries it took.
    private static async Task<(string Reply, int Tries)> SendEmailAsync(int port, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        for (var tries = 1; ; tries++)
        {
            var (connection, greeting) = await ConnectFromAsync(1, port);
            using (connection.Reader)
            {
                if (greeting == "220 mail2sms ESMTP ready")
                {
                    var stream = connection.Reader.BaseStream;
                    await stream.WriteAsync("EHLO mx.example.com\r\nMAIL FROM:<ops@example.com>\r\nRCPT TO:<0412345678@sms.localhost>\r\nDATA\r\n"u8.ToArray());
                    while (await connection.Reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line && !line.StartsWith("354", StringComparison.Ordinal))
                    {
                        Assert.StartsWith("250", line, StringComparison.Ordinal);
                    }

                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"From: ops@example.com\r\nSubject: Alert\r\nMessage-ID: <{Guid.NewGuid()}@example.com>\r\n\r\nDisk full\r\n.\r\nQUIT\r\n"));
                    return (await connection.Reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? "<closed>", tries);
                }

                Assert.Equal(AtCap, greeting);
            }

            Assert.True(DateTime.UtcNow < deadline, $"no place for an ordinary email within {within.TotalSeconds} s ({tries} tries)");
            await Task.Delay(TimeSpan.FromSeconds(1)); // a sending server's retry, shortened
        }
    }

    [Fact]
    public async Task A_flood_past_max_connections_is_refused_421_4_3_2_shed_in_stress_mode_and_an_ordinary_email_gets_through()
    {
        await using var gateway = new RunningGateway(o => o with { MaxConnections = Cap });
        await gateway.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 100);
        await gateway.Accounts.AllowIpAsync("CI00000001", "127.0.0.1");
        await gateway.Accounts.AddUserAsync("CI00000001", "ops@example.com", null);
        var refusedBefore = GatewayMetrics.SmtpRefusals(SmtpRefusal.MaxConnections);
        var held = new ConcurrentBag<FloodConnection>();
        var firstLines = new ConcurrentBag<string?>();
        try
        {
            // 260 idle connections from 40 addresses (under the per-IP cap each), 20 at a time.
            for (var batch = 0; batch < 13; batch++)
            {
                await Task.WhenAll(Enumerable.Range(batch * 20, 20).Select(async i =>
                {
                    var (connection, greeting) = await ConnectFromAsync(10 + (i % 40), gateway.Port);
                    firstLines.Add(greeting);
                    held.Add(connection);
                }));
            }

            Assert.Equal(Cap, firstLines.Count(l => l == "220 mail2sms ESMTP ready"));
            Assert.Equal(260 - Cap, firstLines.Count(l => l == AtCap));

            // The flood holds: a new idle connection every 100 ms while the ordinary email tries.
            using var stopFlood = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var flooding = Task.Run(async () =>
            {
                for (var i = 0; i < 150 && !stopFlood.IsCancellationRequested; i++)
                {
                    var (connection, greeting) = await ConnectFromAsync(10 + (i % 40), gateway.Port);
                    firstLines.Add(greeting);
                    held.Add(connection);
                    await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None); // the flood's pace, as a load driver sets it
                }
            });

            var (reply, tries) = await SendEmailAsync(gateway.Port, TimeSpan.FromSeconds(30));
            Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit.", reply);
            await stopFlood.CancelAsync();
            await flooding;

            // Every connection was answered, 220 or 421, none left hanging; the idle ones were shed at the stress mode's 10 s.
            Assert.All(firstLines, l => Assert.True(l is "220 mail2sms ESMTP ready" or AtCap, $"first line: {l ?? "<none within 30 s>"}"));
            // Each 421 4.3.2 counted once: the flood's and the email's tries before the one that got through.
            Assert.Equal(refusedBefore + firstLines.Count(l => l == AtCap) + tries - 1, GatewayMetrics.SmtpRefusals(SmtpRefusal.MaxConnections));
            var nextLines = held.Select(c => c.Reader.ReadLineAsync()).ToList();
            await Waits.UntilAsync(() => nextLines.Any(l => l.IsCompletedSuccessfully && l.Result == "421 4.4.2 Nothing arrived for 10 seconds: closing the connection."),
                "an idle connection shed in stress mode");
        }
        finally
        {
            foreach (var connection in held)
            {
                connection.Reader.Dispose();
            }
        }

        // After the flood, at once: the first try goes through.
        await Waits.UntilAsync(() => gateway.Gateway.OpenConnections == 0, "the flood's connections closed at the gateway");
        Assert.Equal(("250 2.0.0 Accepted: 1 SMS queued for 1 credit.", 1), await SendEmailAsync(gateway.Port, TimeSpan.Zero));
    }
}

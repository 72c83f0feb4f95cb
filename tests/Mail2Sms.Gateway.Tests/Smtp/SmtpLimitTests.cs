using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Mail2Sms.Gateway.Tests.Smtp;

/// <summary>The limits of issue 11 at the SMTP edge, each pushed past over a real socket, with the exact reply and, where memory is the point, a bound on it.</summary>
// Two tests bound the process's working set, so the class runs alone: other tests' allocations would count too.
[CollectionDefinition(nameof(SmtpLimitTests), DisableParallelization = true)]
[Collection(nameof(SmtpLimitTests))]
public sealed class SmtpLimitTests
{
    private const string LineTooLong = "500 5.5.2 The line is longer than 512 octets, the most this gateway reads (RFC 5321 4.5.3.1): it was ignored.";

    // A raw connection past its greeting, for sending what no well-behaved client would.
    private static async Task<(TcpClient Client, NetworkStream Stream, StreamReader Reader)> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.Equal("220 mail2sms ESMTP ready", await LineAsync(reader));
        return (client, stream, reader);
    }

    private static async Task<string> LineAsync(StreamReader reader) =>
        await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? "<closed>";

    private static async Task WriteAsync(Stream stream, byte[] chunk, long total)
    {
        for (long sent = 0; sent < total; sent += chunk.Length)
        {
            await stream.WriteAsync(chunk);
        }
    }

    [Fact]
    public async Task An_endless_command_line_is_refused_500_5_5_2_once_and_the_session_goes_on_after_its_lf()
    {
        await using var gateway = new RunningGateway();
        var refusedBefore = GatewayMetrics.SmtpRefusals(SmtpRefusal.LineTooLong);
        var (client, stream, reader) = await ConnectAsync(gateway.Port);
        using (client)
        {
            await stream.WriteAsync("EHLO "u8.ToArray());
            var sending = WriteAsync(stream, new byte[64 * 1024].Select(_ => (byte)'x').ToArray(), 10 * 1024 * 1024);
            Assert.Equal(LineTooLong, await LineAsync(reader));
            await sending;
            await stream.WriteAsync("\r\nNOOP\r\nQUIT\r\n"u8.ToArray());
            Assert.Equal("250 2.0.0 Ok", await LineAsync(reader));
            Assert.Equal("221 2.0.0 Bye", await LineAsync(reader));
        }

        Assert.Equal(refusedBefore + 1, GatewayMetrics.SmtpRefusals(SmtpRefusal.LineTooLong));
    }

    [Fact]
    public async Task Two_hundred_megabytes_without_crlf_over_four_connections_are_never_buffered()
    {
        await using var gateway = new RunningGateway();
        var chunk = Enumerable.Repeat((byte)'x', 256 * 1024).ToArray();
        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        long peak = before;
        var replies = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            var (client, stream, reader) = await ConnectAsync(gateway.Port);
            using (client)
            {
                await stream.WriteAsync("EHLO "u8.ToArray());
                var first = LineAsync(reader);
                for (var sent = 0L; sent < 50L * 1024 * 1024; sent += chunk.Length)
                {
                    await stream.WriteAsync(chunk);
                    if (sent % (8 * 1024 * 1024) == 0)
                    {
                        var now = Process.GetCurrentProcess().WorkingSet64;
                        InterlockedMax(ref peak, now);
                    }
                }

                await stream.WriteAsync("\r\nQUIT\r\n"u8.ToArray());
                return (await first, await LineAsync(reader));
            }
        }));

        Assert.All(replies, r => Assert.Equal((LineTooLong, "221 2.0.0 Bye"), r));
        // 200 MB went in; the gateway kept at most a line's cap and the transport's buffers of each connection.
        Assert.True(peak - before < 64L * 1024 * 1024, $"working set grew by {(peak - before) / (1024 * 1024)} MB");
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Fact]
    public async Task An_auth_line_may_be_longer_than_a_command_but_not_past_12288_octets()
    {
        await using var gateway = new RunningGateway();
        await using var smtp = await SmtpDialog.OpenAsync(gateway.Port);
        await smtp.SendAsync("EHLO client.example");
        await smtp.StartTlsAsync(gateway.Gateway.Options.Certificate!);
        await smtp.SendAsync("EHLO client.example");
        // 2,000 octets of base64: past a command's cap, within AUTH's. Not credentials of anyone: refused, not cut.
        Assert.Equal("535 5.7.8 Authentication failed: check the user and password.",
            await smtp.SendAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0nobody@example.com\0" + new string('p', 1500)))));
        Assert.Equal("500 5.5.2 The line is longer than 12,288 octets, the most this gateway reads (RFC 5321 4.5.3.1): it was ignored.",
            await smtp.SendAsync("AUTH PLAIN " + new string('A', 20_000)));
        Assert.Equal("250 2.0.0 Ok", await smtp.SendAsync("NOOP"));
    }

    [Fact]
    public async Task A_drip_feed_is_cut_when_the_session_outlives_max_session_seconds()
    {
        await using var gateway = new RunningGateway(o => o with { MaxSession = TimeSpan.FromSeconds(3), CommandTimeout = TimeSpan.FromSeconds(2) });
        var (client, stream, reader) = await ConnectAsync(gateway.Port);
        using (client)
        {
            // A byte a second: no read ever waits for the 2 s command timeout.
            var said = LineAsync(reader);
            var dripping = Task.Run(async () =>
            {
                try
                {
                    for (var i = 0; i < 60 && !said.IsCompleted; i++)
                    {
                        await stream.WriteAsync("X"u8.ToArray());
                        await Task.Delay(TimeSpan.FromSeconds(1));
                    }
                }
                catch (IOException)
                {
                    // cut off, as it should be
                }
            });
            Assert.Equal("421 4.4.2 The session has lasted 3 seconds, the most this gateway allows: closing the connection.", await said);
            Assert.Equal("<closed>", await LineAsync(reader));
            await dripping;
        }
    }

    [Fact]
    public async Task A_huge_header_section_is_refused_552_5_3_4_before_any_parsing_and_is_never_buffered()
    {
        await using var gateway = new RunningGateway(o => o with { MaxMessageBytes = 100 * 1024 * 1024 });
        await gateway.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 100);
        await gateway.Accounts.AllowIpAsync("CI00000001", "127.0.0.1");
        await gateway.Accounts.AddUserAsync("CI00000001", "ops@example.com", null);
        var (client, stream, reader) = await ConnectAsync(gateway.Port);
        using (client)
        {
            await stream.WriteAsync("EHLO client.example\r\nMAIL FROM:<ops@example.com>\r\nRCPT TO:<0412345678@sms.localhost>\r\nDATA\r\n"u8.ToArray());
            while (await LineAsync(reader) is var line && !line.StartsWith("354", StringComparison.Ordinal))
            {
                Assert.StartsWith("250", line, StringComparison.Ordinal);
            }

            GC.Collect();
            var before = Process.GetCurrentProcess().WorkingSet64;
            // An 80 MB folded Subject: one header, many lines, and no blank line before the data's end.
            await stream.WriteAsync("From: ops@example.com\r\nSubject: start\r\n"u8.ToArray());
            await WriteAsync(stream, Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(" folded subject text that goes on and on and on and on and on\r\n", 4096))), 80L * 1024 * 1024);
            await stream.WriteAsync("\r\nbody\r\n.\r\n"u8.ToArray());
            Assert.Equal("552 5.3.4 The email's header section is larger than this gateway reads (262,144 bytes): send it with fewer or shorter header lines.",
                await LineAsync(reader));
            Assert.True(Process.GetCurrentProcess().WorkingSet64 - before < 64L * 1024 * 1024, "the header section was buffered");
            Assert.Equal("<closed>", await LineAsync(reader));
        }

        Assert.Empty(await gateway.Dashboard.ListSmsAsync(null, null, 10));
    }

    [Fact]
    public async Task Commands_out_of_sequence_and_auth_get_their_exact_codes()
    {
        await using var gateway = new RunningGateway();
        await gateway.Accounts.AddAccountAsync("CI00000002", "AU", null, false, 10);
        await gateway.Accounts.AddUserAsync("CI00000002", "relay@hosted.example", "r3lay");
        await using var smtp = await SmtpDialog.OpenAsync(gateway.Port);
        Assert.Equal("503 5.5.1 Bad sequence of commands: send EHLO or HELO first.", await smtp.SendAsync("MAIL FROM:<a@example.com>"));
        Assert.Equal("250 mail2sms", await smtp.SendAsync("HELO client.example"));
        Assert.Equal("530 5.7.0 Must issue a STARTTLS command first: SMTP AUTH is offered only over TLS.", await smtp.SendAsync("AUTH PLAIN AGZvbwBiYXI="));
        Assert.Equal("503 5.5.1 Bad sequence of commands: send MAIL FROM first.", await smtp.SendAsync("DATA"));
        Assert.Equal("250 2.0.0 Ok", await smtp.SendAsync("MAIL FROM:<a@example.com>"));
        Assert.StartsWith("550 5.7.1 Relaying", await smtp.SendAsync("RCPT TO:<b@example.org>"), StringComparison.Ordinal);
        Assert.Equal("503 5.5.1 Bad sequence of commands: no recipient was accepted; send RCPT TO first.", await smtp.SendAsync("DATA"));
        Assert.Equal("501 5.5.2 Syntax error: send RCPT TO:<address>.", await smtp.SendAsync("RCPT TO:0412345678@sms.localhost>"));
        Assert.Equal("252 2.5.0 Mailboxes are not verified here: send the email and the gateway will answer for each recipient.", await smtp.SendAsync("VRFY postmaster"));
        Assert.Equal("250 2.0.0 Ok", await smtp.SendAsync("RSET"));

        await smtp.SendAsync("EHLO client.example");
        await smtp.StartTlsAsync(gateway.Gateway.Options.Certificate!);
        var ehlo = await smtp.SendAsync("EHLO client.example");
        Assert.Equal("250-mail2sms\n250-PIPELINING\n250-8BITMIME\n250-ENHANCEDSTATUSCODES\n250-AUTH PLAIN LOGIN\n250 SIZE 10485760", ehlo);
        Assert.Equal("504 5.5.4 Unrecognized authentication mechanism: use PLAIN or LOGIN.", await smtp.SendAsync("AUTH CRAM-MD5"));
        Assert.Equal("501 5.5.2 The AUTH data is not valid base64 of what the mechanism asks for.", await smtp.SendAsync("AUTH PLAIN !!!not-base64"));
        Assert.Equal("535 5.7.8 Authentication failed: check the user and password.", await smtp.SendAsync("AUTH PLAIN " + Base64("\0relay@hosted.example\0wrong")));
        Assert.Equal("334 ", await smtp.SendAsync("AUTH PLAIN"));
        Assert.Equal("501 5.0.0 Authentication cancelled.", await smtp.SendAsync("*"));
        Assert.Equal("334 VXNlcm5hbWU6", await smtp.SendAsync("AUTH LOGIN"));
        Assert.Equal("334 UGFzc3dvcmQ6", await smtp.SendAsync(Base64("relay@hosted.example")));
        Assert.Equal("235 2.7.0 Authentication successful.", await smtp.SendAsync(Base64("r3lay")));
        Assert.Equal("503 5.5.1 Bad sequence of commands: already authenticated.", await smtp.SendAsync("AUTH PLAIN " + Base64("\0relay@hosted.example\0r3lay")));
    }

    [Fact]
    public async Task Auth_after_starttls_waits_for_a_new_ehlo_503_5_5_1()
    {
        await using var gateway = new RunningGateway();
        await gateway.Accounts.AddAccountAsync("CI00000002", "AU", null, false, 10);
        await gateway.Accounts.AddUserAsync("CI00000002", "relay@hosted.example", "r3lay");
        await using var smtp = await SmtpDialog.OpenAsync(gateway.Port);
        await smtp.SendAsync("EHLO client.example");
        await smtp.StartTlsAsync(gateway.Gateway.Options.Certificate!);
        // RFC 4954 4: what was said before TLS is forgotten, the EHLO included.
        Assert.Equal("503 5.5.1 Bad sequence of commands: send EHLO or HELO first.", await smtp.SendAsync("AUTH PLAIN " + Base64("\0relay@hosted.example\0r3lay")));
        await smtp.SendAsync("EHLO client.example");
        Assert.Equal("235 2.7.0 Authentication successful.", await smtp.SendAsync("AUTH PLAIN " + Base64("\0relay@hosted.example\0r3lay")));
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Postmaster_without_a_domain_is_the_postmaster_and_its_mail_is_forwarded()
    {
        await using var gateway = new RunningGateway();
        await using var smtp = await SmtpDialog.OpenAsync(gateway.Port);
        await smtp.SendAsync("EHLO client.example");
        await smtp.SendAsync("MAIL FROM:<someone@example.org>");
        Assert.Equal("250 2.0.0 Ok", await smtp.SendAsync("RCPT TO:<postmaster>"));
        Assert.StartsWith("354", await smtp.SendAsync("DATA"), StringComparison.Ordinal);
        Assert.Equal("250 2.0.0 Delivered to the postmaster.", await smtp.SendAsync("From: someone@example.org\r\nSubject: Your gateway\r\n\r\n..a stuffed line\r\n."));
        var queued = Assert.Single(await gateway.Outbox.QueuedAsync(10));
        Assert.Equal(("postmaster", "someone@example.org", "operator@example.net"), (queued.Kind, queued.MailFrom, queued.RcptTo));
        Assert.Contains(".a stuffed line", MimeKit.MimeMessage.Load(new MemoryStream(queued.Message)).TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_number_is_checked_at_rcpt_to_for_a_pattern_sender_allowed_from_the_clients_address_of_one_account()
    {
        await using var gateway = new RunningGateway();
        await gateway.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 100);
        await gateway.Accounts.AllowIpAsync("CI00000001", "127.0.0.1");
        await gateway.Accounts.AddUserAsync("CI00000001", "*@monitor.example.com", null);
        await gateway.Accounts.AddAccountAsync("CI00000002", "AU", null, false, 100);
        await gateway.Accounts.AllowIpAsync("CI00000002", "192.0.2.0/24");
        await gateway.Accounts.AddUserAsync("CI00000002", "*@elsewhere.example.com", null);
        await using var smtp = await SmtpDialog.OpenAsync(gateway.Port);
        await smtp.SendAsync("EHLO client.example");
        await smtp.SendAsync("MAIL FROM:<nagios@monitor.example.com>");
        Assert.Equal("550 5.1.1 '0298765432' is a fixed-line number of AU, not a mobile number.", await smtp.SendAsync("RCPT TO:<0298765432@sms.localhost>"));
        await smtp.SendAsync("RSET");

        // The pattern's account does not allow this client's address: the number waits for DATA, as for a stranger.
        await smtp.SendAsync("MAIL FROM:<nagios@elsewhere.example.com>");
        Assert.Equal("250 2.0.0 Ok", await smtp.SendAsync("RCPT TO:<0298765432@sms.localhost>"));
    }
}

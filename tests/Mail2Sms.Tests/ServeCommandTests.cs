using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MimeKit;

namespace Mail2Sms.Tests;

/// <summary><c>mail2sms serve</c> as a real process: email in over SMTP, SMS in the store, and nothing acknowledged ever lost.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mail2sms-serve-").FullName;
    private readonly int _port = FreePort();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private List<string> Output { get; } = [];

    private string Outbox => Path.Combine(_folder, "outbox");

    private string[] Settings =>
        [$"--Database:ConnectionString=Data Source={Path.Combine(_folder, "mail2sms.db")}", $"--Smtp:Port={_port}", $"--Mail:PickupDirectory={Outbox}"];

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private Process Serve()
    {
        // Its own working folder, where the embedded default keeps its self-signed certificate (data/smtp.pfx).
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = _folder };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "mail2sms.dll"), "serve", "--demo" }.Concat(Settings))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            lock (Output)
            {
                Output.Add(e.Data ?? string.Empty);
            }

            if (e.Data?.StartsWith("then see it queued", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (Output)
            {
                Output.Add($"stderr: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Assert.True(ready.Task.Wait(TimeSpan.FromSeconds(60)), "serve did not say it was listening");
        return process;
    }

    private static MimeMessage Email(int n)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Monitor", "nagios@example.com"));
        message.To.Add(new MailboxAddress(string.Empty, "0412345678@sms.localhost"));
        message.Subject = $"Alert {n}";
        message.MessageId = $"alert-{n}@example.com";
        message.Body = new TextPart("plain") { Text = "Server 23 is offline." };
        return message;
    }

    [Fact]
    public async Task Serve_demo_accepts_an_email_and_messages_shows_its_sms_delivered_by_the_built_in_smsc()
    {
        using var serve = Serve();
        try
        {
            using var client = new SmtpClient();
            await client.ConnectAsync("127.0.0.1", _port, MailKit.Security.SecureSocketOptions.None);
            Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credits.", await client.SendAsync(Email(1)));
            await client.DisconnectAsync(quit: true);

            // Submitted to the simulator, its receipt back: delivered, as `mail2sms messages` shows.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string output;
            do
            {
                await Task.Delay(100);
                (_, output) = Cli.Run(["messages", .. Settings]);
            }
            while (!output.Contains(" delivered ", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

            Assert.Matches(@"DEMO0001\s+61412345678\s+delivered\s+1xGsm7 Alert 1 Server 23 is offline\.", output);

            // The demo's mobile answers: its reply arrives as an email, threaded under the alert.
            while (!(Directory.Exists(Outbox) && Directory.GetFiles(Outbox, "*-reply.eml").Length > 0) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            var reply = await MimeMessage.LoadAsync(Assert.Single(Directory.GetFiles(Outbox, "*-reply.eml")));
            Assert.Equal(("61412345678@sms.localhost", "Re: Alert 1", "alert-1@example.com"), (reply.From.Mailboxes.Single().Address, reply.Subject, reply.InReplyTo));
            Assert.StartsWith("OK, on my way.", reply.TextBody, StringComparison.Ordinal);

            // Answering the reply email sends its new text back to the mobile as an SMS.
            var answer = new MimeMessage();
            answer.From.Add(new MailboxAddress("Monitor", "nagios@example.com"));
            answer.To.Add(reply.From.Mailboxes.Single());
            answer.Subject = "Re: " + reply.Subject;
            answer.InReplyTo = reply.MessageId;
            answer.References.Add(reply.MessageId!);
            answer.Body = new TextPart("plain") { Text = "Thanks, call me when it is back.\n\n> OK, on my way.\n" };
            await client.ConnectAsync("127.0.0.1", _port, MailKit.Security.SecureSocketOptions.None);
            Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credits.", await client.SendAsync(answer));
            await client.DisconnectAsync(quit: true);
            do
            {
                await Task.Delay(100);
                (_, output) = Cli.Run(["messages", .. Settings]);
            }
            while (!output.Contains("Thanks, call me", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

            Assert.Matches(@"DEMO0001\s+61412345678\s+\w+\s+1xGsm7 Thanks, call me when it is back\.", output);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Every_acknowledged_email_survives_kill_9_in_the_middle_of_a_stream()
    {
        var serve = Serve();
        var acknowledged = new List<int>();
        var count = 0;
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", _port, MailKit.Security.SecureSocketOptions.None);
        var killer = Task.Run(async () =>
        {
            while (Volatile.Read(ref count) < 40)
            {
                await Task.Delay(5);
            }

            serve.Kill(entireProcessTree: true); // SIGKILL: no chance to flush anything
        });
        for (var n = 0; n < 1000; n++)
        {
            try
            {
                await client.SendAsync(Email(n));
                acknowledged.Add(n);
                Interlocked.Increment(ref count);
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or SmtpCommandException or SocketException or MailKit.ServiceNotConnectedException)
            {
                break;
            }
        }

        await killer;
        await serve.WaitForExitAsync();
        serve.Dispose();
        Assert.InRange(acknowledged.Count, 40, 999);

        var (exitCode, output) = Cli.Run(["messages", "--limit", "1000", .. Settings]);
        Assert.Equal(0, exitCode);
        Assert.All(acknowledged, n => Assert.Contains($"Alert {n} Server 23 is offline.", output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_partly_failed_email_is_reported_by_a_mail_written_to_the_pickup_folder()
    {
        using var serve = Serve();
        try
        {
            var message = Email(7);
            message.To.Clear();
            message.To.Add(new MailboxAddress(string.Empty, "smsmail@sms.localhost"));
            message.Body = new TextPart("plain") { Text = "X-Cellphone: 0412345678\nX-Cellphone: 0298765432\n\nServer 23 is offline." };
            using var client = new SmtpClient();
            await client.ConnectAsync("127.0.0.1", _port, MailKit.Security.SecureSocketOptions.None);
            Assert.EndsWith("1 failed and will be reported to nagios@example.com.", await client.SendAsync(message), StringComparison.Ordinal);
            await client.DisconnectAsync(quit: true);

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!(Directory.Exists(Outbox) && Directory.GetFiles(Outbox, "*-report.eml").Length > 0) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            var report = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(Outbox, "*-report.eml")));
            Assert.Contains("X-Receiver: <nagios@example.com>", report, StringComparison.Ordinal);
            Assert.Contains("0298765432: '0298765432' is a fixed-line number of AU, not a mobile number.", report, StringComparison.Ordinal);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task An_alert_is_answered_while_a_bulk_email_sent_before_it_is_still_being_decided()
    {
        using var serve = Serve();
        try
        {
            using var client = new SmtpClient();
            await client.ConnectAsync("127.0.0.1", _port, MailKit.Security.SecureSocketOptions.None);
            await client.SendAsync(Email(1)); // the first email through a new process is slow for reasons of its own

            // A 100,000-row CSV over a raw socket: everything up to the final dot is sent, and the gateway
            // takes a second or more to read and decide it.
            using var bulk = new TcpClient();
            await bulk.ConnectAsync(IPAddress.Loopback, _port);
            var stream = bulk.GetStream();
            using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
            using var writer = new StreamWriter(stream, System.Text.Encoding.ASCII) { NewLine = "\r\n" };
            async Task<string> Reply()
            {
                string line;
                do
                {
                    line = await reader.ReadLineAsync() ?? throw new IOException("the gateway closed the connection");
                }
                while (line.Length > 3 && line[3] == '-');
                return line;
            }

            await Reply();
            foreach (var command in new[] { "EHLO bulk.example.com", "MAIL FROM:<ops@example.com>", "RCPT TO:<bulksms@sms.localhost>", "DATA" })
            {
                await writer.WriteLineAsync(command);
                await writer.FlushAsync();
                await Reply();
            }

            await writer.WriteAsync(
                "From: ops@example.com\r\nTo: bulksms@sms.localhost\r\nSubject: bulk\r\nMessage-ID: <bulk@example.com>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbulk send\r\n"
                + "--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=DEMO0001261125120000.csv\r\n\r\nNumber,Message\r\n");
            for (var row = 0; row < 100_000; row++)
            {
                await writer.WriteAsync($"0412{345000 + (row % 600):D6},Your order {row} has shipped.\r\n");
            }

            await writer.WriteAsync("--b--\r\n.\r\n");
            await writer.FlushAsync();
            var bulkReply = Reply();

            // Sent now, answered now: reading and deciding the bulk email must not hold up any other session.
            // Each alert on a new connection: the gateway spreads connections over one socket thread per
            // processor, so one more connection than processors shares a thread with the bulk email's.
            var alerts = Environment.ProcessorCount + 1;
            for (var n = 2; n < 2 + alerts; n++)
            {
                using var alert = new SmtpClient();
                await alert.ConnectAsync("127.0.0.1", _port, MailKit.Security.SecureSocketOptions.None);
                Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credits.", await alert.SendAsync(Email(n)));
                await alert.DisconnectAsync(quit: true);
            }

            Assert.False(bulkReply.IsCompleted, "an alert waited for the bulk email to be decided");
            Assert.StartsWith($"550 5.7.1 This email needs 100000 credits but the account has {1000 - 1 - alerts}", await bulkReply, StringComparison.Ordinal);
            await client.DisconnectAsync(quit: true);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Sigterm_stops_serve_cleanly_with_exit_code_0()
    {
        using var serve = Serve();
        using (var kill = Process.Start("kill", ["-TERM", serve.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await serve.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        lock (Output)
        {
            Assert.True(serve.ExitCode == 0, $"exit code {serve.ExitCode}:\n{string.Join('\n', Output)}");
            Assert.Contains("mail2sms stopped.", Output);
        }
    }
}

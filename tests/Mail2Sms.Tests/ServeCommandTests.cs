using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Mail2Sms.Tests.Shared;
using MailKit.Net.Smtp;
using MimeKit;

namespace Mail2Sms.Tests;

/// <summary><c>mail2sms serve</c> as a real process: email in over SMTP, SMS in the store, and nothing acknowledged ever lost.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly GatewayProcess _gateway = new();

    public void Dispose() => _gateway.Dispose();

    [Fact]
    public async Task Serve_demo_accepts_an_email_and_messages_shows_its_sms_delivered_by_the_built_in_smsc()
    {
        _gateway.Serve();
        using var client = await _gateway.ConnectAsync();
        Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credit.", await client.SendAsync(GatewayProcess.Email(1)));
        await client.DisconnectAsync(quit: true);

        // Submitted to the simulator, its receipt back: delivered, as `mail2sms messages` shows.
        var output = await _gateway.MessagesUntilAsync(o => o.Contains(" delivered ", StringComparison.Ordinal), "the SMS delivered");
        Assert.Matches(@"DEMO0001\s+61412345678\s+delivered\s+1xGsm7 Alert 1 Server 23 is offline\.", output);

        // The demo's mobile answers: its reply arrives as an email, threaded under the alert.
        var outbox = _gateway.Outbox;
        await Waits.UntilAsync(() => Directory.Exists(outbox) && Directory.GetFiles(outbox, "*-reply.eml").Length > 0, "the reply email in the pickup folder");
        var reply = await MimeMessage.LoadAsync(Assert.Single(Directory.GetFiles(outbox, "*-reply.eml")));
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
        using var again = await _gateway.ConnectAsync();
        Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credit.", await again.SendAsync(answer));
        await again.DisconnectAsync(quit: true);
        output = await _gateway.MessagesUntilAsync(o => o.Contains("Thanks, call me", StringComparison.Ordinal), "the answer queued as an SMS");
        Assert.Matches(@"DEMO0001\s+61412345678\s+\w+\s+1xGsm7 Thanks, call me when it is back\.", output);
    }

    [Fact]
    public async Task Every_acknowledged_email_survives_kill_9_in_the_middle_of_a_stream()
    {
        var serve = _gateway.Serve();
        var acknowledged = new List<int>();
        var fortyAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = await _gateway.ConnectAsync();
        var killer = Task.Run(async () =>
        {
            await fortyAcknowledged.Task;
            serve.Kill(entireProcessTree: true); // SIGKILL: no chance to flush anything
        });
        for (var n = 0; n < 1000; n++)
        {
            try
            {
                await client.SendAsync(GatewayProcess.Email(n));
                acknowledged.Add(n);
                if (acknowledged.Count == 40)
                {
                    fortyAcknowledged.SetResult();
                }
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or SmtpCommandException or SocketException or MailKit.ServiceNotConnectedException)
            {
                break;
            }
        }

        fortyAcknowledged.TrySetResult(); // the stream ended before 40: the range check below says so
        await killer;
        await serve.WaitForExitAsync();
        Assert.InRange(acknowledged.Count, 40, 999);

        var (exitCode, output) = _gateway.Run("messages", "--limit", "1000");
        Assert.Equal(0, exitCode);
        Assert.All(acknowledged, n => Assert.Contains($"Alert {n} Server 23 is offline.", output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_partly_failed_email_is_reported_by_a_mail_written_to_the_pickup_folder()
    {
        _gateway.Serve();
        var message = GatewayProcess.Email(7);
        message.To.Clear();
        message.To.Add(new MailboxAddress(string.Empty, "smsmail@sms.localhost"));
        message.Body = new TextPart("plain") { Text = "X-Cellphone: 0412345678\nX-Cellphone: 0298765432\n\nServer 23 is offline." };
        using var client = await _gateway.ConnectAsync();
        Assert.EndsWith("1 failed and will be reported to nagios@example.com.", await client.SendAsync(message), StringComparison.Ordinal);
        await client.DisconnectAsync(quit: true);

        var outbox = _gateway.Outbox;
        await Waits.UntilAsync(() => Directory.Exists(outbox) && Directory.GetFiles(outbox, "*-report.eml").Length > 0, "the report in the pickup folder");
        var report = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(outbox, "*-report.eml")));
        Assert.Contains("X-Receiver: <nagios@example.com>", report, StringComparison.Ordinal);
        Assert.Contains("0298765432: '0298765432' is a fixed-line number of AU, not a mobile number.", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_alert_is_answered_while_a_bulk_email_sent_before_it_is_still_being_decided()
    {
        _gateway.Serve();
        using var client = await _gateway.ConnectAsync();
        await client.SendAsync(GatewayProcess.Email(1)); // the first email through a new process is slow for reasons of its own

        // A 100,000-row CSV over a raw socket: everything up to the final dot is sent, and the gateway
        // takes a second or more to read and decide it.
        using var bulk = new TcpClient();
        await bulk.ConnectAsync(IPAddress.Loopback, _gateway.Port);
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
            using var alert = await _gateway.ConnectAsync();
            Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credit.", await alert.SendAsync(GatewayProcess.Email(n)));
            await alert.DisconnectAsync(quit: true);
        }

        Assert.False(bulkReply.IsCompleted, "an alert waited for the bulk email to be decided");
        Assert.StartsWith($"550 5.7.1 This email needs 100000 credits but the account has {1000 - 1 - alerts}", await bulkReply, StringComparison.Ordinal);
        await client.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task Sigterm_stops_serve_cleanly_with_exit_code_0()
    {
        var serve = _gateway.Serve();
        using (var kill = Process.Start("kill", ["-TERM", serve.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await serve.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        lock (_gateway.Output)
        {
            Assert.True(serve.ExitCode == 0, $"exit code {serve.ExitCode}:\n{string.Join('\n', _gateway.Output)}");
            Assert.Contains("mail2sms stopped.", _gateway.Output);
        }
    }

    [Fact]
    public async Task A_reply_from_the_mobile_arrives_at_the_smart_host_from_the_null_sender_threaded_under_the_alert()
    {
        await using var sink = await Gateway.Tests.Mail.SmtpSink.StartAsync();
        using var gateway = new GatewayProcess("--Mail:SmartHost=127.0.0.1", $"--Mail:SmartPort={sink.Port}", "--Mail:SmartTls=none");
        gateway.Serve();
        using (var client = await gateway.ConnectAsync())
        {
            Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credit.", await client.SendAsync(GatewayProcess.Email(3)));
            await client.DisconnectAsync(quit: true);
        }

        await Waits.UntilAsync(() => !sink.Received.IsEmpty, "the reply email at the smart host");
        var reply = Assert.Single(sink.Received);
        Assert.Equal((string.Empty, "nagios@example.com"), (reply.MailFrom, Assert.Single(reply.RcptTo)));
        var message = reply.Message;
        Assert.Equal(("61412345678@sms.localhost", "Re: Alert 3", "alert-3@example.com"), (message.From.Mailboxes.Single().Address, message.Subject, message.InReplyTo));
        Assert.Equal(("auto-generated", "All"), (message.Headers["Auto-Submitted"], message.Headers["X-Auto-Response-Suppress"]));
        Assert.StartsWith("OK, on my way.", message.TextBody, StringComparison.Ordinal);
        Assert.False(Directory.Exists(gateway.Outbox) && Directory.EnumerateFiles(gateway.Outbox).Any(), "with a smart host, nothing goes to the pickup folder");
    }

    [Fact]
    public async Task Serve_prints_where_its_readiness_is_and_it_says_ready_once_the_smsc_is_bound()
    {
        _gateway.Serve();
        var readyz = ReadyzUrl(_gateway);
        using var http = new HttpClient();
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri(readyz.Replace("/readyz", "/healthz", StringComparison.Ordinal))));
        await Waits.UntilAsync(async () => (await http.GetAsync(new Uri(readyz))).IsSuccessStatusCode, "ready: the database answers and the built-in SMSC is bound");
        Assert.Contains("\"ready\":true", await http.GetStringAsync(new Uri(readyz)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_sms_sent_through_the_api_is_delivered_by_the_built_in_smsc_and_its_reply_is_listed()
    {
        _gateway.Serve();
        var (exitCode, output) = _gateway.Run("apikey", "add", "DEMO0001", "--name", "e2e");
        Assert.Equal(0, exitCode);
        var key = output.Split('\n')[1];
        var api = ReadyzUrl(_gateway).Replace("/readyz", "/api/v1", StringComparison.Ordinal);

        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var sent = await http.PostAsJsonAsync(new Uri($"{api}/sms"), new { messages = new[] { new { to = "0412345678", text = "Server 23 is offline." } } });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, sent.StatusCode);
        var id = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messages")[0].GetProperty("id").GetInt64();

        await Waits.UntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>(new Uri($"{api}/sms/{id}"))).GetProperty("status").GetString() == "delivered",
            "the SMS delivered, as the API shows it");
        await Waits.UntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>(new Uri($"{api}/replies"))).GetArrayLength() > 0, "the demo mobile's reply listed");
        var reply = (await http.GetFromJsonAsync<JsonElement>(new Uri($"{api}/replies")))[0];
        Assert.Equal((id, "61412345678"), (reply.GetProperty("smsId").GetInt64(), reply.GetProperty("from").GetString()));
        Assert.StartsWith("OK, on my way.", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    private static string ReadyzUrl(GatewayProcess gateway)
    {
        lock (gateway.Output)
        {
            return gateway.Output.Single(l => l.StartsWith("Health and readiness: ", StringComparison.Ordinal))["Health and readiness: ".Length..];
        }
    }

    [Fact]
    public async Task Metrics_after_an_email_delivered_and_answered_show_it_accepted_its_sms_delivered_its_submit_timed_and_the_reply_emailed()
    {
        // The serve process's own counts carry its node; the store's figures carry none.
        var node = $"node=\"{Environment.MachineName}:{_gateway.Serve().Id}\"";
        var readyz = ReadyzUrl(_gateway);

        using var client = await _gateway.ConnectAsync();
        Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credit.", await client.SendAsync(GatewayProcess.Email(1)));
        await client.DisconnectAsync(quit: true);
        await _gateway.MessagesUntilAsync(o => o.Contains(" delivered ", StringComparison.Ordinal), "the SMS delivered");

        using var http = new HttpClient();
        var metrics = (await http.GetStringAsync(new Uri(readyz.Replace("/readyz", "/metrics", StringComparison.Ordinal)))).Split('\n');
        Assert.Contains($"mail2sms_emails_total{{{node},outcome=\"accepted\"}} 1", metrics);
        Assert.Contains("mail2sms_sms{status=\"delivered\"} 1", metrics);
        Assert.Contains("mail2sms_sms{status=\"queued\"} 0", metrics);
        Assert.Contains($"mail2sms_sms_parts_submitted_total{{{node}}} 1", metrics);
        var submits = metrics.Single(l => l.StartsWith($"mail2sms_submit_duration_seconds_count{{{node}}} ", StringComparison.Ordinal));
        Assert.True(long.Parse(submits.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 1, submits);

        // The demo's mobile answers; the reply, matched to the SMS, is emailed.
        await Waits.UntilAsync(async () => (await http.GetStringAsync(new Uri(readyz.Replace("/readyz", "/metrics", StringComparison.Ordinal))))
            .Contains($"\nmail2sms_replies_total{{{node},outcome=\"emailed\"}} 1\n", StringComparison.Ordinal), "the reply counted as emailed");
    }

    [Fact]
    public async Task Serve_with_json_logs_writes_the_accepted_email_and_its_submitted_sms_with_their_ids_as_properties()
    {
        using var gateway = new GatewayProcess("--Logging:Format=json");
        gateway.Serve();
        using (var client = await gateway.ConnectAsync())
        {
            Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credit.", await client.SendAsync(GatewayProcess.Email(7)));
            await client.DisconnectAsync(quit: true);
        }

        // Each log line is one JSON object on standard error; the message's properties are under State.
        List<System.Text.Json.JsonElement> Logged()
        {
            lock (gateway.Output)
            {
                return [.. gateway.Output.Where(l => l.StartsWith("stderr: {", StringComparison.Ordinal))
                    .Select(l => System.Text.Json.JsonDocument.Parse(l["stderr: ".Length..]).RootElement.GetProperty("State"))];
            }
        }

        await Waits.UntilAsync(() => Logged().Any(s => s.TryGetProperty("SmsId", out _)), "the SMS submitted, logged");
        var accepted = Assert.Single(Logged(), s => s.TryGetProperty("MessageId", out _));
        Assert.Equal(("alert-7@example.com", "DEMO0001", 1), (accepted.GetProperty("MessageId").GetString(), accepted.GetProperty("Account").GetString(), accepted.GetProperty("Sms").GetInt32()));
        var submitted = Assert.Single(Logged(), s => s.TryGetProperty("SmsId", out _));
        Assert.Equal((1, "DEMO0001"), (submitted.GetProperty("SmsId").GetInt64(), submitted.GetProperty("Account").GetString()));
    }

    [Fact]
    public async Task Serve_with_json_logs_writes_asp_net_cores_own_lines_as_json_too_and_every_log_line_is_json()
    {
        using var gateway = new GatewayProcess("--Logging:Format=json", "--Logging:LogLevel:Microsoft.AspNetCore=Information");
        gateway.Serve();
        using var http = new HttpClient();
        // Hosting logs each request at Information: "Request starting", "Request finished".
        using (await http.GetAsync(new Uri(ReadyzUrl(gateway))))
        {
        }

        List<string> Lines(bool standardError)
        {
            lock (gateway.Output)
            {
                return [.. gateway.Output.Where(l => l.StartsWith("stderr: ", StringComparison.Ordinal) == standardError)
                    .Select(l => standardError ? l["stderr: ".Length..] : l).Where(l => l.Length > 0)];
            }
        }

        await Waits.UntilAsync(() => Lines(standardError: true).Any(l => l.Contains("\"Category\":\"Microsoft.AspNetCore.Hosting.", StringComparison.Ordinal)),
            "ASP.NET Core's request logged on standard error");
        Assert.All(Lines(standardError: true), l =>
        {
            using var line = JsonDocument.Parse(l);
            Assert.Equal(JsonValueKind.Object, line.RootElement.ValueKind);
        });
        // Standard output is the command's own few lines; no log line goes there.
        Assert.DoesNotContain(Lines(standardError: false), l => l.Contains("Microsoft.", StringComparison.Ordinal));
    }

    [Fact]
    public void Serve_with_a_log_format_it_does_not_know_says_so_and_exits_2()
    {
        var (exitCode, output) = _gateway.Run("serve", "--Logging:Format=xml");
        Assert.Equal((2, "Logging:Format is 'xml'; it must be text or json."), (exitCode, output.Trim()));
    }

    [Theory]
    [InlineData("--Smtp:TrustedProxies=127.0.0.5/32,not-an-address", "Smtp:TrustedProxies: 'not-an-address' is not an IP address or CIDR range, such as 203.0.113.5 or 203.0.113.0/24.")]
    [InlineData("--Smtp:TrustedProxies:0=10.0.0.300", "Smtp:TrustedProxies: '10.0.0.300' is not an IP address or CIDR range, such as 203.0.113.5 or 203.0.113.0/24.")]
    [InlineData("--Smtp:TrustedProxies= , ", "Smtp:TrustedProxies is empty; list the load balancers' addresses or CIDR ranges, such as 10.0.0.5/32, or leave it out for 127.0.0.0/8.")]
    public void Serve_with_trusted_proxies_it_cannot_read_says_so_and_exits_2(string setting, string message)
    {
        var (exitCode, output) = _gateway.Run("serve", setting);
        Assert.Equal((2, message), (exitCode, output.Trim()));
    }

    [Fact]
    public void Serve_reads_trusted_proxies_from_one_comma_separated_environment_variable()
    {
        var (exitCode, output) = Cli.Run(new Dictionary<string, string> { ["MAIL2SMS_Smtp__TrustedProxies"] = "127.0.0.5/32, 127.0.0.6/33" }, ["serve", .. _gateway.Settings]);
        Assert.Equal((2, "Smtp:TrustedProxies: '127.0.0.6/33' is not an IP address or CIDR range, such as 203.0.113.5 or 203.0.113.0/24."), (exitCode, output.Trim()));
    }

    [Fact]
    public void Serve_demo_run_from_its_copy_beside_the_tests_prints_the_installed_command()
    {
        _gateway.Serve();
        Assert.Contains("then see it queued, then delivered, with: mail2sms messages", _gateway.Output);
    }

    [Fact]
    public void Serve_demo_run_from_a_source_checkout_prints_commands_that_run_from_the_working_folder()
    {
        // tests/Mail2Sms.Tests/bin/<configuration>/net10.0: the build of src/Mail2Sms sits in the same configuration.
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var repository = output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var project = Path.Combine(repository, "src", "Mail2Sms");
        var built = Path.Combine(project, "bin", output.Parent.Name, output.Name, "mail2sms.dll");
        Assert.True(File.Exists(built), $"{built} was built with the tests");

        _gateway.Serve(built);

        Assert.Contains($"then see it queued, then delivered, with: dotnet run --project {Path.GetRelativePath(_gateway.Folder, project)} -- messages", _gateway.Output);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Mail2Sms.Smpp;
using MailKit.Net.Smtp;
using MimeKit;

namespace Mail2Sms.Bench;

/// <summary>
/// <c>latency [--rate 100] [--seconds 30] [--connections 10] [--warmup 5] [--window 10]</c>: the Release
/// <c>mail2sms serve</c> as a process (fresh database, an account that accepts this machine), its SMSC a
/// simulator in this process. Emails are offered at a fixed rate over several SMTP connections; for each,
/// the time of its <c>250</c> and the time its submit_sm reached the simulator (matched by the email's
/// number in the text) give the latency of delivery. Warm-up emails go first at the same rate and are
/// not counted: what is measured is a running gateway, not .NET compiling it.
/// </summary>
internal static class LatencyLoad
{
    private const string Account = "BENCH0001";

    public static async Task<int> RunAsync(string[] args)
    {
        int rate, seconds, connections, warmup, window;
        try
        {
            (rate, seconds, connections, warmup, window) = (Option(args, "--rate", 100), Option(args, "--seconds", 30), Option(args, "--connections", 10),
                Option(args, "--warmup", 5), Option(args, "--window", 10));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{e.Message} Usage: latency [--rate 100] [--seconds 30] [--connections 10] [--warmup 5] [--window 10]");
            return 2;
        }

        var warmupEmails = rate * warmup;
        var total = warmupEmails + (rate * seconds);

        // Ticks of the 250 and of the submit_sm, per email; 0 until it happens.
        var acknowledged = new long[total];
        var submitted = new long[total];
        var sent = new long[total];
        await using var smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions
        {
            OnReceived = pdu =>
            {
                if (pdu is ShortMessage { CommandId: CommandId.SubmitSm } submit && NumberIn(submit.Message.Span) is { } n && n < total)
                {
                    Interlocked.CompareExchange(ref submitted[n], Stopwatch.GetTimestamp(), 0);
                }
            },
        });

        var folder = Directory.CreateTempSubdirectory("mail2sms-latency-").FullName;
        var port = FreePort();
        string[] settings = [$"--Database:ConnectionString=Data Source={Path.Combine(folder, "mail2sms.db")}", $"--Smtp:Port={port}",
            $"--Mail:PickupDirectory={Path.Combine(folder, "outbox")}", "--Sms:Provider=smpp", $"--Smpp:Port={smsc.Port}", $"--Smpp:WindowSize={window}"];
        foreach (var verb in new[] { new[] { "account", "add", Account, "--credits", "100000000" }, ["account", "allow-ip", Account, "127.0.0.1"], ["user", "add", Account, "*@example.com"] })
        {
            using var setup = Mail2Sms(folder, [.. verb, .. settings]);
            await setup.WaitForExitAsync().ConfigureAwait(false);
            if (setup.ExitCode != 0)
            {
                Console.Error.WriteLine($"mail2sms {string.Join(' ', verb)} failed: {await setup.StandardError.ReadToEndAsync().ConfigureAwait(false)}");
                return 1;
            }
        }

        using var serve = Mail2Sms(folder, ["serve", "--Web:Urls=http://127.0.0.1:0", .. settings]);
        var log = new List<string>();
        var listening = new TaskCompletionSource();
        serve.OutputDataReceived += (_, e) =>
        {
            Keep(log, e.Data);
            if (e.Data?.StartsWith("mail2sms is listening", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        serve.ErrorDataReceived += (_, e) => Keep(log, e.Data);
        serve.BeginOutputReadLine();
        serve.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);

            // Email n is due at n / rate seconds; the connections take them in order, as soon as each is free.
            var due = Channel.CreateBounded<int>(1);
            var clock = Stopwatch.StartNew();
            var offering = Task.Run(async () =>
            {
                for (var n = 0; n < total; n++)
                {
                    var wait = TimeSpan.FromSeconds((double)n / rate) - clock.Elapsed;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait).ConfigureAwait(false);
                    }

                    await due.Writer.WriteAsync(n).ConfigureAwait(false);
                }

                due.Writer.Complete();
            });
            var senders = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
            {
                using var client = new SmtpClient();
                await client.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None).ConfigureAwait(false);
                await foreach (var n in due.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    sent[n] = Stopwatch.GetTimestamp();
                    await client.SendAsync(Email(n)).ConfigureAwait(false);
                    acknowledged[n] = Stopwatch.GetTimestamp();
                }

                await client.DisconnectAsync(quit: true).ConfigureAwait(false);
            })).ToArray();
            await Task.WhenAll([offering, .. senders]).ConfigureAwait(false);
            var offered = clock.Elapsed;

            var drained = Stopwatch.StartNew();
            while (submitted.Any(t => t == 0) && drained.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(50).ConfigureAwait(false);
            }

            Report(rate, seconds, connections, warmup, window, offered, warmupEmails, sent, acknowledged, submitted);
            lock (log)
            {
                // What went wrong inside the gateway, if anything ("delivery failed, will retry: ...").
                var failures = log.Where(l => l.Contains("failed", StringComparison.Ordinal)).ToList();
                if (failures.Count > 0)
                {
                    Console.WriteLine($"the gateway reported {failures.Count} failures, the first: {failures[0]}");
                }
            }

            return submitted.Any(t => t == 0) ? 1 : 0;
        }
        catch (Exception e) when (e is IOException or SocketException or SmtpCommandException or SmtpProtocolException or TimeoutException)
        {
            Console.Error.WriteLine($"the gateway failed: {e.Message}");
            lock (log)
            {
                log.ForEach(Console.Error.WriteLine);
            }

            return 1;
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync().ConfigureAwait(false);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Report(int rate, int seconds, int connections, int warmup, int window, TimeSpan offered, int warmupEmails,
        long[] sent, long[] acknowledged, long[] submitted)
    {
        var measured = Enumerable.Range(warmupEmails, sent.Length - warmupEmails).ToList();
        var acceptedIn = Stopwatch.GetElapsedTime(sent[warmupEmails], measured.Max(n => acknowledged[n]));
        var missing = measured.Count(n => submitted[n] == 0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"offered {rate} emails/s for {seconds} s over {connections} SMTP connections, SMPP window {window}, after {warmup} s of warm-up ({offered.TotalSeconds:0.0} s in all)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accepted {measured.Count} emails in {acceptedIn.TotalSeconds:0.00} s: {measured.Count / acceptedIn.TotalSeconds:0.0} emails/s; {missing} never submitted"));
        var submittedIn = Stopwatch.GetElapsedTime(sent[warmupEmails], measured.Max(n => submitted[n]));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"submitted {measured.Count - missing} SMS by {submittedIn.TotalSeconds:0.00} s: {(measured.Count - missing) / submittedIn.TotalSeconds:0.0} submit_sm/s"));
        Console.WriteLine($"{string.Empty,-24} {"p50",9} {"p99",9} {"max",9}");
        Row("SMTP send to 250", measured.Select(n => Stopwatch.GetElapsedTime(sent[n], acknowledged[n])));
        Row("250 to submit_sm", measured.Where(n => submitted[n] != 0).Select(n => Stopwatch.GetElapsedTime(acknowledged[n], submitted[n])));
    }

    private static void Row(string name, IEnumerable<TimeSpan> times)
    {
        var sorted = times.Select(t => t.TotalMilliseconds).Order().ToList();
        if (sorted.Count == 0)
        {
            Console.WriteLine($"{name,-24} none");
            return;
        }

        double At(double quantile) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-24} {At(0.50),6:0.0} ms {At(0.99),6:0.0} ms {sorted[^1],6:0.0} ms"));
    }

    // The email's number, from a text that starts "Latency <n> ".
    private static int? NumberIn(ReadOnlySpan<byte> text) =>
        text.StartsWith("Latency "u8) && text[8..].IndexOf((byte)' ') is > 0 and var end
        && int.TryParse(text.Slice(8, end), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static MimeMessage Email(int n)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Monitor", "bench@example.com"));
        message.To.Add(new MailboxAddress(string.Empty, "61412345678@sms.localhost"));
        message.Subject = string.Create(CultureInfo.InvariantCulture, $"Latency {n}");
        message.MessageId = string.Create(CultureInfo.InvariantCulture, $"latency-{n}@example.com");
        message.Body = new TextPart("plain") { Text = "Server 23 is offline." };
        return message;
    }

    private static Process Mail2Sms(string folder, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mail2sms.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("mail2sms did not start");
    }

    private static void Keep(List<string> log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.Add(line);
            }
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at < 0 ? fallback
            : at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
            : throw new ArgumentException($"{name} takes a whole number above 0.");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

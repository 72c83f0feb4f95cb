using System.Diagnostics;
using Mail2Sms.Tests.Shared;
using MailKit.Net.Smtp;
using MimeKit;

namespace Mail2Sms.Tests;

/// <summary>
/// <c>mail2sms serve --demo</c> as a real process on a folder, database and SMTP port of its own; it can
/// be started again on the same database after a kill. Disposing kills what still runs and deletes the folder.
/// </summary>
internal sealed class GatewayProcess : IDisposable
{
    private readonly string[] _extraSettings;
    private readonly List<Process> _started = [];

    /// <param name="extraSettings">More <c>--Section:Key=value</c> settings for every verb, such as the SMSC to use.</param>
    public GatewayProcess(params string[] extraSettings) => _extraSettings = extraSettings;

    /// <summary>The working folder of every verb; the database lives here.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("mail2sms-serve-").FullName;

    /// <summary>The SMTP port.</summary>
    public int Port { get; } = Waits.FreePort();

    /// <summary>A <c>--data-dir</c> for every verb instead of this folder's database and outbox settings; null for those settings.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>A PostgreSQL database for every verb (<c>Database:Provider=postgres</c>) instead of this folder's SQLite file; null for that file.</summary>
    public string? PostgresConnection { get; init; }

    /// <summary>Where the gateway writes the mail it sends.</summary>
    public string Outbox => Path.Combine(DataDirectory ?? Folder, "outbox");

    /// <summary>What every serve printed, line by line, standard error's lines marked <c>stderr:</c> (lock it to read).</summary>
    public List<string> Output { get; } = [];

    /// <summary>The settings every verb gets: this folder's database (or the PostgreSQL one), this port, this outbox, then the extra ones.</summary>
    public string[] Settings =>
        [.. DataDirectory is null ? (string[])[.. Database, $"--Mail:PickupDirectory={Outbox}"] : ["--data-dir", DataDirectory],
            $"--Smtp:Port={Port}", "--Web:Urls=http://127.0.0.1:0", .. _extraSettings];

    private string[] Database => PostgresConnection is null
        ? [$"--Database:ConnectionString=Data Source={Path.Combine(Folder, "mail2sms.db")}"]
        : ["--Database:Provider=postgres", $"--Database:ConnectionString={PostgresConnection}"];

    /// <summary>A format 1 alert to 0412345678 from nagios@example.com (which the demo account accepts), its subject and Message-ID numbered.</summary>
    public static MimeMessage Email(int n)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Monitor", "nagios@example.com"));
        message.To.Add(new MailboxAddress(string.Empty, "0412345678@sms.localhost"));
        message.Subject = $"Alert {n}";
        message.MessageId = $"alert-{n}@example.com";
        message.Body = new TextPart("plain") { Text = "Server 23 is offline." };
        return message;
    }

    /// <summary>Starts <c>mail2sms serve --demo</c> and waits until it listens and the demo account exists.</summary>
    /// <param name="entryAssembly">The <c>mail2sms.dll</c> to run; by default the copy beside the tests.</param>
    public Process Serve(string? entryAssembly = null)
    {
        // Its own working folder, where the embedded default keeps its self-signed certificate (data/smtp.pfx).
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = Folder };
        foreach (var arg in new[] { entryAssembly ?? Path.Combine(AppContext.BaseDirectory, "mail2sms.dll"), "serve", "--demo" }.Concat(Settings))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        _started.Add(process);
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
        // A serve that ends first (a setting refused, the store failing) fails at once, with what it printed.
        var ended = Task.WhenAny(ready.Task, process.WaitForExitAsync()).Wait(TimeSpan.FromSeconds(60));
        if (!ready.Task.IsCompleted)
        {
            if (ended)
            {
                process.WaitForExit(); // it has exited: this waits for its last lines to reach Output
            }

            lock (Output)
            {
                Assert.Fail($"serve did not say it was listening ({(ended ? $"it ended, exit code {process.ExitCode}" : "60 s")}):\n{string.Join('\n', Output)}");
            }
        }

        return process;
    }

    /// <summary>Runs another verb on this gateway's settings, as an operator would.</summary>
    public (int ExitCode, string Output) Run(params string[] args) => Cli.Run([.. args, .. Settings]);

    /// <summary>A client connected to this gateway's SMTP port, without TLS.</summary>
    public async Task<SmtpClient> ConnectAsync()
    {
        var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", Port, MailKit.Security.SecureSocketOptions.None);
        return client;
    }

    /// <summary>Polls <c>mail2sms messages</c> until its output matches <paramref name="done"/>; fails naming <paramref name="what"/> after a minute.</summary>
    public async Task<string> MessagesUntilAsync(Func<string, bool> done, string what, params string[] args)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (exitCode, output) = Run(["messages", .. args]);
            Assert.Equal(0, exitCode);
            if (done(output))
            {
                return output;
            }

            Assert.True(DateTime.UtcNow < deadline, $"never happened: {what}; mail2sms messages shows:\n{output}");
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }

        Directory.Delete(Folder, recursive: true);
    }
}

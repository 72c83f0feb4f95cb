using System.Net;
using System.Net.Sockets;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Smtp;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;
using Mail2Sms.Gateway.Tests.Storage;
using Mail2Sms.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace Mail2Sms.Gateway.Tests.Smtp;

/// <summary>A real SMTP listener on a free loopback port over a real SQLite file, stopped afterwards.</summary>
public sealed class RunningGateway : IAsyncDisposable
{
    private readonly TempDatabase _db = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    public RunningGateway(Func<SmtpOptions, SmtpOptions>? configure = null)
    {
        var options = new SmtpOptions
        {
            Port = FreePort(),
            MaxRecipients = 5,
            Certificate = SmtpCertificate.Load(Path.Combine(_db.Folder, "smtp.pfx"), null, generate: true, ["sms.localhost"]),
        };
        options = configure?.Invoke(options) ?? options;
        Lockout = new PasswordLockout(_db.Storage.Lockouts, Clock);
        var intake = new IntakeService(options.Domains, new SenderAuthenticator(Accounts, Lockout, Passwords), Accounts, _db.Emails, Outbox);
        // AUTH failures are held 10 ms, doubling: the delays are real time, the lockout's window the fake clock's.
        Gateway = new SmtpGateway(options with { PostmasterAddress = "operator@example.net" }, intake,
            new SmtpAuthChecker(Accounts, Passwords, Lockout, TimeProvider.System, TimeSpan.FromMilliseconds(10)), Errors.Enqueue);
        _running = Gateway.RunAsync(_stop.Token);
    }

    public SqliteDatabase Database => _db.Database;

    public PasswordVerifier Passwords { get; } = new(TimeProvider.System);

    public FakeTimeProvider Clock => _db.Clock;

    /// <summary>The lockout [SENDER] blocks and SMTP AUTH share, on <see cref="Clock"/>.</summary>
    public PasswordLockout Lockout { get; }

    public AccountStore Accounts => _db.Accounts;

    public IDashboardQueries Dashboard => _db.Dashboard;

    public OutboxStore Outbox => _db.Outbox;

    public SmtpGateway Gateway { get; }

    public int Port => Gateway.Options.Port;

    public System.Collections.Concurrent.ConcurrentQueue<Exception> Errors { get; } = new();

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Waits.UntilStoppedAsync(_running);

        _stop.Dispose();
        _db.Dispose();
    }
}

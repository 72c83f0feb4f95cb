using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mail2Sms.Gateway.Intake;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// The SMTP listener, on Kestrel's socket transport: every connection counted against
/// <c>Smtp:MaxConnections</c> (past it <c>421 4.3.2</c>) and its client address against
/// <c>Smtp:MaxConnectionsPerIp</c>, then served by an <see cref="SmtpSession"/>. A heartbeat each
/// second ends sessions silent past their timeout (10 s for idle ones while more than half the cap
/// is open, Postfix's stress mode) or past <c>Smtp:MaxSessionSeconds</c>.
/// </summary>
public sealed class SmtpGateway
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<SmtpSession, byte> _sessions = new();
    private readonly ConcurrentDictionary<Task, byte> _serving = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perClient = new();
    private readonly Action<Exception> _onError;
    private int _open;

    public SmtpGateway(SmtpOptions options, IntakeService intake, SmtpAuthChecker authChecker, Action<Exception> onError)
    {
        Options = options;
        _onError = onError;
        Filter = new GatewayMailboxFilter(options, intake, onError);
        Store = new GatewayMessageStore(intake, options, onError);
        Authenticator = authChecker;
        DataBuffers = new DataBufferBudget(options.MaxDataBufferBytes);
        Greeting = Encoding.ASCII.GetBytes($"220 {options.ServerName} ESMTP ready\r\n");
        Helo = Encoding.ASCII.GetBytes($"250 {options.ServerName}\r\n");
        Ehlo = SmtpReplies.Ehlo(options, secure: false);
        SecureEhlo = SmtpReplies.Ehlo(options, secure: true);
    }

    /// <summary>The settings it listens with.</summary>
    public SmtpOptions Options { get; }

    /// <summary>SMTP connections open now, refused ones included until they close.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    internal GatewayMailboxFilter Filter { get; }

    internal GatewayMessageStore Store { get; }

    /// <summary>SMTP AUTH (PLAIN, LOGIN, offered only after STARTTLS) under the password lockout.</summary>
    internal SmtpAuthChecker Authenticator { get; }

    internal DataBufferBudget DataBuffers { get; }

    internal byte[] Greeting { get; }

    internal byte[] Helo { get; }

    internal byte[] Ehlo { get; }

    internal byte[] SecureEhlo { get; }

    /// <summary>Listens until <paramref name="cancellationToken"/> is cancelled; the port is bound when this returns its task.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Nagle off (NoDelay): replies to pipelined commands go out at once rather than after the client's delayed ACK.
        // With serve's inline socket completions, sessions run on the socket threads too (what takes long yields first).
        var transport = new SocketTransportFactory(Microsoft.Extensions.Options.Options.Create(new SocketTransportOptions
        {
            NoDelay = true,
            UnsafePreferInlineScheduling = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1",
        }), NullLoggerFactory.Instance);
        var listener = await transport.BindAsync(new IPEndPoint(IPAddress.Parse(Options.Address), Options.Port), cancellationToken).ConfigureAwait(false);
        var heartbeat = BeatAsync(cancellationToken);
        try
        {
            while (await AcceptAsync(listener, cancellationToken).ConfigureAwait(false) is { } connection)
            {
                var serving = ServeAsync(connection, cancellationToken);
                _serving.TryAdd(serving, 0);
                _ = serving.ContinueWith(t => _serving.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        finally
        {
            await listener.UnbindAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var session in _sessions.Keys)
            {
                session.Abort();
            }

            await Task.WhenAll(_serving.Keys.Append(heartbeat)).ConfigureAwait(false);
            await listener.DisposeAsync().ConfigureAwait(false);
        }
    }

    // The next connection; null once stopping. Running out of file descriptors is waited out, never fatal.
    private static async Task<ConnectionContext?> AcceptAsync(IConnectionListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                return await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None).ConfigureAwait(false);
            }
        }

        return null;
    }

    private async Task ServeAsync(ConnectionContext connection, CancellationToken stopping)
    {
        await Task.Yield(); // the accept loop goes on at once
        var open = Interlocked.Increment(ref _open);
        SmtpSession? session = null;
        try
        {
            if (open > Options.MaxConnections)
            {
                GatewayMetrics.SmtpRefused(SmtpRefusal.MaxConnections);
                await connection.Transport.Output.WriteAsync(SmtpReplies.TooManyConnections(Options.MaxConnections), stopping).ConfigureAwait(false);
                await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
                return;
            }

            session = new SmtpSession(this, connection, stopping);
            _sessions.TryAdd(session, 0);
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            await session.RunAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException)
        {
            // The client left, or the gateway is stopping.
        }
        catch (Exception e)
        {
            _onError(e);
        }
        finally
        {
            // The count goes down whatever disposing throws, or the gateway would refuse 421 4.3.2 forever after.
            try
            {
                if (session is not null)
                {
                    _sessions.TryRemove(session, out _);
                    await session.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _open);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                var stressed = Volatile.Read(ref _open) > Options.MaxConnections / 2;
                foreach (var session in _sessions.Keys)
                {
                    try
                    {
                        session.CheckTimeouts(now, stressed);
                    }
                    catch (Exception e)
                    {
                        _onError(e); // one session's failure must not stop every other session's timeouts
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>Counts a connection from <paramref name="client"/>; returns how many it holds now, this one included.</summary>
    internal int OpenFrom(IPAddress? client) => client is null ? 1 : _perClient.AddOrUpdate(client, 1, (_, count) => count + 1);

    internal void ClosedFrom(IPAddress? client)
    {
        if (client is not null && _perClient.AddOrUpdate(client, 0, (_, count) => count - 1) == 0)
        {
            // Gone from the table once none is open, so a flood of addresses leaves nothing behind.
            _perClient.TryRemove(KeyValuePair.Create(client, 0));
        }
    }
}

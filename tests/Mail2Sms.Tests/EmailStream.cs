using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;

namespace Mail2Sms.Tests;

/// <summary>
/// Senders sharing a stream of numbered alerts (<see cref="GatewayProcess.Email"/>) to gateways' SMTP ports, as mail
/// servers would: each sends an email again until it is acknowledged with 250, going on to the next port (the next MX)
/// when the one it uses fails. Only what was acknowledged was promised. Stopping (or disposing) lets each finish the email it holds.
/// </summary>
internal sealed class EmailStream : IAsyncDisposable
{
    private readonly IReadOnlyList<int> _ports;
    private readonly int _mostEmails;
    private readonly Func<int, bool> _holdBack;
    private readonly DateTime _deadline;
    private readonly CancellationTokenSource _streaming = new();
    private readonly Task[] _senders;
    private int _next = -1;

    /// <param name="ports">The SMTP ports; sender i starts on port i modulo their number.</param>
    /// <param name="senders">How many senders at once.</param>
    /// <param name="mostEmails">Emails 0 to this (excluded) at most.</param>
    /// <param name="holdBack">Given the count acknowledged so far, whether the senders wait before their next email.</param>
    /// <param name="patience">How long an email may go unacknowledged before the test fails.</param>
    public EmailStream(IReadOnlyList<int> ports, int senders, int mostEmails, Func<int, bool> holdBack, TimeSpan patience)
    {
        (_ports, _mostEmails, _holdBack, _deadline) = (ports, mostEmails, holdBack, DateTime.UtcNow + patience);
        _senders = [.. Enumerable.Range(0, senders).Select(i => Task.Run(() => SendAsync(i % ports.Count)))];
    }

    /// <summary>The numbers of the emails acknowledged with 250.</summary>
    public ConcurrentBag<int> Acknowledged { get; } = [];

    /// <summary>How many emails each port acknowledged.</summary>
    public ConcurrentDictionary<int, int> AcknowledgedOn { get; } = new();

    /// <summary>The SMS text of email <paramref name="n"/> as the SMSC receives it.</summary>
    public static string SmsOf(int n) => $"Alert {n} Server 23 is offline.";

    /// <summary>
    /// Waits until the SMS of every email acknowledged (up to now) is among <paramref name="submitted"/>; fails, naming
    /// <paramref name="what"/>, once <paramref name="within"/> has passed since <paramref name="since"/>. Returns the time since then.
    /// </summary>
    public async Task<TimeSpan> UntilAllSubmittedAsync(Func<IEnumerable<string>> submitted, DateTime since, TimeSpan within, string what)
    {
        var promised = Acknowledged.Select(SmsOf).ToList();
        while (promised.Except(submitted()).ToList() is { Count: > 0 } missing)
        {
            Assert.True(DateTime.UtcNow < since + within, $"{missing.Count} acknowledged SMS not submitted {within.TotalSeconds:0} s {what}, such as \"{missing[0]}\"");
            await Task.Delay(100); // a poll on a condition, bounded above
        }

        return DateTime.UtcNow - since;
    }

    /// <summary>Stops the senders once each has its current email acknowledged.</summary>
    public async Task StopAsync()
    {
        await _streaming.CancelAsync();
        await Task.WhenAll(_senders);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_streaming.IsCancellationRequested)
        {
            await StopAsync();
        }

        _streaming.Dispose();
    }

    private async Task SendAsync(int portIndex)
    {
        SmtpClient? client = null;
        for (int n; !_streaming.IsCancellationRequested && (n = Interlocked.Increment(ref _next)) < _mostEmails;)
        {
            while (_holdBack(Acknowledged.Count) && !_streaming.IsCancellationRequested)
            {
                await Task.Delay(20); // a poll on a condition: the senders hold back while the gateways catch up
            }

            while (true)
            {
                try
                {
                    if (client is null)
                    {
                        client = new SmtpClient();
                        await client.ConnectAsync("127.0.0.1", _ports[portIndex], MailKit.Security.SecureSocketOptions.None);
                    }

                    await client.SendAsync(GatewayProcess.Email(n));
                    Acknowledged.Add(n);
                    AcknowledgedOn.AddOrUpdate(_ports[portIndex], 1, (_, count) => count + 1);
                    break;
                }
                catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or SmtpCommandException or ServiceNotConnectedException)
                {
                    Assert.True(DateTime.UtcNow < _deadline, $"email {n} was never acknowledged: {e.Message}");
                    client?.Dispose();
                    client = null;
                    portIndex = (portIndex + 1) % _ports.Count;
                    await Task.Delay(50); // that gateway is down: try again shortly, the next one if there is one, as a mail server's queue would
                }
            }
        }

        if (client is not null)
        {
            await client.DisconnectAsync(quit: true);
            client.Dispose();
        }
    }
}

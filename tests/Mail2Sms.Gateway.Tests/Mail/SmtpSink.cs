using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mail2Sms.Tests.Shared;
using MimeKit;

namespace Mail2Sms.Gateway.Tests.Mail;

/// <summary>An email the sink took: the envelope as the client gave it, and the message.</summary>
public sealed record SunkMail(string MailFrom, IReadOnlyList<string> RcptTo, byte[] Data)
{
    public MimeMessage Message => MimeMessage.Load(new MemoryStream(Data));
}

/// <summary>
/// A small real SMTP server on a loopback port standing in for the smart host: it keeps what it
/// takes and answers DATA with <see cref="DataReplies"/> first, in order, and RCPT TO of <see cref="RefusedRecipients"/> with 550.
/// It speaks just what a smart host's client needs (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), one line at a time.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    // Latin-1 maps every byte to one char and back, so an email's 8-bit bytes arrive as sent.
    private static readonly Encoding Octets = Encoding.Latin1;
    private readonly CancellationTokenSource _stop = new();
    private readonly TcpListener _listener;
    private readonly Task _running;

    private SmtpSink(int port)
    {
        Port = port;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _running = AcceptAsync();
    }

    /// <summary>Starts a sink on <paramref name="port"/> (a free one when null); it answers once this returns.</summary>
    public static Task<SmtpSink> StartAsync(int? port = null) => Task.FromResult(new SmtpSink(port ?? Waits.FreePort()));

    public int Port { get; }

    public ConcurrentQueue<SunkMail> Received { get; } = new();

    public ConcurrentQueue<(int Code, string Text)> DataReplies { get; } = new();

    public ConcurrentDictionary<string, bool> RefusedRecipients { get; } = new(StringComparer.OrdinalIgnoreCase);

    private async Task AcceptAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                sessions.Add(ServeAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
            await Task.WhenAll(sessions);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Octets);
        async Task Say(string reply) => await stream.WriteAsync(Octets.GetBytes(reply + "\r\n"), _stop.Token);
        try
        {
            await Say("220 sink.localhost ESMTP");
            string? from = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await Say("250-sink.localhost\r\n250-8BITMIME\r\n250 PIPELINING");
                        break;
                    case "HELO" or "NOOP":
                        await Say("250 Ok");
                        break;
                    case "MAIL":
                        from = Path(line);
                        to.Clear();
                        await Say("250 Ok");
                        break;
                    case "RCPT" when RefusedRecipients.ContainsKey(Path(line)):
                        await Say("550 5.1.1 no such mailbox here");
                        break;
                    case "RCPT":
                        to.Add(Path(line));
                        await Say("250 Ok");
                        break;
                    case "DATA":
                        await Say("354 go ahead");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith('.') ? dataLine[1..] : dataLine).Append("\r\n");
                        }

                        if (DataReplies.TryDequeue(out var reply))
                        {
                            await Say($"{reply.Code} {reply.Text}");
                        }
                        else
                        {
                            Received.Enqueue(new SunkMail(from ?? string.Empty, [.. to], Octets.GetBytes(data.ToString())));
                            await Say("250 Ok");
                        }

                        from = null;
                        to.Clear();
                        break;
                    case "RSET":
                        from = null;
                        to.Clear();
                        await Say("250 Ok");
                        break;
                    case "QUIT":
                        await Say("221 Bye");
                        return;
                    default:
                        await Say("502 Unrecognized command");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // the client left, or the sink is stopping
        }
    }

    // The address between the angle brackets of MAIL FROM:<...> or RCPT TO:<...>.
    private static string Path(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal) + 1;
        var end = line.IndexOf('>', start);
        return start > 0 && end >= start ? line[start..end] : string.Empty;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Waits.UntilStoppedAsync(_running);

        _stop.Dispose();
    }
}

using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mail2Sms.Gateway.Smtp;
using Mail2Sms.Tests.Shared;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Mail2Sms.Gateway.Tests.Mail;

/// <summary>An email the sink took: the envelope as the client gave it, and the message.</summary>
public sealed record SunkMail(string MailFrom, IReadOnlyList<string> RcptTo, byte[] Data)
{
    public MimeMessage Message => MimeMessage.Load(new MemoryStream(Data));
}

/// <summary>
/// A real SMTP server (SmtpServer) on a loopback port standing in for the smart host: it keeps what it
/// takes and answers DATA with <see cref="DataReplies"/> first, in order, and RCPT TO of <see cref="RefusedRecipients"/> with 550.
/// </summary>
public sealed class SmtpSink : MessageStore, IMailboxFilter, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private SmtpSink(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder().ServerName("sink.localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add((IMessageStore)this);
        services.Add((IMailboxFilter)this);
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    /// <summary>Starts a sink on <paramref name="port"/> (a free one when null) and waits until it answers.</summary>
    public static async Task<SmtpSink> StartAsync(int? port = null)
    {
        var sink = new SmtpSink(port ?? Waits.FreePort());
        await Waits.UntilAsync(async () =>
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, sink.Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, "the SMTP sink listening");
        return sink;
    }

    public int Port { get; }

    public ConcurrentQueue<SunkMail> Received { get; } = new();

    public ConcurrentQueue<(int Code, string Text)> DataReplies { get; } = new();

    public ConcurrentDictionary<string, bool> RefusedRecipients { get; } = new(StringComparer.OrdinalIgnoreCase);

    public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        if (DataReplies.TryDequeue(out var reply))
        {
            return Task.FromResult(new SmtpResponse((SmtpReplyCode)reply.Code, reply.Text));
        }

        Received.Enqueue(new SunkMail(SessionExtensions.AsAddress(transaction.From), transaction.To.Select(SessionExtensions.AsAddress).ToList(), buffer.ToArray()));
        return Task.FromResult(SmtpResponse.Ok);
    }

    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
        RefusedRecipients.ContainsKey(SessionExtensions.AsAddress(to))
            ? throw new SmtpResponseException(new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "5.1.1 no such mailbox here"))
            : Task.FromResult(true);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Waits.UntilStoppedAsync(_running);

        _stop.Dispose();
    }
}

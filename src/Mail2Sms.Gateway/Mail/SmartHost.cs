using Mail2Sms.Gateway.Storage;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Mail2Sms.Gateway.Mail;

/// <summary>How to reach the smart host that relays the gateway's mail.</summary>
public sealed record SmartHostOptions
{
    /// <summary>The smart host's name or address.</summary>
    public required string Host { get; init; }

    /// <summary>Its port.</summary>
    public int Port { get; init; } = 25;

    /// <summary>
    /// TLS: <see cref="SecureSocketOptions.StartTlsWhenAvailable"/> (STARTTLS when offered),
    /// <see cref="SecureSocketOptions.SslOnConnect"/> or <see cref="SecureSocketOptions.None"/>.
    /// </summary>
    public SecureSocketOptions Tls { get; init; } = SecureSocketOptions.StartTlsWhenAvailable;

    /// <summary>The user to authenticate as; none when null.</summary>
    public string? User { get; init; }

    /// <summary>The password of <see cref="User"/>.</summary>
    public string? Password { get; init; }

    /// <summary>How long one connect or command may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Hands mail over to a smart host with MailKit, over one connection for a run of sends. A reply that
/// refuses one mail at <c>MAIL</c>, <c>RCPT</c> or <c>DATA</c> is a <see cref="MailRefusedException"/>;
/// anything else (refused connection, timeout, TLS or login failure) drops the connection, opened again next time.
/// </summary>
public sealed class SmartHost(SmartHostOptions options) : IMailTransport
{
    private SmtpClient? _client;

    /// <inheritdoc/>
    public string Destination => $"the smart host {options.Host}:{options.Port} (TLS: {options.Tls})";

    /// <inheritdoc/>
    public async Task SendAsync(QueuedMail mail, MimeMessage message, CancellationToken cancellationToken)
    {
        try
        {
            if (_client is { IsConnected: false })
            {
                await CloseAsync(quit: false).ConfigureAwait(false);
            }

            _client ??= await ConnectAsync(cancellationToken).ConfigureAwait(false);

            // An empty address is the null sender: MailKit sends MAIL FROM:<>.
            await _client.SendAsync(OutboxSender.Format, message, new MailboxAddress(string.Empty, mail.MailFrom),
                [new MailboxAddress(string.Empty, mail.RcptTo)], cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpCommandException e) when (e.ErrorCode is not SmtpErrorCode.UnexpectedStatusCode)
        {
            throw new MailRefusedException($"{(int)e.StatusCode} {e.Message}", (int)e.StatusCode >= 500, e);
        }
        catch
        {
            await CloseAsync(quit: false).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public Task CloseAsync(CancellationToken cancellationToken) => CloseAsync(quit: true);

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.Host, options.Port, options.Tls, cancellationToken).ConfigureAwait(false);
            if (options.User is { } user)
            {
                await client.AuthenticateAsync(user, options.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private async Task CloseAsync(bool quit)
    {
        if (_client is not { } client)
        {
            return;
        }

        _client = null;
        using (client)
        {
            try
            {
                await client.DisconnectAsync(quit && client.IsConnected).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or TimeoutException or MailKit.ProtocolException or SmtpCommandException)
            {
                // The server went away first: the connection is closed all the same.
            }
        }
    }
}

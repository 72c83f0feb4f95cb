using System.Net;
using System.Security.Authentication;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Storage;
using SmtpServer;
using SmtpServer.ComponentModel;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>The SMTP listener: SmtpServer with the gateway's recipient rules, intake and reply texts.</summary>
public sealed class SmtpGateway
{
    private readonly SmtpServer.SmtpServer _server;

    public SmtpGateway(SmtpOptions options, IntakeService intake, AccountStore accounts, OutboxStore outbox, SmtpAuthChecker authChecker, Action<Exception> onError)
    {
        Options = options;
        var serverOptions = new SmtpServerOptionsBuilder()
            .ServerName(options.ServerName)
            .Endpoint(e =>
            {
                e.Endpoint(new IPEndPoint(IPAddress.Parse(options.Address), options.Port)).AllowUnsecureAuthentication(false);
                if (options.Certificate is { } certificate)
                {
                    // SmtpServer offers TLS 1.2 only unless told otherwise.
                    e.Certificate(certificate).SupportedSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
                }
            })
            // The size of an email's data is enforced by SessionInput, which answers 552 5.3.4; SmtpServer's strict
            // check drops the connection without a reply. SIZE= at MAIL FROM is still checked against this.
            .MaxMessageSize(options.MaxMessageBytes, MaxMessageSizeHandling.Ignore)
            // Refused recipients count as errors in a row; a format 1 email to many bad numbers must not end the session.
            .MaxRetryCount(1000)
            // SessionInput times out first (421 4.4.2, also within an email's data); this is the fallback.
            .CommandWaitTimeout(options.CommandTimeout + TimeSpan.FromMinutes(1))
            .Build();
        var services = new ServiceProvider();
        services.Add(new GatewayMailboxFilter(options, accounts, onError));
        services.Add(new GatewayMessageStore(intake, outbox, options, onError));
        services.Add(new ReplyRewritingListenerFactory(options));
        services.Add(new GatewayUserAuthenticator(authChecker, options));
        _server = new SmtpServer.SmtpServer(serverOptions, services);
    }

    /// <summary>The settings it listens with.</summary>
    public SmtpOptions Options { get; }

    /// <summary>Listens until <paramref name="cancellationToken"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _server.StartAsync(cancellationToken);
}

using Mail2Sms.Core.Intake;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>The SMTP listener's settings (<c>Smtp:*</c> and <c>Gateway:Domains</c>).</summary>
public sealed record SmtpOptions
{
    /// <summary>The domains the gateway accepts mail for.</summary>
    public IReadOnlyList<string> Domains { get; init; } = ["sms.localhost"];

    /// <summary>The address to listen on.</summary>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>The port to listen on.</summary>
    public int Port { get; init; } = 2525;

    /// <summary>The largest message accepted, in bytes.</summary>
    public int MaxMessageBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>The most connections one client address may hold open at once (<c>Smtp:MaxConnectionsPerIp</c>).</summary>
    public int MaxConnectionsPerIp { get; init; } = 100;

    /// <summary>The most SMTP connections open at once (<c>Smtp:MaxConnections</c>); past it a connection is told <c>421 4.3.2</c>. Past half of it idle sessions are shed after <see cref="StressCommandTimeout"/>.</summary>
    public int MaxConnections { get; init; } = 2000;

    /// <summary>The longest a session may last, however busy (<c>Smtp:MaxSessionSeconds</c>), so a drip feed is cut with <c>421 4.4.2</c>.</summary>
    public TimeSpan MaxSession { get; init; } = TimeSpan.FromSeconds(900);

    /// <summary>The largest header section of an email, before any MIME parsing (<c>Smtp:MaxHeaderBytes</c>); past it <c>552 5.3.4</c>.</summary>
    public int MaxHeaderBytes { get; init; } = 256 * 1024;

    /// <summary>The most bytes all sessions together hold in emails' data buffers (<c>Smtp:MaxDataBufferBytes</c>); an email that would pass it is read to its end and answered <c>452 4.3.1</c>.</summary>
    public int MaxDataBufferBytes { get; init; } = 512 * 1024 * 1024;

    /// <summary>The command timeout of an idle session while more than half of <see cref="MaxConnections"/> are open (Postfix's stress mode).</summary>
    public static TimeSpan StressCommandTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The most SMS recipients of one email.</summary>
    public int MaxRecipients { get; init; } = RecipientAdmission.DefaultMaxRecipients;

    /// <summary>Where mail for <c>postmaster@</c> and <c>abuse@</c> is forwarded (<c>Gateway:PostmasterAddress</c>).</summary>
    public string PostmasterAddress { get; init; } = "postmaster@localhost";

    /// <summary>The certificate STARTTLS offers; null for none (then no STARTTLS and no SMTP AUTH).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }

    /// <summary>
    /// Take the client's address from the PROXY protocol (v1) header a load balancer sends
    /// (<c>Smtp:ProxyProtocol</c>); only from <see cref="TrustedProxies"/>, so nobody else can claim an address.
    /// </summary>
    public bool ProxyProtocol { get; init; }

    /// <summary>The load balancers whose PROXY header is believed (<c>Smtp:TrustedProxies</c>).</summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [System.Net.IPNetwork.Parse("127.0.0.0/8"), System.Net.IPNetwork.Parse("::1/128")];

    /// <summary>
    /// How long the server waits for a client's next command, or for the next bytes of an email's data
    /// (<c>Smtp:CommandTimeoutSeconds</c>; RFC 5321 asks for at least 5 minutes).
    /// </summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The name the server greets with.</summary>
    public string ServerName { get; init; } = "mail2sms";
}

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

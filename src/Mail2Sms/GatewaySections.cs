using System.Security.Cryptography;
using Mail2Sms.Core.Accounts;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Smtp;
using Mail2Sms.Smpp;
using Mail2Sms.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mail2Sms;

/// <summary>Where SMS go (<c>Sms:Provider</c>, <c>Smpp:*</c>): the built-in simulator or an SMSC, over <c>Smpp:Binds</c> sessions.</summary>
internal sealed record SmsCentreOptions(bool BuiltIn, SmppClientOptions Client, int Binds);

/// <summary>The <c>Replies</c> section: how long after an SMS a reply from its mobile is matched to it (<c>Replies:WindowDays</c>).</summary>
internal sealed record RepliesOptions(TimeSpan Window);

/// <summary>The <c>Intake</c> section: how many failed recipients an email's report lists (<c>Intake:MaxReportedFailures</c>).</summary>
internal sealed record IntakeOptions(int MaxReportedFailures);

/// <summary>
/// Each section of the configuration as the options the gateway's parts take, read and refused with one sentence
/// naming the key. <c>serve</c> registers them as <see cref="IOptions{TOptions}"/> validated when the host starts.
/// </summary>
internal static class GatewaySections
{
    /// <summary>Registers every section but Web (the host's own, read before it is built) as options read once from <paramref name="configuration"/> and checked before anything starts.</summary>
    public static IServiceCollection AddGatewaySections(this IServiceCollection services, IConfiguration configuration, string dataDirectory) => services
        .AddSection(() => Smtp(configuration, dataDirectory))
        .AddSection(() => Delivery(configuration))
        .AddSection(() => SmsCentre(configuration))
        .AddSection(() => Replies(configuration))
        .AddSection(() => Intake(configuration))
        .AddSection(() => MailSettings.Read(configuration, dataDirectory));

    private static IServiceCollection AddSection<T>(this IServiceCollection services, Func<T> read)
        where T : class
    {
        services.AddSingleton<IOptionsFactory<T>>(new SectionFactory<T>(read));
        services.AddOptions<T>().ValidateOnStart();
        return services;
    }

    /// <summary>The domains mail is accepted for (<c>Gateway:Domains</c>); the first names the gateway.</summary>
    public static IReadOnlyList<string> Domains(IConfiguration configuration) =>
        configuration.List("Gateway:Domains") is { Count: > 0 } listed ? listed : new SmtpOptions().Domains;

    /// <summary>The <c>Smtp</c> section with <c>Gateway:Domains</c> and <c>Gateway:PostmasterAddress</c>; the default certificate is made once under the data folder.</summary>
    public static SmtpOptions Smtp(IConfiguration configuration, string dataDirectory)
    {
        var defaults = new SmtpOptions();
        var domains = Domains(configuration);
        return new SmtpOptions
        {
            Domains = domains,
            Address = configuration["Smtp:Address"] ?? defaults.Address,
            Port = configuration.Number("Smtp:Port", defaults.Port),
            MaxMessageBytes = configuration.Number("Smtp:MaxMessageBytes", defaults.MaxMessageBytes),
            MaxConnectionsPerIp = configuration.Number("Smtp:MaxConnectionsPerIp", defaults.MaxConnectionsPerIp),
            MaxConnections = configuration.Number("Smtp:MaxConnections", defaults.MaxConnections),
            MaxSession = configuration.Seconds("Smtp:MaxSessionSeconds", defaults.MaxSession),
            MaxHeaderBytes = configuration.Number("Smtp:MaxHeaderBytes", defaults.MaxHeaderBytes),
            MaxDataBufferBytes = configuration.Number("Smtp:MaxDataBufferBytes", defaults.MaxDataBufferBytes),
            MaxRecipients = configuration.Number("Smtp:MaxRecipients", defaults.MaxRecipients),
            CommandTimeout = configuration.Seconds("Smtp:CommandTimeoutSeconds", defaults.CommandTimeout),
            PostmasterAddress = configuration["Gateway:PostmasterAddress"] ?? defaults.PostmasterAddress,
            ProxyProtocol = configuration.Flag("Smtp:ProxyProtocol", defaults.ProxyProtocol),
            TrustedProxies = TrustedProxies(configuration) ?? defaults.TrustedProxies,
            // An operator's certificate must exist; the embedded default makes a self-signed one once and keeps it.
            Certificate = SmtpCertificate.Load(configuration["Smtp:CertificatePath"] ?? Path.Combine(dataDirectory, "smtp.pfx"), configuration["Smtp:CertificatePassword"],
                generate: configuration["Smtp:CertificatePath"] is null, domains),
        };
    }

    /// <summary>
    /// <c>Smtp:TrustedProxies</c> as an array or one comma-separated value (<c>--Smtp:TrustedProxies=127.0.0.5/32</c>,
    /// <c>MAIL2SMS_Smtp__TrustedProxies</c>); null when not given, so the default stays. A value given replaces the default.
    /// </summary>
    private static IReadOnlyList<System.Net.IPNetwork>? TrustedProxies(IConfiguration configuration)
    {
        const string Key = "Smtp:TrustedProxies";
        if (configuration.List(Key) is not { Count: > 0 } listed)
        {
            return configuration[Key] is null ? null
                : throw new SettingsException($"{Key} is empty; list the load balancers' addresses or CIDR ranges, such as 10.0.0.5/32, or leave it out for 127.0.0.0/8.");
        }

        return [.. listed.Select(n => AccountRules.NetworkProblem(n, out var network) is { } problem
            ? throw new SettingsException($"{Key}: {problem}")
            : System.Net.IPNetwork.Parse(network))];
    }

    /// <summary>The <c>Delivery</c> section with the source addresses and concatenation of <c>Smpp:*</c>; a pool number sticks for the reply window.</summary>
    public static DeliveryOptions Delivery(IConfiguration configuration)
    {
        var defaults = new DeliveryOptions();
        var concatenation = configuration["Smpp:Concatenation"] ?? nameof(Concatenation.Udh8);
        return new DeliveryOptions
        {
            Validity = TimeSpan.FromHours(configuration.Number("Delivery:ValidityHours", (int)defaults.Validity.TotalHours)),
            ReceiptTimeout = TimeSpan.FromHours(configuration.Number("Delivery:ReceiptTimeoutHours", (int)defaults.ReceiptTimeout.TotalHours)),
            Lease = configuration.Seconds("Delivery:LeaseSeconds", defaults.Lease),
            NodeTimeout = configuration.Seconds("Delivery:NodeTimeoutSeconds", defaults.NodeTimeout),
            UnknownGrace = configuration.Seconds("Delivery:UnknownGraceSeconds", defaults.UnknownGrace),
            SourceAddress = configuration["Smpp:SourceAddress"] ?? defaults.SourceAddress,
            SourcePool = configuration.List("Smpp:SourcePool"),
            SourceStickiness = Replies(configuration).Window,
            Concatenation = Enum.TryParse<Concatenation>(concatenation, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                : throw new SettingsException($"Smpp:Concatenation is '{concatenation}'; it must be one of {string.Join(", ", Enum.GetNames<Concatenation>())}."),
        };
    }

    /// <summary><c>Sms:Provider</c> and every setting of the SMPP sessions (<c>Smpp:*</c>).</summary>
    public static SmsCentreOptions SmsCentre(IConfiguration configuration)
    {
        var provider = (configuration["Sms:Provider"] ?? "simulator").ToLowerInvariant();
        if (provider is not ("simulator" or "smpp"))
        {
            throw new SettingsException($"Sms:Provider is '{provider}'; it must be simulator or smpp.");
        }

        var defaults = new SmppClientOptions();
        var bindType = (configuration["Smpp:BindType"] ?? "transceiver").ToLowerInvariant() switch
        {
            "transceiver" => CommandId.BindTransceiver,
            // Submits only: no receipts and no replies come back on it.
            "transmitter" => CommandId.BindTransmitter,
            var other => throw new SettingsException($"Smpp:BindType is '{other}'; it must be transceiver or transmitter."),
        };
        var client = new SmppClientOptions
        {
            Host = configuration["Smpp:Host"] ?? "127.0.0.1",
            Port = configuration.Number("Smpp:Port", 2775),
            SystemId = configuration["Smpp:SystemId"] ?? "mail2sms",
            Password = configuration["Smpp:Password"] ?? string.Empty,
            SystemType = configuration["Smpp:SystemType"] ?? string.Empty,
            BindType = bindType,
            WindowSize = configuration.Number("Smpp:WindowSize", defaults.WindowSize),
            MaxSubmitsPerSecond = configuration.Number("Smpp:MaxSubmitsPerSecond", 0),
            ResponseTimeout = configuration.Seconds("Smpp:ResponseTimeoutSeconds", defaults.ResponseTimeout),
            EnquireLinkInterval = configuration.Seconds("Smpp:EnquireLinkSeconds", defaults.EnquireLinkInterval),
            MinReconnectDelay = configuration.Seconds("Smpp:MinReconnectSeconds", defaults.MinReconnectDelay),
            MaxReconnectDelay = configuration.Seconds("Smpp:MaxReconnectSeconds", defaults.MaxReconnectDelay),
            ThrottleDelay = configuration.Seconds("Smpp:ThrottleSeconds", defaults.ThrottleDelay),
            RequestReceipts = configuration.Flag("Smpp:RequestReceipts", defaults.RequestReceipts),
            UseTls = configuration.Flag("Smpp:UseTls", defaults.UseTls),
            CertificateValidation = TrustedCertificate(configuration),
        };
        if (client.MinReconnectDelay > client.MaxReconnectDelay)
        {
            throw new SettingsException(
                $"Smpp:MinReconnectSeconds is '{client.MinReconnectDelay.TotalSeconds}'; it must not be more than Smpp:MaxReconnectSeconds ({client.MaxReconnectDelay.TotalSeconds}).");
        }

        return new SmsCentreOptions(provider == "simulator", client, configuration.Number("Smpp:Binds", 1));
    }

    /// <summary>
    /// <c>Smpp:TlsServerCertificateThumbprint</c>: the SHA-256 (or SHA-1) hash, in hex, of the one certificate the SMSC may
    /// show besides those the system trusts, such as its own self-signed one; null (the system's rules alone) when not given.
    /// </summary>
    private static System.Net.Security.RemoteCertificateValidationCallback? TrustedCertificate(IConfiguration configuration)
    {
        const string Key = "Smpp:TlsServerCertificateThumbprint";
        if (configuration[Key] is not { } text)
        {
            return null;
        }

        var hex = text.Replace(":", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);
        if (hex.Length is not (40 or 64) || !hex.All(char.IsAsciiHexDigit))
        {
            throw new SettingsException($"{Key} is '{text}'; it must be the certificate's SHA-256 (64 hex digits) or SHA-1 (40 hex digits) thumbprint.");
        }

        var algorithm = hex.Length == 64 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1;
        return (_, certificate, _, errors) => errors == System.Net.Security.SslPolicyErrors.None
            || certificate is not null && certificate.GetCertHashString(algorithm).Equals(hex, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The <c>Replies</c> section.</summary>
    public static RepliesOptions Replies(IConfiguration configuration) => new(TimeSpan.FromDays(configuration.Number("Replies:WindowDays", 7)));

    /// <summary>The <c>Intake</c> section.</summary>
    public static IntakeOptions Intake(IConfiguration configuration) =>
        new(configuration.Number("Intake:MaxReportedFailures", Core.Intake.IntakeRules.DefaultMaxListedFailures));

    /// <summary>
    /// The <c>Web</c> section. The keys of sign-in cookies are kept in the database (every node and a restart read them)
    /// unless <c>Web:KeysDirectory</c> names a folder.
    /// </summary>
    public static WebOptions Web(IConfiguration configuration) => new()
    {
        Urls = configuration["Web:Urls"] ?? new WebOptions().Urls,
        KeysDirectory = configuration["Web:KeysDirectory"],
    };

    // Reads a section once, however many ways (IOptions, the start-up check) it is asked for.
    private sealed class SectionFactory<T>(Func<T> read) : IOptionsFactory<T>
        where T : class
    {
        private readonly Lazy<T> _value = new(read);

        public T Create(string name) => _value.Value;
    }
}

using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using MimeKit.Cryptography;

namespace Mail2Sms;

/// <summary>
/// The <c>Mail</c> section: the mail the gateway sends goes to <c>Mail:SmartHost</c> when set, else into
/// <c>Mail:PickupDirectory</c>; it is DKIM-signed when <c>Mail:DkimKeyPath</c>, <c>Mail:DkimSelector</c> and <c>Mail:DkimDomain</c> are set.
/// </summary>
internal static class MailSettings
{
    public static OutboxSender Sender(IConfiguration configuration, IOutbox outbox, Action<string> log) =>
        new(outbox, Transport(configuration), TimeProvider.System, log, Signer(configuration));

    private static IMailTransport Transport(IConfiguration configuration)
    {
        if (configuration["Mail:SmartHost"] is not { Length: > 0 } host)
        {
            return new PickupFolder(configuration["Mail:PickupDirectory"] ?? Path.Combine("data", "outbox"));
        }

        var tls = configuration["Mail:SmartTls"] ?? "starttls";
        var user = configuration["Mail:SmartUser"] is { Length: > 0 } name ? name : null;
        return new SmartHost(new SmartHostOptions
        {
            Host = host,
            Port = ServeCommand.Number(configuration, "Mail:SmartPort", 25),
            Tls = tls.ToLowerInvariant() switch
            {
                "none" => SecureSocketOptions.None,
                "starttls" => SecureSocketOptions.StartTlsWhenAvailable,
                "tls" => SecureSocketOptions.SslOnConnect,
                _ => throw new SettingsException($"Mail:SmartTls is '{tls}'; it must be none, starttls or tls."),
            },
            User = user,
            Password = user is null ? null
                : configuration["Mail:SmartPassword"] ?? throw new SettingsException("Mail:SmartUser is set without Mail:SmartPassword."),
            Timeout = TimeSpan.FromSeconds(ServeCommand.Number(configuration, "Mail:SmartTimeoutSeconds", 60)),
        });
    }

    private static DkimSigner? Signer(IConfiguration configuration)
    {
        var (path, selector, domain) = (configuration["Mail:DkimKeyPath"], configuration["Mail:DkimSelector"], configuration["Mail:DkimDomain"]);
        if (path is null && selector is null && domain is null)
        {
            return null;
        }

        if (path is not { Length: > 0 } || selector is not { Length: > 0 } || domain is not { Length: > 0 })
        {
            throw new SettingsException("Mail:DkimKeyPath, Mail:DkimSelector and Mail:DkimDomain go together: set all three, or none.");
        }

        try
        {
            return OutboxSender.Signer(path, domain, selector);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new SettingsException($"Mail:DkimKeyPath is '{path}', which cannot be read as a PEM private key: {e.Message}");
        }
    }
}

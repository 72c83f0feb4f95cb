using System.Net;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>What the gateway reads from SmtpServer's session objects.</summary>
internal static class SessionExtensions
{
    /// <summary>The mailbox as an address string; empty for the null sender <c>&lt;&gt;</c>.</summary>
    public static string AsAddress(this IMailbox mailbox) =>
        string.IsNullOrEmpty(mailbox.User) && string.IsNullOrEmpty(mailbox.Host) ? string.Empty
        : string.IsNullOrEmpty(mailbox.Host) ? mailbox.User : $"{mailbox.User}@{mailbox.Host}";

    /// <summary>The address of the connecting socket's peer (not a PROXY header's claim).</summary>
    public static IPAddress? RemoteAddress(this ISessionContext context) =>
        context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var endpoint) ? (endpoint as IPEndPoint)?.Address : null;
}

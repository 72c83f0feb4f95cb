using System.Globalization;
using System.Text;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Intake;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>The SMTP layer's own replies, each with its enhanced status code (RFC 3463) and a sentence a person reading a bounce can act on.</summary>
internal static class SmtpReplies
{
    public static readonly byte[] Ok = "250 2.0.0 Ok\r\n"u8.ToArray();
    public static readonly byte[] Bye = "221 2.0.0 Bye\r\n"u8.ToArray();
    public static readonly byte[] StartData = "354 Start mail input; end with <CRLF>.<CRLF>\r\n"u8.ToArray();
    public static readonly byte[] ReadyForTls = "220 2.0.0 Ready to start TLS\r\n"u8.ToArray();
    public static readonly byte[] Vrfy = "252 2.5.0 Mailboxes are not verified here: send the email and the gateway will answer for each recipient.\r\n"u8.ToArray();
    public static readonly byte[] Unrecognized = "502 5.5.1 Unrecognized command.\r\n"u8.ToArray();
    public static readonly byte[] SyntaxError = "501 5.5.2 Syntax error.\r\n"u8.ToArray();
    public static readonly byte[] MailSyntax = "501 5.5.2 Syntax error: send MAIL FROM:<address>.\r\n"u8.ToArray();
    public static readonly byte[] RcptSyntax = "501 5.5.2 Syntax error: send RCPT TO:<address>.\r\n"u8.ToArray();
    public static readonly byte[] HeloSyntax = "501 5.5.2 Syntax error: send EHLO or HELO with your host's name.\r\n"u8.ToArray();
    public static readonly byte[] HeloFirst = "503 5.5.1 Bad sequence of commands: send EHLO or HELO first.\r\n"u8.ToArray();
    public static readonly byte[] MailFirst = "503 5.5.1 Bad sequence of commands: send MAIL FROM first.\r\n"u8.ToArray();
    public static readonly byte[] NestedMail = "503 5.5.1 Bad sequence of commands: an email is already under way; send RSET to start another.\r\n"u8.ToArray();
    public static readonly byte[] RcptFirst = "503 5.5.1 Bad sequence of commands: no recipient was accepted; send RCPT TO first.\r\n"u8.ToArray();
    public static readonly byte[] TlsActive = "503 5.5.1 Bad sequence of commands: TLS is already on.\r\n"u8.ToArray();
    public static readonly byte[] TlsUnavailable = "454 4.7.0 TLS is not available on this gateway.\r\n"u8.ToArray();
    public static readonly byte[] TlsFirst = "530 5.7.0 Must issue a STARTTLS command first: SMTP AUTH is offered only over TLS.\r\n"u8.ToArray();
    public static readonly byte[] AlreadyAuthenticated = "503 5.5.1 Bad sequence of commands: already authenticated.\r\n"u8.ToArray();
    public static readonly byte[] AuthInTransaction = "503 5.5.1 Bad sequence of commands: AUTH is not allowed while an email is under way; send RSET first.\r\n"u8.ToArray();
    public static readonly byte[] UnknownMechanism = "504 5.5.4 Unrecognized authentication mechanism: use PLAIN or LOGIN.\r\n"u8.ToArray();
    public static readonly byte[] MalformedAuth = "501 5.5.2 The AUTH data is not valid base64 of what the mechanism asks for.\r\n"u8.ToArray();
    public static readonly byte[] AuthCancelled = "501 5.0.0 Authentication cancelled.\r\n"u8.ToArray();
    public static readonly byte[] PlainChallenge = "334 \r\n"u8.ToArray();
    public static readonly byte[] UserChallenge = "334 VXNlcm5hbWU6\r\n"u8.ToArray();
    public static readonly byte[] PasswordChallenge = "334 UGFzc3dvcmQ6\r\n"u8.ToArray();
    public static readonly byte[] UntrustedProxy = "421 4.7.0 A PROXY header is accepted only from a trusted load balancer (Smtp:TrustedProxies, Smtp:ProxyProtocol): closing the connection.\r\n"u8.ToArray();
    public static readonly byte[] GatewayBusy = "452 4.3.1 The gateway is busy with other emails: try again in a few minutes.\r\n"u8.ToArray();
    public static readonly byte[] BadProxyHeader = "421 4.7.0 The load balancer sent no valid PROXY header (v1): closing the connection.\r\n"u8.ToArray();

    /// <summary>The refusal of a command line past its cap; the rest of the line up to its LF is read and dropped.</summary>
    public static byte[] LineTooLong(int maxOctets) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"500 5.5.2 The line is longer than {maxOctets:N0} octets, the most this gateway reads (RFC 5321 4.5.3.1): it was ignored.\r\n"));

    public static byte[] TooManyConnections(int open) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"421 4.3.2 The gateway is at its limit of {open:N0} connections: try again in a few minutes.\r\n"));

    public static byte[] TooManyFromClient(System.Net.IPAddress? client, int open) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"421 4.7.0 Too many connections from {client} ({open} open): try again when some have closed.\r\n"));

    public static byte[] Silent(TimeSpan timeout) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"421 4.4.2 Nothing arrived for {timeout.TotalSeconds:0} seconds: closing the connection.\r\n"));

    public static byte[] SessionTooLong(TimeSpan limit) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"421 4.4.2 The session has lasted {limit.TotalSeconds:0} seconds, the most this gateway allows: closing the connection.\r\n"));

    /// <summary>The reply to an email larger than the gateway accepts, at <c>MAIL FROM ... SIZE=</c> or after its data; counted as a rejected email.</summary>
    public static SmtpReply TooLarge(int maxMessageBytes) => Refused(Reasons.Create(ReasonCode.MessageTooLarge, string.Create(CultureInfo.InvariantCulture,
        $"The email is larger than this gateway accepts ({maxMessageBytes:N0} bytes): send a smaller one, or split a CSV file.")));

    /// <summary>The reply to an email whose header section is larger than the gateway reads; counted as a rejected email.</summary>
    public static SmtpReply HeaderTooLarge(int maxHeaderBytes) => Refused(Reasons.Create(ReasonCode.MessageTooLarge, string.Create(CultureInfo.InvariantCulture,
        $"The email's header section is larger than this gateway reads ({maxHeaderBytes:N0} bytes): send it with fewer or shorter header lines.")));

    private static SmtpReply Refused(Reason reason)
    {
        GatewayMetrics.EmailRefused(reason);
        return SmtpReply.Refused(reason);
    }

    /// <summary>A reply's lines as they go out: <c>550-5.1.1 ...</c> for each but the last, <c>550 5.1.1 ...</c> for the last.</summary>
    public static byte[] Encode(SmtpReply reply) => Encoding.UTF8.GetBytes(reply + "\r\n");

    /// <summary>The EHLO reply: STARTTLS while there is a certificate and no TLS yet, AUTH only over TLS.</summary>
    public static byte[] Ehlo(SmtpOptions options, bool secure)
    {
        var lines = new List<string> { options.ServerName, "PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES" };
        if (options.Certificate is not null && !secure)
        {
            lines.Add("STARTTLS");
        }

        if (secure)
        {
            lines.Add("AUTH PLAIN LOGIN");
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"SIZE {options.MaxMessageBytes}"));
        return Encoding.ASCII.GetBytes(string.Concat(lines.Select((line, i) => $"250{(i == lines.Count - 1 ? ' ' : '-')}{line}\r\n")));
    }
}

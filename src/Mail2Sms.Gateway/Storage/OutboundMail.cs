using MimeKit;

namespace Mail2Sms.Gateway.Storage;

/// <summary>An email the gateway sends, with its envelope; <see cref="MailFrom"/> empty is the null sender.</summary>
/// <param name="Kind">What it is: <c>report</c>, <c>postmaster</c>.</param>
/// <param name="MailFrom">The envelope sender; empty (<c>&lt;&gt;</c>) for reports, so no bounce can loop.</param>
/// <param name="RcptTo">The envelope recipient.</param>
/// <param name="Message">The email.</param>
public sealed record OutboundMail(string Kind, string MailFrom, string RcptTo, MimeMessage Message)
{
    /// <summary>The email's bytes as they go out.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        Message.WriteTo(FormatOptions.Default, stream);
        return stream.ToArray();
    }
}

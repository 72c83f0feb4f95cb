using System.Net;
using Mail2Sms.Core.Formats;
using Mail2Sms.Core.Mail;
using MimeKit;

namespace Mail2Sms.Core.Intake;

/// <summary>The SMTP envelope of one transaction.</summary>
/// <param name="MailFrom">The <c>MAIL FROM</c> address; empty for the null sender <c>&lt;&gt;</c>.</param>
/// <param name="Recipients">The <c>RCPT TO</c> addresses the transaction accepted.</param>
/// <param name="ClientAddress">The connecting client's address (after the PROXY protocol).</param>
public sealed record Envelope(string MailFrom, IReadOnlyList<string> Recipients, IPAddress? ClientAddress = null);

/// <summary>
/// Step one of intake: what an email says about who sent it and what it asks for, read before the
/// sender is authenticated. The gateway authenticates <see cref="Originator"/> (with
/// <see cref="SenderBlock"/>, SMTP AUTH or the client address) and then calls
/// <see cref="IntakeRules.Decide"/>.
/// </summary>
public sealed class SenderFacts
{
    private SenderFacts(MimeMessage message, Envelope envelope, IReadOnlyList<Recipient> recipients, EmailContent content)
    {
        Message = message;
        Envelope = envelope;
        Recipients = recipients;
        Content = content;
        Author = AuthorOf(message, envelope);
        ForwardingUser = ForwardingUserOf(message, envelope, out var forwarded);
        IsForwarded = forwarded;
        AutoReplySigns = AutoReplySignsOf(message, envelope);
        Format = recipients.FirstOrDefault(r => r.Kind == RecipientKind.Sms)?.Format;
        SenderBlockReading = SenderBlock.Read(BodyLines.Split(content.Body));
        References = ReferencesOf(message);
    }

    /// <summary>Reads the facts of <paramref name="message"/> received in <paramref name="envelope"/>.</summary>
    public static SenderFacts Read(MimeMessage message, Envelope envelope, IReadOnlyCollection<string> gatewayDomains)
    {
        var recipients = envelope.Recipients.Select(r => Recipient.Parse(r, gatewayDomains)).ToList();
        return new SenderFacts(message, envelope, recipients, EmailContent.Read(message));
    }

    /// <summary>The parsed email.</summary>
    public MimeMessage Message { get; }

    /// <summary>The SMTP envelope.</summary>
    public Envelope Envelope { get; }

    /// <summary>The envelope recipients, classified.</summary>
    public IReadOnlyList<Recipient> Recipients { get; }

    /// <summary>The subject, body text and attachments.</summary>
    public EmailContent Content { get; }

    /// <summary>Who wrote the email: <c>From</c>, else <c>Sender</c> when <c>From</c> holds several, else <c>MAIL FROM</c>.</summary>
    public string? Author { get; }

    /// <summary>
    /// The sender, where replies and reports go: the <see cref="Author"/>, except for mail forwarded
    /// by a rule, whose sender is the <see cref="ForwardingUser"/>.
    /// </summary>
    public string? Originator => IsForwarded ? ForwardingUser : Author;

    /// <summary>True when a mail rule forwarded or redirected the email (<c>Resent-From</c>, Exchange's or Gmail's markers).</summary>
    public bool IsForwarded { get; }

    /// <summary>The user whose rule forwarded the email, when it was forwarded.</summary>
    public string? ForwardingUser { get; }

    /// <summary>The format the recipients ask for: that of the first SMS recipient.</summary>
    public EmailFormat? Format { get; }

    /// <summary>The <c>[SENDER]</c> block at the start of the body, if any.</summary>
    public SenderBlockReading SenderBlockReading { get; }

    /// <summary>The block, when the body begins with a valid one.</summary>
    public SenderBlock? SenderBlock => SenderBlockReading.Block;

    /// <summary>Signs that this is a bounce, an out-of-office answer or a read receipt (empty for ordinary mail).</summary>
    public IReadOnlyList<string> AutoReplySigns { get; }

    /// <summary>The Message-IDs named by <c>In-Reply-To</c> and <c>References</c>, to recognise answers to the gateway's reply emails.</summary>
    public IReadOnlyList<string> References { get; }

    /// <summary>The <c>Message-ID</c>, when the email has one.</summary>
    public string? MessageId => Message.MessageId;

    /// <summary>Why the email is refused whoever sent it: a loop-guard sign, or a malformed <c>[SENDER]</c> block.</summary>
    public Reason? Rejection => AutoReplySigns.Count > 0
        ? Reasons.Create(ReasonCode.AutoReply,
            $"This email looks like an automatic reply ({string.Join(", ", AutoReplySigns)}), and automatic replies never become SMS.")
        : SenderBlockReading.Failure;

    private static string? AuthorOf(MimeMessage message, Envelope envelope)
    {
        var from = message.From.Mailboxes.ToList();
        if (from.Count == 1)
        {
            return from[0].Address;
        }

        var sender = message.Sender?.Address;
        if (!string.IsNullOrEmpty(sender))
        {
            return sender;
        }

        return from.Count > 0 ? from[0].Address : NullIfEmpty(envelope.MailFrom);
    }

    private static string? ForwardingUserOf(MimeMessage message, Envelope envelope, out bool forwarded)
    {
        var resentFrom = message.ResentFrom.Mailboxes.FirstOrDefault()?.Address;
        var exchange = message.Headers["X-MS-Exchange-Inbox-Rules-Loop"];
        var gmail = message.Headers["X-Forwarded-For"];
        forwarded = resentFrom is not null || exchange is not null || gmail is not null;
        if (!forwarded)
        {
            return null;
        }

        return resentFrom ?? FirstAddressIn(exchange) ?? FirstAddressIn(gmail) ?? NullIfEmpty(envelope.MailFrom);
    }

    private static string? FirstAddressIn(string? header)
    {
        if (header is null)
        {
            return null;
        }

        foreach (var word in header.Split([' ', ',', ';', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = word.Trim('<', '>');
            if (MailboxAddress.TryParse(candidate, out var mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal))
            {
                return mailbox.Address;
            }
        }

        return null;
    }

    private static List<string> AutoReplySignsOf(MimeMessage message, Envelope envelope)
    {
        var signs = new List<string>();
        if (envelope.MailFrom.Trim('<', '>', ' ').Length == 0)
        {
            signs.Add("null MAIL FROM");
        }

        var autoSubmitted = message.Headers[HeaderId.AutoSubmitted]?.Trim();
        if (autoSubmitted?.StartsWith("auto-replied", StringComparison.OrdinalIgnoreCase) == true)
        {
            signs.Add("Auto-Submitted: auto-replied");
        }

        if (message.Body is MultipartReport || message.Body?.ContentType.IsMimeType("multipart", "report") == true)
        {
            signs.Add("multipart/report");
        }

        foreach (var header in new[] { "X-Autoreply", "X-Autorespond" })
        {
            if (message.Headers[header] is not null)
            {
                signs.Add(header);
            }
        }

        if (message.Headers[HeaderId.Precedence]?.Trim().Equals("auto_reply", StringComparison.OrdinalIgnoreCase) == true)
        {
            signs.Add("Precedence: auto_reply");
        }

        return signs;
    }

    private static List<string> ReferencesOf(MimeMessage message)
    {
        var ids = new List<string>();
        if (!string.IsNullOrEmpty(message.InReplyTo))
        {
            ids.Add(message.InReplyTo);
        }

        ids.AddRange(message.References.Where(r => !ids.Contains(r)));
        return ids;
    }

    private static string? NullIfEmpty(string value)
    {
        var trimmed = value.Trim('<', '>', ' ');
        return trimmed.Length == 0 ? null : trimmed;
    }
}

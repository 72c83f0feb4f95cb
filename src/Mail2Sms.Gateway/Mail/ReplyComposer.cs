using System.Globalization;
using System.Text;
using Mail2Sms.Gateway.Storage;
using MimeKit;

namespace Mail2Sms.Gateway.Mail;

/// <summary>
/// The email a reply SMS becomes (FORMATS.md "Replies"): from <c>&lt;mobile&gt;@&lt;gateway domain&gt;</c>, so
/// that answering it sends an SMS back; <c>Re:</c> the original subject; threaded under the original
/// email; the reply, then the SMS it answers, quoted.
/// </summary>
public sealed class ReplyComposer(string gatewayDomain)
{
    /// <summary>The reply email for <paramref name="text"/> from <paramref name="mobile"/> answering <paramref name="answered"/>.</summary>
    public OutboundMail Compose(string mobile, string text, AnsweredSms answered)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress($"+{mobile}", $"{mobile}@{gatewayDomain}"));
        message.To.Add(MailboxAddress.Parse(answered.Originator));
        message.Subject = string.IsNullOrWhiteSpace(answered.Subject) ? $"SMS reply from +{mobile}" : $"Re: {answered.Subject}";
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(gatewayDomain);
        if (answered.MessageId is { Length: > 0 } original)
        {
            message.InReplyTo = original;
            message.References.Add(original);
        }

        message.Headers.Add(HeaderId.AutoSubmitted, "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        var who = answered.Name is { Length: > 0 } name ? $"{name} (+{mobile})" : $"+{mobile}";
        var body = new StringBuilder(text.TrimEnd()).Append("\n\n")
            .Append(string.Create(CultureInfo.InvariantCulture, $"On {answered.SentAt:yyyy-MM-dd HH:mm} UTC you texted {who}:\n"));
        foreach (var line in answered.Text.Split('\n'))
        {
            body.Append("> ").Append(line).Append('\n');
        }

        message.Body = new TextPart("plain") { Text = body.ToString() };
        // The null sender: a bounce of this email must never come back as an SMS.
        return new OutboundMail("reply", string.Empty, answered.Originator, message);
    }
}

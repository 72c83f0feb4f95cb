using System.Text;
using Mail2Sms.Core.Intake;
using MimeKit;

namespace Mail2Sms.Core.Tests.Intake;

/// <summary>Builds emails the way a plain client writes them, and runs both steps of intake.</summary>
internal static class Emails
{
    public const string Domain = "mail.completesms.net";

    public static readonly Account Au = new("CI00123456", "AU");

    public static MimeMessage Plain(string subject, string body, string from = "ops@example.com.au", string extraHeaders = "")
    {
        var fromHeader = from.Contains('<', StringComparison.Ordinal) ? from : $"Ops <{from}>";
        var text = $"From: {fromHeader}\r\nTo: someone@{Domain}\r\nSubject: {subject}\r\nMessage-ID: <1@example.com.au>\r\n{extraHeaders}" +
                   $"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body.Replace("\n", "\r\n", StringComparison.Ordinal)}";
        return MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));
    }

    public static MimeMessage WithCsv(string csv, string fileName = "CI00123456251125120000.csv")
    {
        var message = Plain("bulk", "");
        var body = new BodyBuilder { TextBody = "Bulk send" };
        body.Attachments.Add(fileName, Encoding.UTF8.GetBytes(csv), new ContentType("text", "csv"));
        message.Body = body.ToMessageBody();
        return message;
    }

    public static SenderFacts Facts(MimeMessage message, params string[] recipients) =>
        FactsFrom(message, "ops@example.com.au", recipients);

    public static SenderFacts FactsFrom(MimeMessage message, string mailFrom, params string[] recipients) =>
        SenderFacts.Read(message, new Envelope(mailFrom, recipients.Select(r => r.Contains('@', StringComparison.Ordinal) ? r : $"{r}@{Domain}").ToList()), [Domain]);

    public static IntakeDecision Decide(MimeMessage message, params string[] recipients) =>
        IntakeRules.Decide(Facts(message, recipients), Au);

    public static Acceptance Accepted(MimeMessage message, params string[] recipients) =>
        Assert.IsType<Acceptance>(Decide(message, recipients));

    public static Rejection Rejected(MimeMessage message, params string[] recipients) =>
        Assert.IsType<Rejection>(Decide(message, recipients));
}

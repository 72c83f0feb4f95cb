using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Intake;
using SmtpServer.Protocol;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>Our replies in SmtpServer's terms: the enhanced code leads each line, lines joined for the <see cref="ReplyWriter"/>.</summary>
internal static class SmtpReplies
{
    public static SmtpResponse From(SmtpReply reply) =>
        new((SmtpReplyCode)reply.Code, string.Join(ReplyWriter.LineSeparator, reply.Lines.Select(l => $"{reply.EnhancedCode} {l}")));

    public static SmtpResponseException Refusal(Reason reason) => new(From(SmtpReply.Refused(reason)));
}

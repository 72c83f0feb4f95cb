using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Mail;
using Mail2Sms.Gateway.Intake;
using MimeKit;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// <c>DATA</c>: hands the email to intake and answers with its reply. Any failure of the gateway
/// itself is <c>451 4.3.0</c>, never a permanent refusal, so the sending server keeps the email.
/// </summary>
internal sealed class GatewayMessageStore(IntakeService intake, SmtpOptions options, Action<Exception> onError)
{
    /// <summary>Decides the email whose data (dot-unstuffed, its final dot removed) is <paramref name="data"/>.</summary>
    public async Task<SmtpReply> SaveAsync(SmtpSessionContext context, ArraySegment<byte> data, CancellationToken cancellationToken)
    {
        // Off the socket's thread: parsing and deciding a large email takes long, and with inline socket
        // completions (serve's default) the socket's thread serves every other session too.
        await Task.Yield();
        try
        {
            // A huge folded header is unfolded first (MimeKit reads one in quadratic time); only then is the data copied again.
            using var stream = LongHeaderFields.HasLongField(data)
                ? new MemoryStream(LongHeaderFields.Unfold(data.ToArray()), writable: false)
                : new MemoryStream(data.Array!, data.Offset, data.Count, writable: false);
            var message = await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
            var admitted = context.Recipients;
            var from = context.MailFrom ?? string.Empty;
            if (admitted.Any(r => r.Kind == RecipientKind.Operator))
            {
                // RFC 5321 requires postmaster; bounces reach it too (the loop guard stops them only from becoming SMS).
                await intake.ForwardToPostmasterAsync(message, from, options.PostmasterAddress, cancellationToken).ConfigureAwait(false);
            }

            var recipients = admitted.Where(r => r.Kind == RecipientKind.Sms).Select(r => r.Address).ToList();
            if (recipients.Count == 0)
            {
                return SmtpReply.Accepted("Delivered to the postmaster.");
            }

            return await intake.ReceiveAsync(
                new IncomingEmail(message, new Envelope(from, recipients, context.ClientAddress), data.Count, context.AuthenticatedUser), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            onError(e);
            GatewayMetrics.EmailRefused(Reasons.InternalError);
            return SmtpReply.Refused(Reasons.InternalError);
        }
    }
}

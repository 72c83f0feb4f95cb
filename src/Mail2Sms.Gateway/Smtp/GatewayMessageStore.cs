using System.Buffers;
using System.Net;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Intake;
using MimeKit;
using SmtpServer;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// <c>DATA</c>: hands the email to intake and answers with its reply. Any failure of the gateway
/// itself is <c>451 4.3.0</c>, never a permanent refusal, so the sending server keeps the email.
/// </summary>
internal sealed class GatewayMessageStore(IntakeService intake, Action<Exception> onError) : MessageStore
{
    public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            // SmtpServer hands the message over in many small segments: copy it once.
            using var stream = new MemoryStream(buffer.ToArray(), writable: false);
            var message = await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
            var recipients = ((List<Recipient>)context.Properties[GatewayMailboxFilter.RecipientsKey])
                .Where(r => r.Kind == RecipientKind.Sms).Select(r => r.Address).ToList();
            var client = context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var endpoint) ? (endpoint as IPEndPoint)?.Address : null;
            var authUser = context.Authentication.IsAuthenticated ? context.Authentication.User : null;
            var reply = await intake.ReceiveAsync(
                new IncomingEmail(message, new Envelope(transaction.From.AsAddress(), recipients, client), buffer.Length, authUser), cancellationToken).ConfigureAwait(false);
            return SmtpReplies.From(reply);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            onError(e);
            return SmtpReplies.From(SmtpReply.Refused(Reasons.InternalError));
        }
    }
}

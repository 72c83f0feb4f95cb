using System.Buffers;
using System.Net;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// <c>DATA</c>: hands the email to intake and answers with its reply. Any failure of the gateway
/// itself is <c>451 4.3.0</c>, never a permanent refusal, so the sending server keeps the email.
/// </summary>
internal sealed class GatewayMessageStore(IntakeService intake, OutboxStore outbox, SmtpOptions options, Action<Exception> onError) : MessageStore
{
    public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        // Off the socket's thread: parsing and deciding a large email takes long, and with inline socket
        // completions (serve's default) the socket's thread serves every other session too.
        await Task.Yield();
        try
        {
            // SmtpServer hands the message over in many small segments: copy it once. A huge folded header is unfolded first (MimeKit reads one in quadratic time).
            using var stream = new MemoryStream(Core.Mail.LongHeaderFields.Unfold(buffer.ToArray()), writable: false);
            var message = await MimeMessage.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
            var admitted = (List<Recipient>)context.Properties[GatewayMailboxFilter.RecipientsKey];
            var from = transaction.From.AsAddress();
            if (admitted.Any(r => r.Kind == RecipientKind.Operator))
            {
                // RFC 5321 requires postmaster; bounces reach it too (the loop guard stops them only from becoming SMS).
                await outbox.QueueAsync(new OutboundMail("postmaster", from, options.PostmasterAddress, message), cancellationToken).ConfigureAwait(false);
            }

            var recipients = admitted.Where(r => r.Kind == RecipientKind.Sms).Select(r => r.Address).ToList();
            if (recipients.Count == 0)
            {
                return SmtpReplies.From(SmtpReply.Accepted("Delivered to the postmaster."));
            }

            var client = ClientAddress(context);
            var authUser = context.Authentication.IsAuthenticated ? context.Authentication.User : null;
            var reply = await intake.ReceiveAsync(
                new IncomingEmail(message, new Envelope(from, recipients, client), buffer.Length, authUser), cancellationToken).ConfigureAwait(false);
            return SmtpReplies.From(reply);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            onError(e);
            GatewayMetrics.EmailRefused(Reasons.InternalError);
            return SmtpReplies.From(SmtpReply.Refused(Reasons.InternalError));
        }
    }

    // The connecting address, or the one a trusted load balancer's PROXY header gives. SmtpServer accepts
    // a PROXY header from anyone, so it is believed only when configured and from a trusted address.
    private IPAddress? ClientAddress(ISessionContext context)
    {
        var remote = context.RemoteAddress();
        if (options.ProxyProtocol && remote is not null
            && context.Properties.TryGetValue(ProxyCommand.ProxySourceEndpointKey, out var proxied) && proxied is IPEndPoint source
            && options.TrustedProxies.Any(n => n.Contains(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote)))
        {
            return source.Address;
        }

        return remote;
    }
}

using Mail2Sms.Core.Delivery;
using Mail2Sms.Core.Replies;
using Mail2Sms.Gateway.Mail;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>Routes a reply from a mobile to whoever sent the SMS it answers; an email queued for it wakes the outbox (<paramref name="mailQueued"/>).</summary>
public sealed class ReplyRouter(ReplyForwarder replies, Action? mailQueued = null)
{
    /// <summary>Matches <paramref name="reply"/> and queues its email, or records it unmatched.</summary>
    public async Task RouteAsync(SmsReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (await replies.ReceiveAsync(reply.Mobile, reply.To, reply.Text).ConfigureAwait(false) != ReplyOutcome.Unmatched)
        {
            mailQueued?.Invoke();
        }
    }
}

using Mail2Sms.Core.Replies;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Mail;

/// <summary>
/// Replies from mobiles on their way to the originators' mailboxes: the store matches and keeps each one and
/// queues the email the composer makes of it, in one transaction; replies are matched within <paramref name="window"/>
/// (<c>Replies:WindowDays</c>) unless an account has its own.
/// </summary>
public sealed class ReplyForwarder(IReplyStore store, ReplyComposer composer, TimeSpan window)
{
    /// <summary>Keeps a reply to <paramref name="toAddress"/> (the source address it answers) and queues its email; returns what became of it.</summary>
    public async Task<ReplyOutcome> ReceiveAsync(string mobile, string toAddress, string text, CancellationToken cancellationToken = default)
    {
        var outcome = await store.ReceiveAsync(mobile, toAddress, text, window, composer.Compose, cancellationToken).ConfigureAwait(false);
        GatewayMetrics.ReplyReceived(outcome);
        return outcome;
    }

    /// <summary>Assigns an unmatched or ambiguous reply to the SMS it answers, as the operator <paramref name="by"/> decided, and emails it.</summary>
    /// <exception cref="StoreException">The reply is not unmatched or ambiguous, or the SMS was not sent to its mobile.</exception>
    public async Task<ReplyAssignment> AssignAsync(long replyId, long smsId, string by, CancellationToken cancellationToken = default)
    {
        var assignment = await store.AssignAsync(replyId, smsId, by, composer.Compose, cancellationToken).ConfigureAwait(false);
        GatewayMetrics.ReplyAssigned();
        return assignment;
    }
}

namespace Mail2Sms.Gateway.Storage;

/// <summary>One queued outbound email as stored; <paramref name="Attempts"/> is how many times sending it failed so far.</summary>
public sealed record QueuedMail(long Id, string Kind, string MailFrom, string RcptTo, byte[] Message, long Attempts);

/// <summary>
/// The queue of mail the gateway sends: rows added in the transaction that caused them, due at once, taken
/// with a lease so no two senders (of one node or many) send one mail twice, marked sent once out, put off with
/// the reason when sending failed for now, failed with the reason when refused for good.
/// </summary>
public interface IOutbox
{
    /// <summary>Queues <paramref name="mail"/> on its own (mail not tied to an accepted email, such as postmaster's); returns its ID.</summary>
    Task<long> QueueAsync(OutboundMail mail, CancellationToken cancellationToken = default);

    /// <summary>True when one of <paramref name="messageIds"/> is a reply email the gateway sent (answering it sends an SMS back).</summary>
    Task<bool> IsGatewayReplyAsync(IReadOnlyList<string> messageIds, CancellationToken cancellationToken = default);

    /// <summary>The queued mail, due or put off, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<QueuedMail>> QueuedAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the queued mail due by now, earliest first, at most <paramref name="limit"/>: none of it is due again
    /// (to this sender or another) until <paramref name="lease"/> has passed, unless it is released, put off or finished first,
    /// or its <paramref name="node"/> (the node taking it, when given) stops or is found dead (<see cref="INodeRegistry"/>).
    /// </summary>
    Task<IReadOnlyList<QueuedMail>> TakeDueAsync(int limit, TimeSpan lease, long? node = null, CancellationToken cancellationToken = default);

    /// <summary>Gives taken mail back unsent and due at once, as when its destination could not be reached before its turn came.</summary>
    Task ReleaseAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default);

    /// <summary>Marks a mail sent: it is never taken again.</summary>
    Task MarkSentAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Puts a mail off until <paramref name="due"/> after a send that failed for now, keeping <paramref name="reason"/>.</summary>
    Task PutOffAsync(long id, DateTimeOffset due, string reason, CancellationToken cancellationToken = default);

    /// <summary>Marks a mail failed for good, keeping <paramref name="reason"/> (the server's reply) for the operator.</summary>
    Task MarkFailedAsync(long id, string reason, CancellationToken cancellationToken = default);
}

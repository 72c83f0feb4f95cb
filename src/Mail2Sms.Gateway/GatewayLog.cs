using Microsoft.Extensions.Logging;

namespace Mail2Sms.Gateway;

/// <summary>
/// What the gateway logs, one message template each, so every line of a kind carries the same
/// properties (<c>MessageId</c>, <c>Account</c>, <c>SmsId</c> ...) for a structured log to filter on.
/// </summary>
public static partial class GatewayLog
{
    /// <summary>An email accepted and its SMS queued.</summary>
    [LoggerMessage(1, LogLevel.Information, "Email {MessageId} from account {Account} accepted as email {EmailId}: {Sms} SMS queued")]
    public static partial void EmailAccepted(this ILogger log, string? messageId, string account, long? emailId, int sms);

    /// <summary>An email rejected; <paramref name="reason"/> is the code <c>/metrics</c> counts it under.</summary>
    [LoggerMessage(2, LogLevel.Information, "Email {MessageId} from account {Account} rejected, {Reason}: {Text}")]
    public static partial void EmailRejected(this ILogger log, string? messageId, string? account, string reason, string text);

    /// <summary>Intake itself failed: the sending server was told to try again.</summary>
    [LoggerMessage(3, LogLevel.Error, "Intake failed, answered 451 4.3.0")]
    public static partial void IntakeFailed(this ILogger log, Exception exception);

    /// <summary>Every part of an SMS taken by the SMS centre.</summary>
    [LoggerMessage(4, LogLevel.Information, "SMS {SmsId} of account {Account} submitted, SMSC message IDs {SmscMessageIds}")]
    public static partial void SmsSubmitted(this ILogger log, long smsId, string account, string smscMessageIds);

    /// <summary>An SMS ended without being delivered: failed or expired.</summary>
    [LoggerMessage(5, LogLevel.Warning, "SMS {SmsId} of account {Account} {Status}: {Text}")]
    public static partial void SmsEnded(this ILogger log, long smsId, string account, string status, string text);

    /// <summary>An SMS not submitted this time, queued again.</summary>
    [LoggerMessage(6, LogLevel.Information, "SMS {SmsId} of account {Account} will be tried again at {DueAt:u}: {Text}")]
    public static partial void SmsRetrying(this ILogger log, long smsId, string account, DateTimeOffset dueAt, string text);

    /// <summary>An SMS whose submit's answer never came, held until a receipt says it was taken or its grace ends.</summary>
    [LoggerMessage(24, LogLevel.Warning, "SMS {SmsId} of account {Account} is uncertain (no answer to its submit: {Text}); sent again at {DueAt:u} unless its receipt comes first")]
    public static partial void SmsUncertain(this ILogger log, long smsId, string account, string text, DateTimeOffset dueAt);

    /// <summary>The delivery loop failed; what it claimed comes back when its lease ends.</summary>
    [LoggerMessage(7, LogLevel.Warning, "Delivery failed, will retry")]
    public static partial void DeliveryFailed(this ILogger log, Exception exception);

    /// <summary>An SMPP session bound or ended.</summary>
    [LoggerMessage(8, LogLevel.Information, "SMPP {Event}: {Detail}")]
    public static partial void SmppSession(this ILogger log, string @event, string? detail);

    /// <summary>A receipt or a reply from the SMS centre not taken (answered ESME_RX_T_APPN: the SMS centre sends it again).</summary>
    [LoggerMessage(25, LogLevel.Warning, "A message from the SMS centre was not taken, so the SMS centre will send it again: {Detail}")]
    public static partial void SmppDeliverFailed(this ILogger log, string? detail);

    /// <summary>A refused email could not be kept for the dashboard; the sender got its refusal all the same.</summary>
    [LoggerMessage(10, LogLevel.Warning, "A refused email was not kept for the dashboard")]
    public static partial void RejectionNotKept(this ILogger log, Exception exception);

    /// <summary>Mail the gateway sends (a reply, a report) not sent yet, or refused for good.</summary>
    [LoggerMessage(9, LogLevel.Warning, "Outbound mail: {Text}")]
    public static partial void MailNotSent(this ILogger log, string text);

    /// <summary>This process registered as a node of the gateway.</summary>
    [LoggerMessage(20, LogLevel.Information, "Node {Node} started on {Host} as process {ProcessId}")]
    public static partial void NodeStarted(this ILogger log, long node, string host, int processId);

    /// <summary>Nodes found dead (no heartbeat, or their process gone): their claims on SMS released to be claimed again.</summary>
    [LoggerMessage(21, LogLevel.Warning, "Nodes found dead: {Nodes}; {Claims} claims on SMS taken over")]
    public static partial void NodesTakenOver(this ILogger log, string nodes, int claims);

    /// <summary>This node's heartbeat came after another node had found it dead and taken over its claims.</summary>
    [LoggerMessage(22, LogLevel.Warning, "Node {Node} was found dead by another (no heartbeat for {TimeoutSeconds} s) and its claims taken over; it runs on")]
    public static partial void NodeTakenForDead(this ILogger log, long node, double timeoutSeconds);

    /// <summary>A heartbeat could not be written; the next is tried.</summary>
    [LoggerMessage(23, LogLevel.Warning, "The node's heartbeat was not written, will retry")]
    public static partial void HeartbeatFailed(this ILogger log, Exception exception);
}

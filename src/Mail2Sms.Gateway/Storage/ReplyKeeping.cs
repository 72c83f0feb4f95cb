using System.Diagnostics.CodeAnalysis;
using Mail2Sms.Core.Replies;

namespace Mail2Sms.Gateway.Storage;

/// <summary>An SMS as a reply to it needs it, whatever the provider: who sent it, from which email, and where it went.</summary>
internal sealed record RepliedSms(long SmsId, string AccountId, string Number, string? Originator, string? MessageId, string Subject, string? Name, string Text,
    DateTimeOffset? SubmittedAt, string? Source, int? WindowDays)
{
    /// <summary>The query of such SMS, its columns named as the providers' rows of it are, to which a provider adds its WHERE.</summary>
    public const string Sql = """
        SELECT s.id AS SmsId, s.account_id AS AccountId, s.number AS Number, e.originator AS Originator, e.message_id AS MessageId, e.subject AS Subject,
               s.name AS Name, s.text AS Text, s.submitted_at AS SubmittedAt, s.source_address AS Source, a.reply_window_days AS WindowDays
        FROM sms s JOIN emails e ON e.id = s.email_id JOIN accounts a ON a.id = s.account_id
        """;

    public DateTimeOffset SentAt => SubmittedAt ?? throw new InvalidOperationException($"SMS {SmsId} was never submitted.");

    /// <summary>The SMS as Core's <see cref="ReplyMatching"/> weighs it.</summary>
    public SentSms ForMatching => new(SmsId, AccountId, Source, SentAt, WindowDays);

    /// <summary>The SMS as the reply email quotes it; only for an SMS with an originator.</summary>
    public AnsweredSms Answered => new(Originator ?? throw new InvalidOperationException($"SMS {SmsId} came through the REST API: it has no originator."),
        MessageId, Subject, Name, Text, SentAt);

    /// <summary>What a reply to it becomes when assigned by hand: emailed, or kept for an SMS sent through the REST API.</summary>
    public ReplyOutcome AssignedOutcome => Originator is not null ? ReplyOutcome.Emailed : ReplyOutcome.Kept;
}

/// <summary>A kept reply as assigning it needs it.</summary>
internal sealed record KeptReply(string Mobile, string Text, string Status, long? SmsId, string? AssignedBy);

/// <summary>What both providers' reply stores decide the same way: the mobile's form, the status words, matching and the refusals of an assignment.</summary>
internal static class ReplyKeeping
{
    /// <summary>A mobile as replies and opt-outs keep it: digits without the <c>+</c>.</summary>
    public static string Number(string mobile) => mobile.Trim().TrimStart('+');

    /// <summary>The status a reply with this outcome is kept in.</summary>
    public static string Status(ReplyOutcome outcome) => outcome.ToString().ToLowerInvariant();

    /// <summary>The SMS among <paramref name="sent"/> a reply to <paramref name="toAddress"/> answers (null for none), and what becomes of it.</summary>
    public static (RepliedSms? Answered, ReplyOutcome Outcome) Match(IReadOnlyCollection<RepliedSms> sent, string toAddress, DateTimeOffset at, TimeSpan window)
    {
        var match = ReplyMatching.Match(sent.Select(s => s.ForMatching), toAddress, at, window);
        var answered = match.Answered is { } found ? sent.Single(s => s.SmsId == found.SmsId) : null;
        return (answered, match.Outcome(answered?.Originator is not null));
    }

    /// <summary>Refuses, with the sentence the operator sees, to assign <paramref name="reply"/> to <paramref name="sms"/> unless it may be.</summary>
    /// <exception cref="StoreException">The reply is not unmatched or ambiguous, or the SMS was not sent to its mobile.</exception>
    public static void CheckAssignable(long replyId, [NotNull] KeptReply? reply, long smsId, [NotNull] RepliedSms? sms)
    {
        RefuseIf(reply is null, $"There is no reply {replyId}.");
        RefuseIf(reply.AssignedBy is not null, $"Reply {replyId} was assigned to SMS {reply.SmsId} by {reply.AssignedBy} already.");
        RefuseIf(reply.Status != Status(ReplyOutcome.Unmatched) && reply.Status != Status(ReplyOutcome.Ambiguous),
            $"Reply {replyId} is {reply.Status}: only an unmatched or ambiguous reply can be assigned.");
        RefuseIf(reply.SmsId == smsId, $"Reply {replyId} was emailed for SMS {smsId} already: assign it to the SMS of the other account it answers.");
        RefuseIf(sms is null, $"There is no SMS {smsId}.");
        RefuseIf(Number(sms.Number) != reply.Mobile, $"SMS {smsId} went to {sms.Number}, not to {reply.Mobile}.");
        RefuseIf(sms.SubmittedAt is null, $"SMS {smsId} was never sent to {sms.Number}, so no reply answers it.");
    }

    private static void RefuseIf([DoesNotReturnIf(true)] bool refused, string reason)
    {
        if (refused)
        {
            throw new StoreException(reason);
        }
    }
}

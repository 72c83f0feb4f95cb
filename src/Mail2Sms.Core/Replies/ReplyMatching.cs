namespace Mail2Sms.Core.Replies;

/// <summary>What became of a reply from a mobile.</summary>
public enum ReplyOutcome
{
    /// <summary>Emailed to the originator of the SMS it answers.</summary>
    Emailed,

    /// <summary>Emailed to the latest, but another account texted the mobile within the window too: flagged for the operator.</summary>
    Ambiguous,

    /// <summary>It answers no SMS within the window: kept for the operator.</summary>
    Unmatched,

    /// <summary>It answers an SMS sent through the REST API, which has no mailbox to email: kept for the account to read.</summary>
    Kept,
}

/// <summary>An SMS sent to the mobile a reply comes from, as matching needs it.</summary>
/// <param name="SmsId">The SMS.</param>
/// <param name="AccountId">Its account.</param>
/// <param name="SourceAddress">The source address it was sent from, when known.</param>
/// <param name="SentAt">When it was submitted.</param>
/// <param name="WindowDays">Its account's own reply window in days; null for the gateway's.</param>
public sealed record SentSms(long SmsId, string AccountId, string? SourceAddress, DateTimeOffset SentAt, int? WindowDays);

/// <summary>The SMS a reply answers, if any, and whether another account's SMS could have been the one.</summary>
/// <param name="Answered">The SMS answered; null when none within the window.</param>
/// <param name="Ambiguous">More than one account texted the mobile from that address within the window.</param>
public sealed record ReplyMatch(SentSms? Answered, bool Ambiguous)
{
    /// <summary>What becomes of the reply: a match whose SMS has no mailbox (sent through the REST API) is kept for its account.</summary>
    public ReplyOutcome Outcome(bool answeredHasMailbox) =>
        Answered is null ? ReplyOutcome.Unmatched
        : !answeredHasMailbox ? ReplyOutcome.Kept
        : Ambiguous ? ReplyOutcome.Ambiguous
        : ReplyOutcome.Emailed;
}

/// <summary>
/// Which SMS a reply answers (FORMATS.md "Replies"): the latest SMS sent to the mobile from the address it
/// replied to, within its account's reply window (or the gateway's); when none was sent from there (an SMSC
/// that rewrites the address), the latest sent to the mobile from anywhere.
/// </summary>
public static class ReplyMatching
{
    /// <summary>How long replies are matched to an account's SMS: its own window when it has one, else the gateway's.</summary>
    public static TimeSpan WindowOf(int? accountDays, TimeSpan gateway) => accountDays is { } days ? TimeSpan.FromDays(days) : gateway;

    /// <summary>How far back a store must look for SMS a reply may answer: the widest of the gateway's window and every account's.</summary>
    public static TimeSpan LookBack(int? widestAccountDays, TimeSpan gateway) => TimeSpan.FromDays(Math.Max(gateway.TotalDays, widestAccountDays ?? 0));

    /// <summary>Matches a reply received at <paramref name="at"/> to <paramref name="toAddress"/> against the SMS <paramref name="sent"/> to its mobile (in any order).</summary>
    public static ReplyMatch Match(IEnumerable<SentSms> sent, string toAddress, DateTimeOffset at, TimeSpan gatewayWindow)
    {
        ArgumentNullException.ThrowIfNull(toAddress);
        var inWindow = sent.Where(s => s.SentAt >= at - WindowOf(s.WindowDays, gatewayWindow))
            .OrderByDescending(s => s.SentAt).ThenByDescending(s => s.SmsId).ToList();
        var fromThere = inWindow.Where(s => s.SourceAddress?.TrimStart('+') == toAddress.TrimStart('+')).ToList();
        var latest = fromThere.Count > 0 ? fromThere : inWindow;
        return new ReplyMatch(latest.FirstOrDefault(), latest.Select(s => s.AccountId).Distinct(StringComparer.Ordinal).Count() > 1);
    }
}

/// <summary>What a reply does to its mobile's place on the account's opt-out list.</summary>
public enum OptOutChange
{
    /// <summary>Nothing: an ordinary reply.</summary>
    None,

    /// <summary>STOP or UNSUBSCRIBE alone: later SMS of the account to the mobile fail, until START.</summary>
    OptOut,

    /// <summary>START alone: the mobile may be texted again.</summary>
    OptIn,
}

/// <summary>The opt-out words (FORMATS.md "Replies"): STOP and UNSUBSCRIBE opt out, START opts back in; any case, alone in the reply.</summary>
public static class OptOutWords
{
    /// <summary>What <paramref name="replyText"/> does to the opt-out list.</summary>
    public static OptOutChange Of(string replyText) => replyText.Trim().ToUpperInvariant() switch
    {
        "STOP" or "UNSUBSCRIBE" => OptOutChange.OptOut,
        "START" => OptOutChange.OptIn,
        _ => OptOutChange.None,
    };
}

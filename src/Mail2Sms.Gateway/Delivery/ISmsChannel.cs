using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>One SMS to submit, from its part <see cref="FirstPart"/> on (the earlier ones were taken in an attempt cut short).</summary>
/// <param name="Id">The SMS.</param>
/// <param name="Number">The mobile, international digits.</param>
/// <param name="Text">The text as it will be sent.</param>
/// <param name="Source">The source address it goes from.</param>
/// <param name="FirstPart">The number of the first part to submit, from 1.</param>
public sealed record OutgoingSms(long Id, string Number, string Text, string Source, int FirstPart);

/// <summary>What a channel made of one submit; <see cref="Taken"/> holds the parts it took either way, which are not sent again.</summary>
/// <param name="Taken">The parts the channel took in this attempt, with its message ID for each.</param>
public abstract record SubmitOutcome(SentParts Taken);

/// <summary>Every part was taken.</summary>
public sealed record SubmitAccepted(SentParts Taken) : SubmitOutcome(Taken);

/// <summary>Refused for now: worth trying again, after <paramref name="RetryAfter"/> when the channel says.</summary>
public sealed record SubmitTransient(SentParts Taken, string Reason, TimeSpan? RetryAfter = null) : SubmitOutcome(Taken);

/// <summary>Refused for good.</summary>
public sealed record SubmitPermanent(SentParts Taken, string Reason) : SubmitOutcome(Taken);

/// <summary>
/// No answer came for the part under way (a timeout, a dropped connection, the gateway stopping): whether the channel
/// took it cannot be known until its receipt comes, which <paramref name="PartText"/> lets the queue recognise.
/// </summary>
/// <param name="Taken">The parts taken before the one under way.</param>
/// <param name="Reason">Why no answer came, in words.</param>
/// <param name="Stopping">The gateway was stopping.</param>
/// <param name="PartText">The text of the part under way, as a receipt quotes it; null when none was handed over yet.</param>
public sealed record SubmitOutcomeUnknown(SentParts Taken, string Reason, bool Stopping, string? PartText = null) : SubmitOutcome(Taken);

/// <summary>Whether a channel can take SMS now, and a sentence on why or why not.</summary>
public sealed record ChannelHealth(bool Up, string Detail);

/// <summary>
/// A way SMS leave the gateway (an SMPP centre, the built-in simulator, an HTTP provider): it submits, says whether it is
/// up and how many submits it takes at once, and hands receipts and replies to the handlers it was built with.
/// </summary>
public interface ISmsChannel
{
    /// <summary>Its name on /readyz, /metrics and the overview: <c>smpp</c>, <c>simulator</c> ...</summary>
    string Name { get; }

    /// <summary>Whether it can take SMS now.</summary>
    ChannelHealth Health { get; }

    /// <summary>Its sessions to the far end as they are now, for the operator: an SMPP channel's binds; none for a channel without sessions.</summary>
    IReadOnlyList<BindStatus> Sessions { get; }

    /// <summary>Submits it takes at once.</summary>
    int Capacity { get; }

    /// <summary>Completes once it is up.</summary>
    Task WaitUpAsync(CancellationToken cancellationToken);

    /// <summary>Submits <paramref name="sms"/>; never throws for what the far end did, only reports it.</summary>
    Task<SubmitOutcome> SubmitAsync(OutgoingSms sms, CancellationToken cancellationToken);

    /// <summary>Its periodic housekeeping, on each of the sweeper's rounds.</summary>
    Task SweepAsync();
}

using System.Globalization;
using Mail2Sms.Core.Text;
using Mail2Sms.Smpp;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>How queued SMS go out (<c>Delivery:*</c> and <c>Smpp:*</c>).</summary>
public sealed record DeliveryOptions
{
    /// <summary>How long an SMS may wait to be submitted before it expires (<c>Delivery:ValidityHours</c>).</summary>
    public TimeSpan Validity { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The source address when the account has no sender and there is no pool (<c>Smpp:SourceAddress</c>):
    /// digits go as a number, anything else as alphanumeric.
    /// </summary>
    public string SourceAddress { get; init; } = "Mail2Sms";

    /// <summary>Numbers an account and mobile pair is given one of, and keeps, so replies are unambiguous (<c>Smpp:SourcePool</c>).</summary>
    public IReadOnlyList<string> SourcePool { get; init; } = [];

    /// <summary>How long a pool number stays with an account and mobile pair unused: the reply window (<c>Replies:WindowDays</c>).</summary>
    public TimeSpan SourceStickiness { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How the parts of a long SMS are tied together (<c>Smpp:Concatenation</c>).</summary>
    public Concatenation Concatenation { get; init; } = Concatenation.Udh8;

    /// <summary>The sizes parts are cut to: a 16-bit reference leaves one character less per part. Intake charges by the same.</summary>
    public PartSizes PartSizes => Concatenation == Concatenation.Udh16 ? PartSizes.SixteenBitReference : PartSizes.EightBitReference;

    /// <summary>How the SMSC writes message IDs in its receipts.</summary>
    public ReceiptIdForm ReceiptIdForm { get; init; } = ReceiptIdForm.SameText;

    /// <summary>How long a submitted SMS waits for its receipt before it is marked unknown (<c>Delivery:ReceiptTimeoutHours</c>).</summary>
    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromHours(48);

    /// <summary>
    /// How long an SMS whose submit's answer never came waits for a receipt saying the SMS centre took it before it is sent
    /// again (<c>Delivery:UnknownGraceSeconds</c>): longer than a receipt takes to come back over a new bind, short enough
    /// that an SMS the SMS centre never took is not held for long.
    /// </summary>
    public TimeSpan UnknownGrace { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The first wait before a transient failure is tried again; it doubles with each attempt, up to ten minutes.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>SMS claimed at once at most.</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>
    /// How long a claim holds (<c>Delivery:LeaseSeconds</c>): the fallback for a claim whose node is not found dead
    /// sooner; a dead node's claims are taken over within <see cref="NodeTimeout"/>, or at once on its own machine.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How old a node's last heartbeat may be before another takes over its claims (<c>Delivery:NodeTimeoutSeconds</c>).</summary>
    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long the dispatcher waits, when nothing wakes it, before it looks at the queue again: for
    /// retries coming due and SMS queued by another process. An email committed here wakes it at once.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often finished emails are reported and overdue SMS expired or marked unknown.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one submit may take, waiting for a bind included, before it counts as a transient failure.</summary>
    public TimeSpan SubmitTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long submits under way may finish when the gateway stops; those cut short are uncertain, as any whose answer never came.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Why an SMS not submitted within its validity expired.</summary>
    public string NotSubmittedInTime => string.Create(CultureInfo.InvariantCulture, $"Not submitted within its validity of {Validity.TotalHours:0.#} hours.");
}

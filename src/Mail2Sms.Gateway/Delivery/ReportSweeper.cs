using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>
/// Every <see cref="DeliveryOptions.SweepInterval"/>: the channel's housekeeping; one delivery report per finished email
/// (composed here, queued by the store as it marks the email reported); with a <paramref name="node"/>, the claims of the
/// nodes found dead since taken over; uncertain SMS whose grace ended queued again; and, less often, SMS without a receipt in time marked unknown and those not
/// submitted within their validity expired.
/// </summary>
public sealed class ReportSweeper(
    ISmsQueue queue, ISmsChannel channel, ReportComposer reports, QueueSignal signal, DeliveryOptions options, TimeProvider clock,
    Action<Exception> onError, Action? mailQueued = null, GatewayNode? node = null)
{
    private DateTimeOffset _nextSlowSweep = DateTimeOffset.MinValue;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Rounds.RepeatAsync(options.SweepInterval, async () =>
        {
            await SweepAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(options.SweepInterval, clock, cancellationToken).ConfigureAwait(false);
        }, onError, clock, cancellationToken);

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        await channel.SweepAsync().ConfigureAwait(false);

        var finished = await queue.FinishedAsync(100, cancellationToken).ConfigureAwait(false);
        if (finished.Count > 0
            && await queue.ReportedAsync([.. finished.Select(f => new EmailReport(f.EmailId, NeedsReport(f) ? reports.Compose(f) : null))], cancellationToken).ConfigureAwait(false) > 0)
        {
            mailQueued?.Invoke();
        }

        // A dead node's claims go back to the queue now, not when their lease ends.
        if (node is not null && await node.TakeOverDeadAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            signal.Set();
        }

        var now = clock.GetUtcNow();
        // An uncertain SMS no receipt claimed within its grace goes back to the queue, whichever node sent it (dead or not).
        if (await queue.ReleaseUncertainAsync(now, cancellationToken).ConfigureAwait(false) > 0)
        {
            signal.Set();
        }

        if (now >= _nextSlowSweep)
        {
            _nextSlowSweep = now + new[] { TimeSpan.FromMinutes(1), options.ReceiptTimeout, options.Validity }.Min();
            await queue.MarkUnknownAsync(now - options.ReceiptTimeout, cancellationToken).ConfigureAwait(false);
            await queue.ExpireAsync(now - options.Validity, options.NotSubmittedInTime, cancellationToken).ConfigureAwait(false);
        }
    }

    // A report when some SMS did not arrive, or a receipt email when the user asked for them: one per email once all its
    // SMS are final (a 500-row bulk's as one email listing 500 deliveries rather than 500 emails); none without an originator.
    private static bool NeedsReport(FinishedEmail email) =>
        email.Originator is not null && (email.Undelivered.Count > 0 || (email.Receipts && email.Delivered.Count > 0));
}

using System.Collections.Concurrent;
using Mail2Sms.Core.Delivery;
using Mail2Sms.Gateway.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>
/// Takes due SMS from the queue and submits them through the channel, keeping its capacity full: each part taken is
/// recorded; a transient failure retries with backoff until the validity ends, then the SMS expires; an unknown outcome
/// (no answer came) makes it uncertain, sent again only when no receipt says it was taken within
/// <see cref="DeliveryOptions.UnknownGrace"/>; a permanent refusal fails it at once. Credits come back for every part never submitted. An email committed
/// wakes it (<see cref="QueueSignal"/>), and alerts go ahead of bulk SMS with accounts taking turns, each within its cap
/// per minute (counted by the queue, over every node), so an alert never waits behind another account's batch for more
/// than the window in flight and one claim (half a window or more, so a busy queue takes one claim per many submits). Claims name <paramref name="node"/>, and are renewed while their submits are under way. Submits the
/// channel accepted while one is being recorded are recorded together in the next write.
/// </summary>
public sealed class SmsScheduler(
    ISmsQueue queue, ISmsChannel channel, QueueSignal signal, DeliveryOptions options, TimeProvider clock, Action<Exception> onError, ILogger? log = null, long? node = null)
{
    private readonly ILogger _log = log ?? NullLogger.Instance;
    private readonly CoalescedWrites<(long SmsId, SentParts Parts)> _submitted = new(submits => queue.SubmittedAsync(submits, CancellationToken.None));
    private readonly ConcurrentDictionary<long, Task> _sending = [];
    private ClaimRules? _rules;

    private ClaimRules Rules => _rules ??= new ClaimRules
    {
        SourceAddress = options.SourceAddress,
        SourcePool = options.SourcePool,
        SourceStickiness = options.SourceStickiness,
    };

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled, then lets the submits under way finish.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var drain = new CancellationTokenSource();
        var renewing = Rounds.RepeatAsync(options.SweepInterval, () => RenewAsync(cancellationToken), onError, clock, cancellationToken);
        await Rounds.RepeatAsync(options.PollInterval, () => DispatchAsync(drain.Token, cancellationToken), onError, clock, cancellationToken).ConfigureAwait(false);
        drain.CancelAfter(options.DrainTimeout);
        await Task.WhenAll(_sending.Values.Append(renewing)).ConfigureAwait(false);
    }

    // One round: wait for the channel, or claim what it has room for, or wait to be woken.
    private async Task DispatchAsync(CancellationToken drain, CancellationToken cancellationToken)
    {
        if (!channel.Health.Up)
        {
            // Nothing is claimed while the channel is down: the SMS wait in the queue, and go the moment it is up.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(channel.WaitUpAsync(wait.Token), signal.WaitAsync(options.PollInterval, clock, wait.Token)).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            return;
        }

        // A busy channel is fed in claims of half its window or more, rather than one claim (a transaction, a commit) for
        // each submit's answer as it frees one place; with nothing under way, whatever there is goes at once.
        var room = Math.Min(channel.Capacity - _sending.Count, options.BatchSize);
        if (room > 0 && (_sending.IsEmpty || room >= Math.Min(channel.Capacity, options.BatchSize) / 2))
        {
            var claimed = await queue.ClaimAsync(room, options.Lease, Rules, node, cancellationToken).ConfigureAwait(false);
            foreach (var sms in claimed)
            {
                // Registered before it starts, so its end always finds itself to remove.
                var sending = new Task<Task>(() => SendInTurnAsync(sms, drain));
                _sending[sms.Id] = sending.Unwrap();
                sending.Start(TaskScheduler.Default);
            }

            if (claimed.Count == room)
            {
                return; // more may be due
            }
        }

        await signal.WaitAsync(options.PollInterval, clock, cancellationToken).ConfigureAwait(false);
    }

    // A submit that takes longer than the lease (a slow SMSC, a wait for a bind) keeps its claim.
    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(options.Lease / 3, clock, cancellationToken).ConfigureAwait(false);
        if (_sending.Keys.ToList() is { Count: > 0 } inFlight)
        {
            await queue.RenewAsync(inFlight, clock.GetUtcNow() + options.Lease, node, cancellationToken).ConfigureAwait(false);
        }
    }

    // A submit under way holds a place in the window; its end frees it and wakes the loop to fill it.
    // It never throws: a failure is reported, and the SMS's claim comes back when its lease ends.
    private async Task SendInTurnAsync(ClaimedSms sms, CancellationToken drain)
    {
        try
        {
            await SendAsync(sms, drain).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            onError(e);
        }
        finally
        {
            _sending.TryRemove(sms.Id, out _);
            signal.Set();
        }
    }

    private async Task SendAsync(ClaimedSms sms, CancellationToken drain)
    {
        if (clock.GetUtcNow() - sms.CreatedAt > options.Validity)
        {
            await EndUnsentAsync(sms, SmsStatus.Expired, options.NotSubmittedInTime).ConfigureAwait(false);
            return;
        }

        if (sms.OptedOut)
        {
            await EndUnsentAsync(sms, SmsStatus.Failed, $"+{sms.Number} replied STOP to this account's SMS: they get no more until they reply START.").ConfigureAwait(false);
            return;
        }

        var outcome = await channel.SubmitAsync(new OutgoingSms(sms.Id, sms.Number, sms.Text, sms.Source, sms.PartsDone + 1), drain).ConfigureAwait(false);
        switch (outcome)
        {
            case SubmitAccepted accepted:
                await _submitted.WriteAsync((sms.Id, accepted.Taken)).ConfigureAwait(false);
                _log.SmsSubmitted(sms.Id, sms.AccountId, string.Join(',', accepted.Taken.MessageIds));
                break;
            case SubmitTransient transient:
                await RetryAsync(sms, transient.Reason, transient.Taken, transient.RetryAfter).ConfigureAwait(false);
                break;
            case SubmitPermanent permanent when permanent.Taken.MessageIds.Count == 0 && sms.PartsDone == 0:
                await EndUnsentAsync(sms, SmsStatus.Failed, permanent.Reason).ConfigureAwait(false);
                break;
            case SubmitPermanent permanent:
                await queue.EndPartlySentAsync(sms.Id, permanent.Taken, permanent.Reason, CancellationToken.None).ConfigureAwait(false);
                _log.SmsEnded(sms.Id, sms.AccountId, SmsStatus.Failed.Word(), permanent.Reason);
                break;
            case SubmitOutcomeUnknown unknown:
                // Not sent again blindly: the SMS centre may have taken it, and a receipt quoting it would say so.
                var graceEnds = clock.GetUtcNow() + options.UnknownGrace;
                await queue.UncertainAsync(sms.Id, graceEnds, unknown.Reason, unknown.Taken.MessageIds.Count > 0 ? unknown.Taken : null, unknown.PartText, node, CancellationToken.None)
                    .ConfigureAwait(false);
                _log.SmsUncertain(sms.Id, sms.AccountId, unknown.Reason, graceEnds);
                break;
            default:
                throw new InvalidOperationException($"The channel {channel.Name} answered {outcome.GetType().Name}, which is no submit outcome.");
        }
    }

    private async Task EndUnsentAsync(ClaimedSms sms, SmsStatus status, string reason)
    {
        await queue.EndUnsentAsync(sms.Id, status, reason, CancellationToken.None).ConfigureAwait(false);
        _log.SmsEnded(sms.Id, sms.AccountId, status.Word(), reason);
    }

    private async Task RetryAsync(ClaimedSms sms, string reason, SentParts taken, TimeSpan? after)
    {
        var wait = after ?? TimeSpan.FromSeconds(Math.Min(600, options.RetryDelay.TotalSeconds * Math.Pow(2, Math.Min(sms.Attempts, 10))));
        var due = clock.GetUtcNow() + wait;
        await queue.RetryAsync(sms.Id, due, reason, taken.MessageIds.Count > 0 ? taken : null, node, CancellationToken.None).ConfigureAwait(false);
        _log.SmsRetrying(sms.Id, sms.AccountId, due, reason);
    }
}

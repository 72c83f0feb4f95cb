using System.Collections.Concurrent;
using System.Globalization;
using Mail2Sms.Core.Delivery;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;
using Mail2Sms.Smpp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmsStatus = Mail2Sms.Core.Delivery.SmsStatus;

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

    /// <summary>How long submits under way may finish when the gateway stops; those cut short are queued again.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Takes due SMS from the queue and submits them over the SMPP binds, keeping their window full: each
/// part with its SMSC message ID recorded; a transient failure (a timeout, a dropped bind, throttling
/// that outlasts the session's own pauses, an SMSC error) retries with backoff until the validity ends,
/// then the SMS expires; a permanent refusal fails it at once. Credits come back for every part never
/// submitted. Receipts mark parts delivered or failed; an SMS is delivered when every part is.
/// An email committed wakes it (<see cref="QueueSignal"/>), and alerts go ahead of bulk SMS with accounts
/// taking turns, so an alert never waits behind another account's batch for more than one submit.
/// With a <paramref name="node"/>, each sweep takes over the claims of the nodes found dead since.
/// </summary>
public sealed class Dispatcher(
    ISmsQueue store, ReplyStore replies, Mail.ReportComposer reports, SmscBinds smsc, QueueSignal signal,
    DeliveryOptions options, TimeProvider clock, Action<Exception> onError, Action? mailQueued = null, ILogger? log = null, GatewayNode? node = null)
{
    private readonly ILogger _log = log ?? NullLogger.Instance;
    // A reply in parts whose last part never comes is emailed as far as it got after this.
    private readonly MessageAssembler _replies = new(clock, TimeSpan.FromMinutes(5));
    private readonly MinuteCaps _caps = new(clock);
    private readonly ConcurrentDictionary<long, Task> _sending = [];
    private ClaimRules? _rules;

    private ClaimRules Rules => _rules ??= new ClaimRules
    {
        SourceAddress = options.SourceAddress,
        SourcePool = options.SourcePool,
        SourceStickiness = options.SourceStickiness,
        Allowance = _caps.Allowance,
    };

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled, then lets the submits under way finish.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var drain = new CancellationTokenSource();
        var sweeping = SweepAsync(cancellationToken);
        await DispatchAsync(drain.Token, cancellationToken).ConfigureAwait(false);
        drain.CancelAfter(options.DrainTimeout);
        await Task.WhenAll(_sending.Values.Append(sweeping)).ConfigureAwait(false);
    }

    // One round: wait for a bind, or claim what the window has room for, or wait to be woken.
    private Task DispatchAsync(CancellationToken drain, CancellationToken cancellationToken) =>
        RepeatAsync(options.PollInterval, async () =>
        {
            if (smsc.Bound == 0)
            {
                // Nothing is claimed while no bind is up: the SMS wait in the queue, and go the moment one is.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await Task.WhenAny(smsc.WaitBoundAsync(wait.Token), signal.WaitAsync(options.PollInterval, clock, wait.Token)).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
                return;
            }

            var room = Math.Min(smsc.Window - _sending.Count, options.BatchSize);
            if (room > 0)
            {
                var claimed = await store.ClaimAsync(room, options.Lease, Rules, node?.Id, cancellationToken).ConfigureAwait(false);
                foreach (var sms in claimed)
                {
                    _caps.Started(sms.AccountId);
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
        }, cancellationToken);

    // Runs round after round until cancelled; a round that fails (the store, say: what it claimed comes
    // back when its lease ends) is reported, and the next comes after a pause.
    private async Task RepeatAsync(TimeSpan pauseAfterFailure, Func<Task> round, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await round().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                onError(e);
                await Task.Delay(pauseAfterFailure, clock, CancellationToken.None).ConfigureAwait(false);
            }
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

    private Task SweepAsync(CancellationToken cancellationToken)
    {
        var nextSlowSweep = DateTimeOffset.MinValue;
        var nextRenewal = clock.GetUtcNow() + (options.Lease / 3);
        return RepeatAsync(options.SweepInterval, async () =>
        {
            foreach (var partial in _replies.TakeExpired())
            {
                await ReplyAsync(partial).ConfigureAwait(false);
            }

            // One delivery report per email, once all its SMS are final and some did not arrive (or its user asked for receipts).
            var finished = await store.FinishedAsync(100, cancellationToken).ConfigureAwait(false);
            if (finished.Count > 0 && await store.ReportedAsync([.. finished.Select(f => new EmailReport(f.EmailId, NeedsReport(f) ? reports.Compose(f) : null))], cancellationToken).ConfigureAwait(false) > 0)
            {
                mailQueued?.Invoke();
            }

            // A dead node's claims go back to the queue now, not when their lease ends.
            if (node is not null && await node.TakeOverDeadAsync(cancellationToken).ConfigureAwait(false) > 0)
            {
                signal.Set();
            }

            var now = clock.GetUtcNow();
            if (now >= nextRenewal)
            {
                // A submit that takes longer than the lease (a slow SMSC, a wait for a bind) keeps its claim.
                nextRenewal = now + (options.Lease / 3);
                if (_sending.Keys.ToList() is { Count: > 0 } inFlight)
                {
                    await store.RenewAsync(inFlight, now + options.Lease, node?.Id, cancellationToken).ConfigureAwait(false);
                }
            }

            if (now >= nextSlowSweep)
            {
                nextSlowSweep = now + new[] { TimeSpan.FromMinutes(1), options.ReceiptTimeout, options.Validity }.Min();
                await store.MarkUnknownAsync(now - options.ReceiptTimeout, cancellationToken).ConfigureAwait(false);
                await store.ExpireAsync(now - options.Validity, Expired, cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(options.SweepInterval, clock, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    // Receipts come one per email once all its SMS are final: a single-SMS alert's as soon as it is delivered, a
    // 500-row bulk's as one email listing 500 deliveries rather than 500 emails.
    private static bool NeedsReport(FinishedEmail email) =>
        email.Originator is not null && (email.Undelivered.Count > 0 || (email.Receipts && email.Delivered.Count > 0));

    private string Expired => string.Create(CultureInfo.InvariantCulture, $"Not submitted within its validity of {options.Validity.TotalHours:0.#} hours.");

    /// <summary>
    /// Takes a deliver_sm from the session: a receipt is applied to its SMS; a message from a mobile
    /// (joined first when it comes in parts) is a reply, emailed to whoever sent the SMS it answers.
    /// </summary>
    public async Task OnDeliverAsync(ShortMessage deliver)
    {
        if (DeliveryReceipt.Read(deliver) is { } receipt)
        {
            await store.ReceiptAsync(MessageIds.Key(receipt.MessageId), receipt.State).ConfigureAwait(false);
        }
        else if (_replies.Add(deliver) is { } reply)
        {
            await ReplyAsync(reply).ConfigureAwait(false);
        }
    }

    private async Task ReplyAsync(AssembledMessage reply)
    {
        if (await replies.ReceiveAsync(reply.First.SourceAddress, SourceOf(reply.First.DestinationAddress).Address, reply.Text).ConfigureAwait(false) != ReplyOutcome.Unmatched)
        {
            mailQueued?.Invoke();
        }
    }

    private async Task SendAsync(ClaimedSms sms, CancellationToken drain)
    {
        if (clock.GetUtcNow() - sms.CreatedAt > options.Validity)
        {
            await EndUnsentAsync(sms, SmsStatus.Expired, Expired).ConfigureAwait(false);
            return;
        }

        if (sms.OptedOut)
        {
            await EndUnsentAsync(sms, SmsStatus.Failed, $"+{sms.Number} replied STOP to this account's SMS: they get no more until they reply START.").ConfigureAwait(false);
            return;
        }

        // The parts the SMSC takes in this attempt, after those it took in one cut short before.
        var ids = new List<string>();
        var sent = new SentParts(sms.PartsDone + 1, ids, options.ReceiptIdForm);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(drain);
        limit.CancelAfter(options.SubmitTimeout);
        try
        {
            foreach (var part in Submits(sms).Skip(sms.PartsDone))
            {
                var started = clock.GetTimestamp();
                var answer = await smsc.SubmitAsync(part, limit.Token).ConfigureAwait(false);
                GatewayMetrics.SubmitTook(clock.GetElapsedTime(started));
                if (answer.Status == CommandStatus.Ok)
                {
                    GatewayMetrics.PartSubmitted();
                    ids.Add(answer.MessageId);
                    continue;
                }

                var reason = $"The SMS centre refused it: {answer.Status} (0x{(uint)answer.Status:X2}).";
                if (answer.Status.IsTransient())
                {
                    await RetryAsync(sms, reason, sent).ConfigureAwait(false);
                }
                else if (ids.Count == 0 && sms.PartsDone == 0)
                {
                    await EndUnsentAsync(sms, SmsStatus.Failed, reason).ConfigureAwait(false);
                }
                else
                {
                    await store.EndPartlySentAsync(sms.Id, sent, reason, CancellationToken.None).ConfigureAwait(false);
                    _log.SmsEnded(sms.Id, sms.AccountId, SmsStatus.Failed.Word(), reason);
                }

                return;
            }

            await store.SubmittedAsync(sms.Id, sent, CancellationToken.None).ConfigureAwait(false);
            _log.SmsSubmitted(sms.Id, sms.AccountId, string.Join(',', ids));
        }
        catch (Exception e) when (e is TimeoutException or SmppConnectionClosedException or OperationCanceledException)
        {
            // Whether the SMSC took the part under way cannot be known: sent again, as the window allows
            // at most a few twice. The parts it answered are kept and not sent again.
            var reason = e is OperationCanceledException
                ? drain.IsCancellationRequested ? "The gateway stopped before the SMS centre answered." : "No bind to the SMS centre took it in time."
                : e.Message;
            await RetryAsync(sms, reason, sent, drain.IsCancellationRequested ? TimeSpan.Zero : null).ConfigureAwait(false);
        }
    }

    private async Task EndUnsentAsync(ClaimedSms sms, SmsStatus status, string reason)
    {
        await store.EndUnsentAsync(sms.Id, status, reason, CancellationToken.None).ConfigureAwait(false);
        _log.SmsEnded(sms.Id, sms.AccountId, status.Word(), reason);
    }

    private async Task RetryAsync(ClaimedSms sms, string reason, SentParts sent, TimeSpan? after = null)
    {
        var wait = after ?? TimeSpan.FromSeconds(Math.Min(600, options.RetryDelay.TotalSeconds * Math.Pow(2, Math.Min(sms.Attempts, 10))));
        var due = clock.GetUtcNow() + wait;
        await store.RetryAsync(sms.Id, due, reason, sent.MessageIds.Count > 0 ? sent : null, node?.Id, CancellationToken.None).ConfigureAwait(false);
        _log.SmsRetrying(sms.Id, sms.AccountId, due, reason);
    }

    private IReadOnlyList<ShortMessage> Submits(ClaimedSms sms)
    {
        var text = SmsText.From(sms.Text, options.PartSizes);
        var gsm = text.Encoding == SmsEncoding.Gsm7;
        var parts = text.SplitParts().Select(p => gsm ? LongMessages.Gsm7(p) : LongMessages.Ucs2(p)).ToList();
        var (source, ton, npi) = SourceOf(sms.Source);
        var template = new ShortMessage(CommandId.SubmitSm)
        {
            SourceTon = ton,
            SourceNpi = npi,
            SourceAddress = source,
            DestinationTon = 1,
            DestinationNpi = 1,
            DestinationAddress = sms.Number,
            DataCoding = (byte)(gsm ? 0 : 8),
            RegisteredDelivery = 1,
        };
        return LongMessages.Submits(template, parts, options.Concatenation, (ushort)sms.Id);
    }

    /// <summary>
    /// A source address as SMPP writes it: an international number (TON 1, NPI 1, digits without the
    /// <c>+</c>) when it has seven digits or more, a short code (TON 3 network-specific, NPI 1) when fewer, else
    /// alphanumeric (TON 5, NPI 0).
    /// </summary>
    public static (string Address, byte Ton, byte Npi) SourceOf(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var digits = source.StartsWith('+') ? source[1..] : source;
        return digits.Length > 0 && digits.All(char.IsAsciiDigit)
            ? (digits, (byte)(digits.Length >= 7 ? 1 : 3), (byte)1)
            : (source, (byte)5, (byte)0);
    }

    // The SMS each account started in the last minute, for its cap of SMS per minute.
    private sealed class MinuteCaps(TimeProvider clock)
    {
        private readonly Dictionary<string, Queue<DateTimeOffset>> _started = new(StringComparer.Ordinal);

        public int Allowance(string account, int perMinute)
        {
            lock (_started)
            {
                if (perMinute <= 0)
                {
                    _started.Remove(account);
                    return int.MaxValue;
                }

                if (!_started.TryGetValue(account, out var times))
                {
                    _started[account] = times = new Queue<DateTimeOffset>();
                }

                var since = clock.GetUtcNow() - TimeSpan.FromMinutes(1);
                while (times.TryPeek(out var oldest) && oldest <= since)
                {
                    times.Dequeue();
                }

                return perMinute - times.Count;
            }
        }

        public void Started(string account)
        {
            lock (_started)
            {
                if (_started.TryGetValue(account, out var times))
                {
                    times.Enqueue(clock.GetUtcNow());
                }
            }
        }
    }
}

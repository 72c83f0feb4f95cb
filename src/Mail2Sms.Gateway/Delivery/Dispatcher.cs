using System.Globalization;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Smpp;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>How queued SMS go out (<c>Delivery:*</c> and <c>Smpp:*</c>).</summary>
public sealed record DeliveryOptions
{
    /// <summary>How long an SMS may wait to be submitted before it expires (<c>Delivery:ValidityHours</c>).</summary>
    public TimeSpan Validity { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The sender every SMS carries (<c>Smpp:SourceAddress</c>): digits go as an international number, anything else as alphanumeric.</summary>
    public string SourceAddress { get; init; } = "Mail2Sms";

    /// <summary>How the parts of a long SMS are tied together (<c>Smpp:Concatenation</c>).</summary>
    public Concatenation Concatenation { get; init; } = Concatenation.Udh8;

    /// <summary>How the SMSC writes message IDs in its receipts.</summary>
    public ReceiptIdForm ReceiptIdForm { get; init; } = ReceiptIdForm.SameText;

    /// <summary>How long a submitted SMS waits for its receipt before it is marked unknown (<c>Delivery:ReceiptTimeoutHours</c>).</summary>
    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromHours(48);

    /// <summary>The first wait before a transient failure is tried again; it doubles with each attempt, up to ten minutes.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>SMS claimed at once.</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>How long a claim holds; a crashed process's claims come back after it.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the dispatcher waits when nothing is due.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>
/// Takes due SMS from the queue and submits them through an SMPP session: each part with its SMSC
/// message ID recorded; a transient failure (no bind, a timeout, throttling that outlasts the session's
/// own pauses, an SMSC error) retries with backoff until the validity ends, then the SMS expires; a
/// permanent refusal fails it at once. Credits come back for every part never submitted. Receipts mark
/// parts delivered or failed; an SMS is delivered when every part is.
/// </summary>
public sealed class Dispatcher(
    DeliveryStore store, ReplyStore replies, Mail.ReportComposer reports, Func<ShortMessage, CancellationToken, Task<MessageResp>> submit,
    DeliveryOptions options, TimeProvider clock, Action<Exception> onError)
{
    // A reply in parts whose last part never comes is emailed as far as it got after this.
    private readonly MessageAssembler _replies = new(clock, TimeSpan.FromMinutes(5));
    private DateTimeOffset _nextUnknownSweep = DateTimeOffset.MinValue;
    private DateTimeOffset _nextReportSweep = DateTimeOffset.MinValue;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                foreach (var partial in _replies.TakeExpired())
                {
                    await ReplyAsync(partial).ConfigureAwait(false);
                }

                if (clock.GetUtcNow() >= _nextReportSweep)
                {
                    // One delivery report per email, once all its SMS are final and some did not arrive.
                    _nextReportSweep = clock.GetUtcNow() + (options.PollInterval * 5);
                    await store.ReportFinishedAsync(reports.Compose, cancellationToken).ConfigureAwait(false);
                }

                if (clock.GetUtcNow() >= _nextUnknownSweep)
                {
                    _nextUnknownSweep = clock.GetUtcNow() + (options.ReceiptTimeout < TimeSpan.FromMinutes(1) ? options.ReceiptTimeout : TimeSpan.FromMinutes(1));
                    await store.MarkUnknownAsync(clock.GetUtcNow() - options.ReceiptTimeout, cancellationToken).ConfigureAwait(false);
                }

                var claimed = await store.ClaimAsync(options.BatchSize, options.Lease, cancellationToken).ConfigureAwait(false);
                if (claimed.Count == 0)
                {
                    await Task.Delay(options.PollInterval, clock, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await Task.WhenAll(claimed.Select(sms => SendAsync(sms, cancellationToken))).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The store failing: what was claimed comes back when its lease ends.
                onError(e);
                await Task.Delay(options.PollInterval, clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

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

    private Task<ReplyOutcome> ReplyAsync(AssembledMessage reply) => replies.ReceiveAsync(reply.First.SourceAddress, reply.First.DestinationAddress, reply.Text);

    private async Task SendAsync(ClaimedSms sms, CancellationToken cancellationToken)
    {
        if (clock.GetUtcNow() - sms.CreatedAt > options.Validity)
        {
            await store.EndUnsentAsync(sms.Id, "expired", string.Create(CultureInfo.InvariantCulture,
                $"Not submitted within its validity of {options.Validity.TotalHours:0.#} hours."), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (sms.OptedOut)
        {
            await store.EndUnsentAsync(sms.Id, "failed", $"+{sms.Number} replied STOP to this account's SMS: they get no more until they reply START.", cancellationToken).ConfigureAwait(false);
            return;
        }

        var ids = new List<string>();
        try
        {
            foreach (var part in Submits(sms))
            {
                var answer = await submit(part, cancellationToken).ConfigureAwait(false);
                if (answer.Status == CommandStatus.Ok)
                {
                    ids.Add(answer.MessageId);
                    continue;
                }

                var reason = $"The SMS centre refused it: {answer.Status} (0x{(uint)answer.Status:X2}).";
                if (answer.Status.IsTransient() && ids.Count == 0)
                {
                    await RetryAsync(sms, reason, cancellationToken).ConfigureAwait(false);
                }
                else if (ids.Count == 0)
                {
                    await store.EndUnsentAsync(sms.Id, "failed", reason, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await store.EndPartlySentAsync(sms.Id, ids, options.ReceiptIdForm, reason, cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            await store.SubmittedAsync(sms.Id, ids, options.ReceiptIdForm, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or SmppConnectionClosedException)
        {
            // Whether the SMSC took it cannot be known: sent again, as the window allows at most a few twice.
            await RetryAsync(sms, e.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task RetryAsync(ClaimedSms sms, string reason, CancellationToken cancellationToken)
    {
        var wait = TimeSpan.FromSeconds(Math.Min(600, options.RetryDelay.TotalSeconds * Math.Pow(2, Math.Min(sms.Attempts, 10))));
        return store.RetryAsync(sms.Id, clock.GetUtcNow() + wait, reason, cancellationToken);
    }

    private IReadOnlyList<ShortMessage> Submits(ClaimedSms sms)
    {
        var text = SmsText.From(sms.Text, options.Concatenation == Concatenation.Udh16 ? PartSizes.SixteenBitReference : PartSizes.EightBitReference);
        var gsm = text.Encoding == SmsEncoding.Gsm7;
        var parts = text.SplitParts().Select(p => gsm ? LongMessages.Gsm7(p) : LongMessages.Ucs2(p)).ToList();
        var numeric = options.SourceAddress.All(char.IsAsciiDigit);
        var template = new ShortMessage(CommandId.SubmitSm)
        {
            SourceTon = (byte)(numeric ? 1 : 5),
            SourceNpi = (byte)(numeric ? 1 : 0),
            SourceAddress = options.SourceAddress,
            DestinationTon = 1,
            DestinationNpi = 1,
            DestinationAddress = sms.Number,
            DataCoding = (byte)(gsm ? 0 : 8),
            RegisteredDelivery = 1,
        };
        return LongMessages.Submits(template, parts, options.Concatenation, (ushort)sms.Id);
    }
}

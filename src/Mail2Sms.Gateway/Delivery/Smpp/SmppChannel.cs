using Mail2Sms.Core.Delivery;
using Mail2Sms.Core.Text;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Smpp;

namespace Mail2Sms.Gateway.Delivery.Smpp;

/// <summary>
/// SMS out over SMPP 3.4 binds (<see cref="SmscBinds"/>): each part a submit_sm, with source TON/NPI, concatenation
/// and receipts requested; each deliver_sm back turned into a receipt or, its parts joined, a reply for the handlers. The
/// parts of a reply are joined in the store, so parts that come on different nodes' binds still make one reply.
/// </summary>
public sealed class SmppChannel : ISmsChannel, IAsyncDisposable
{
    private readonly DeliveryOptions _options;
    private readonly TimeProvider _clock;
    private readonly Func<SmsReceipt, Task> _receipts;
    private readonly Func<SmsReply, Task> _replies;
    private readonly IReplyStore _parts;

    // A reply in parts whose last part never comes is handed on as far as it got after this.
    private static readonly TimeSpan PartTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Starts <paramref name="binds"/> sessions with <paramref name="smpp"/>, handing receipts and replies to the handlers given;
    /// the parts of replies are kept in <paramref name="parts"/> until joined.
    /// </summary>
    public SmppChannel(
        string name, SmppClientOptions smpp, int binds, DeliveryOptions options, Func<SmsReceipt, Task> receipts, Func<SmsReply, Task> replies, IReplyStore parts,
        Action<SmppEvent>? onEvent = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        _options = options;
        _clock = clock ?? TimeProvider.System;
        _receipts = receipts;
        _replies = replies;
        _parts = parts;
        Binds = new SmscBinds(smpp, binds, OnDeliverAsync, onEvent, _clock);
    }

    public string Name { get; }

    /// <summary>Its sessions, for the operator.</summary>
    public SmscBinds Binds { get; }

    public ChannelHealth Health => Binds.Bound > 0
        ? new ChannelHealth(true, $"{Binds.Bound} of {Binds.Statuses.Count} binds up to {Binds.Target}")
        : new ChannelHealth(false, $"no bind up to {Binds.Target}");

    public IReadOnlyList<BindStatus> Sessions => Binds.Statuses;

    public int Capacity => Binds.Window;

    public Task WaitUpAsync(CancellationToken cancellationToken) => Binds.WaitBoundAsync(cancellationToken);

    public async Task<SubmitOutcome> SubmitAsync(OutgoingSms sms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sms);
        var ids = new List<string>();
        var taken = new SentParts(sms.FirstPart, ids, _options.ReceiptIdForm);
        string? underWay = null;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.SubmitTimeout);
        try
        {
            foreach (var (part, text) in Submits(sms).Skip(sms.FirstPart - 1))
            {
                underWay = text;
                var started = _clock.GetTimestamp();
                var answer = await Binds.SubmitAsync(part, limit.Token).ConfigureAwait(false);
                GatewayMetrics.SubmitTook(_clock.GetElapsedTime(started));
                if (answer.Status != CommandStatus.Ok)
                {
                    var reason = $"The SMS centre refused it: {answer.Status} (0x{(uint)answer.Status:X2}).";
                    return answer.Status.IsTransient() ? new SubmitTransient(taken, reason) : new SubmitPermanent(taken, reason);
                }

                GatewayMetrics.PartSubmitted();
                ids.Add(answer.MessageId);
            }

            return new SubmitAccepted(taken);
        }
        catch (Exception e) when (e is TimeoutException or SmppConnectionClosedException or OperationCanceledException)
        {
            var stopping = cancellationToken.IsCancellationRequested;
            var reason = e is OperationCanceledException
                ? stopping ? "The gateway stopped before the SMS centre answered." : "No bind to the SMS centre took it in time."
                : e.Message;
            return new SubmitOutcomeUnknown(taken, reason, stopping, underWay);
        }
    }

    /// <summary>Hands on the replies whose last part never came (those kept by any node: one node takes each).</summary>
    public async Task SweepAsync()
    {
        foreach (var partial in await _parts.TakeUnfinishedAsync(PartTimeout).ConfigureAwait(false))
        {
            await _replies(ReplyOf(partial.Source, partial.Destination, partial.Text)).ConfigureAwait(false);
        }
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

    /// <summary>Unbinds every session once its window has drained.</summary>
    public ValueTask DisposeAsync() => Binds.DisposeAsync();

    // A receipt goes to its part (quoting, for a part whose submit's answer never came, whom from and to and what it said); a
    // message from a mobile (joined in the store first when it comes in parts) is a reply.
    private async Task OnDeliverAsync(ShortMessage deliver)
    {
        if (DeliveryReceipt.Read(deliver) is { } receipt)
        {
            var quote = new ReceiptQuote(receipt.MessageId, deliver.SourceAddress, SourceOf(deliver.DestinationAddress).Address, WithoutHeader(receipt.Text ?? string.Empty));
            await _receipts(new SmsReceipt(MessageIds.Key(receipt.MessageId), receipt.State, quote)).ConfigureAwait(false);
        }
        else if (MessageAssembler.PartOf(deliver) is not { } part)
        {
            await _replies(ReplyOf(deliver.SourceAddress, deliver.DestinationAddress, LongMessages.TextOf(deliver))).ConfigureAwait(false);
        }
        else if (await _parts.AddPartAsync(new ReplyPart(deliver.SourceAddress, deliver.DestinationAddress, part.Reference, part.Total, part.Sequence, part.Text))
            .ConfigureAwait(false) is { } whole)
        {
            await _replies(ReplyOf(whole.Source, whole.Destination, whole.Text)).ConfigureAwait(false);
        }
    }

    // An SMSC that quotes a part's short_message as it came quotes its concatenation header first (05 00 03 or 06 08 04 ...):
    // the text is what follows. No text starts with those control characters.
    private static string WithoutHeader(string quoted) =>
        quoted.Length > 1 && ((quoted[0] == '\x05' && quoted.AsSpan(1).StartsWith("\0\x03")) || (quoted[0] == '\x06' && quoted.AsSpan(1).StartsWith("\x08\x04")))
            ? quoted[Math.Min(quoted.Length, quoted[0] + 1)..]
            : quoted;

    private static SmsReply ReplyOf(string source, string destination, string text) => new(source, SourceOf(destination).Address, text);

    // Each submit with the text it carries (the whole text in one message_payload).
    private IEnumerable<(ShortMessage Submit, string Text)> Submits(OutgoingSms sms)
    {
        var text = SmsText.From(sms.Text, _options.PartSizes);
        var gsm = text.Encoding == SmsEncoding.Gsm7;
        var texts = text.SplitParts();
        var parts = texts.Select(p => gsm ? LongMessages.Gsm7(p) : LongMessages.Ucs2(p)).ToList();
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
        var submits = LongMessages.Submits(template, parts, _options.Concatenation, (ushort)sms.Id);
        return submits.Zip(submits.Count == texts.Count ? texts : [string.Concat(texts)]);
    }
}

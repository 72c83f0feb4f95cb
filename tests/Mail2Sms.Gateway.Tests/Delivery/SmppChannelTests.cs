using System.Net;
using Mail2Sms.Core.Delivery;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Gateway.Delivery.Smpp;
using Mail2Sms.Gateway.Tests.Storage;
using Mail2Sms.Smpp;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Gateway.Tests.Delivery;

/// <summary>What the SMPP channel makes of the SMS centre's answers, against the simulator over loopback.</summary>
public sealed class SmppChannelTests : IAsyncDisposable
{
    private static readonly string ThreeParts = new('x', 400);
    private readonly SmscSimulatorOptions _smscOptions = new() { ReceiptDelay = TimeSpan.FromMilliseconds(20) };
    private readonly List<SmsReceipt> _receipts = [];
    // Where a reply's parts are kept until joined.
    private readonly TempDatabase _db = new();
    private SmscSimulator? _smsc;
    private SmppChannel? _channel;

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }

        if (_smsc is not null)
        {
            await _smsc.DisposeAsync();
        }

        _db.Dispose();
    }

    private async Task<SmppChannel> StartAsync(DeliveryOptions? options = null)
    {
        _smsc = SmscSimulator.Start(IPAddress.Loopback, 0, _smscOptions);
        _channel = new SmppChannel("smpp", new SmppClientOptions { Port = _smsc.Port, SystemId = "mail2sms" }, 1, options ?? new DeliveryOptions(),
            r =>
            {
                lock (_receipts)
                {
                    _receipts.Add(r);
                }

                return Task.CompletedTask;
            },
            _ => Task.CompletedTask, _db.Replies);
        await _channel.WaitUpAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        return _channel;
    }

    private static OutgoingSms Sms(string text, int firstPart = 1) => new(7, "61412345670", text, "Mail2Sms", firstPart);

    private int Submits => _smsc!.Received.OfType<ShortMessage>().Count(m => m.CommandId == CommandId.SubmitSm);

    [Fact]
    public async Task Every_part_taken_is_accepted_with_the_centres_ids_and_its_receipts_come_back_as_records()
    {
        var channel = await StartAsync();
        Assert.Equal(new ChannelHealth(true, $"1 of 1 binds up to 127.0.0.1:{_smsc!.Port} as mail2sms"), channel.Health);

        var accepted = Assert.IsType<SubmitAccepted>(await channel.SubmitAsync(Sms(ThreeParts), CancellationToken.None));

        Assert.Equal(1, accepted.Taken.First);
        Assert.Equal(3, accepted.Taken.MessageIds.Count);
        await Waits.UntilAsync(() => { lock (_receipts) { return _receipts.Count == 3; } }, "three receipts");
        lock (_receipts)
        {
            Assert.Equal(accepted.Taken.MessageIds.Select(MessageIds.Key).Order(), _receipts.Select(r => r.ReceiptKey).Order());
            Assert.All(_receipts, r => Assert.Equal("DELIVRD", r.State));
        }
    }

    [Fact]
    public async Task The_parts_taken_before_are_not_sent_again()
    {
        var channel = await StartAsync();

        var accepted = Assert.IsType<SubmitAccepted>(await channel.SubmitAsync(Sms(ThreeParts, firstPart: 3), CancellationToken.None));

        Assert.Equal((3, 1), (accepted.Taken.First, accepted.Taken.MessageIds.Count));
        Assert.Equal(1, Submits);
    }

    [Fact]
    public async Task A_refusal_for_good_is_permanent_with_the_parts_taken_before_it()
    {
        var refused = 0;
        _smscOptions.Refuse = _ => Interlocked.Increment(ref refused) == 2 ? CommandStatus.InvalidDestinationAddress : null;
        var channel = await StartAsync();

        var permanent = Assert.IsType<SubmitPermanent>(await channel.SubmitAsync(Sms(ThreeParts), CancellationToken.None));

        Assert.Equal("The SMS centre refused it: InvalidDestinationAddress (0x0B).", permanent.Reason);
        Assert.Single(permanent.Taken.MessageIds);
        Assert.Equal(2, Submits);
    }

    [Fact]
    public async Task A_refusal_for_now_is_transient()
    {
        _smscOptions.SubmitStatus = CommandStatus.SystemError;
        var channel = await StartAsync();

        var transient = Assert.IsType<SubmitTransient>(await channel.SubmitAsync(Sms("Server 23 is offline."), CancellationToken.None));

        Assert.Equal("The SMS centre refused it: SystemError (0x08).", transient.Reason);
        Assert.Empty(transient.Taken.MessageIds);
        Assert.Null(transient.RetryAfter);
    }

    [Fact]
    public async Task No_answer_in_time_is_an_unknown_outcome()
    {
        var channel = await StartAsync(new DeliveryOptions { SubmitTimeout = TimeSpan.FromMilliseconds(200) });
        _smscOptions.ResponseDelay = TimeSpan.FromSeconds(3); // once bound: the submit's answer is late

        var unknown = Assert.IsType<SubmitOutcomeUnknown>(await channel.SubmitAsync(Sms("Server 23 is offline."), CancellationToken.None));

        Assert.Equal(("No bind to the SMS centre took it in time.", false), (unknown.Reason, unknown.Stopping));
    }

    [Fact]
    public async Task A_part_never_answered_is_an_unknown_outcome_naming_its_text_which_its_receipt_quotes()
    {
        var text = string.Concat(Enumerable.Range(0, 40).Select(i => $"line {i:00}, ")); // 360 characters: three parts of 153, 153 and 54
        _smscOptions.Unanswered = m => LongMessages.PartOf(m)?.Sequence == 2;
        _smscOptions.ReceiptDelay = TimeSpan.FromMilliseconds(500);
        var channel = await StartAsync(new DeliveryOptions { SubmitTimeout = TimeSpan.FromMilliseconds(300) });

        var unknown = Assert.IsType<SubmitOutcomeUnknown>(await channel.SubmitAsync(Sms(text), CancellationToken.None));
        Assert.Equal((1, 1), (unknown.Taken.First, unknown.Taken.MessageIds.Count));
        Assert.Equal(text.Substring(153, 153), unknown.PartText);

        // The second part's receipt quotes whom it went to and from, and its text without the concatenation header.
        await Waits.UntilAsync(() => { lock (_receipts) { return _receipts.Count == 2; } }, "the receipts of the two parts taken");
        lock (_receipts)
        {
            var quote = _receipts.Single(r => r.ReceiptKey == MessageIds.Key("00000002")).Quote!;
            Assert.Equal(new ReceiptQuote("00000002", "61412345670", "Mail2Sms", text.Substring(153, 14).TrimEnd()), quote); // the receipt reader trims its fields
        }
    }

    [Fact]
    public async Task A_submit_cut_short_by_the_gateway_stopping_is_an_unknown_outcome_that_says_so()
    {
        var channel = await StartAsync();
        _smscOptions.ResponseDelay = TimeSpan.FromSeconds(3); // once bound: the submit's answer is late
        using var stopping = new CancellationTokenSource();

        var submitting = channel.SubmitAsync(Sms("Server 23 is offline."), stopping.Token);
        await Waits.UntilAsync(() => Submits == 1, "the submit reached the centre");
        await stopping.CancelAsync();

        var unknown = Assert.IsType<SubmitOutcomeUnknown>(await submitting);
        Assert.Equal(("The gateway stopped before the SMS centre answered.", true), (unknown.Reason, unknown.Stopping));
    }

    [Fact]
    public void A_source_address_is_written_as_smpp_wants_it()
    {
        Assert.Equal(("61400000001", (byte)1, (byte)1), SmppChannel.SourceOf("+61400000001"));
        Assert.Equal(("12345", (byte)3, (byte)1), SmppChannel.SourceOf("12345"));
        Assert.Equal(("ACME", (byte)5, (byte)0), SmppChannel.SourceOf("ACME"));
    }
}

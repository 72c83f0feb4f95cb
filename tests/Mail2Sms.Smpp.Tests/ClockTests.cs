using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Smpp.Tests;

/// <summary>
/// The client session's timeouts, keep-alive, backoff and pauses, against the simulator (or an SMSC the test
/// plays, where it must see each PDU as it comes) over real loopback sockets, with the client's time driven by
/// a fake clock: each wait ends exactly when the clock passes it.
/// </summary>
public sealed class ClockTests : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private readonly WatchedClock _clock = new();
    private readonly SmscSimulator _smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions
    {
        Credentials = new Dictionary<string, string> { ["test"] = "secret" },
    });

    private readonly ConcurrentQueue<SmppEvent> _events = new();
    private readonly List<SmppClient> _clients = [];

    // The SMSC goes first: a client unbinding waits on the fake clock for answers the SMSC may still be holding back.
    public async ValueTask DisposeAsync()
    {
        await _smsc.DisposeAsync();
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
    }

    private SmppClient Client(Func<SmppClientOptions, SmppClientOptions>? configure = null)
    {
        var options = new SmppClientOptions
        {
            Port = _smsc.Port,
            SystemId = "test",
            Password = "secret",
            RequestReceipts = false,
            ResponseTimeout = TimeSpan.FromSeconds(10),
            EnquireLinkInterval = TimeSpan.FromMinutes(30),
        };
        var client = new SmppClient(configure?.Invoke(options) ?? options, onEvent: _events.Enqueue, clock: _clock);
        _clients.Add(client);
        return client;
    }

    private static ShortMessage Submit(string text) => new(CommandId.SubmitSm)
    {
        SourceTon = 5,
        SourceAddress = "Mail2Sms",
        DestinationTon = 1,
        DestinationNpi = 1,
        DestinationAddress = "61412345678",
        Message = Encoding.ASCII.GetBytes(text),
    };

    private int SubmitsReceived(string text) => _smsc.Received.OfType<ShortMessage>().Count(s => Encoding.ASCII.GetString(s.Message.Span) == text);

    [Fact]
    public async Task A_request_with_no_response_times_out_exactly_when_the_response_timeout_has_passed()
    {
        var client = Client();
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        // The SMSC holds its answer (on the system's clock) far longer than the test runs.
        _smsc.Options.ResponseDelay = TimeSpan.FromHours(1);
        var submit = client.SubmitAsync(Submit("unanswered"));
        await Waits.UntilAsync(() => SubmitsReceived("unanswered") == 1, "the submit reaching the SMSC");

        _clock.Advance(TimeSpan.FromSeconds(10) - Tick);
        Assert.False(submit.IsCompleted, "the submit gave up before its 10 s");
        _clock.Advance(Tick);
        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() => submit.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("No response to SubmitSm (sequence 2) within 10 s.", timedOut.Message);
        Assert.Single(_events, e => e.Kind == SmppEventKind.TimedOut);
    }

    [Fact]
    public async Task Each_request_in_the_window_times_out_on_its_own_deadline()
    {
        await using var smsc = await HandSmsc.BindAsync(this, o => o with { WindowSize = 2 });
        var first = smsc.Client.SubmitAsync(Submit("first"));
        await smsc.ReadAsync();
        _clock.Advance(TimeSpan.FromSeconds(4));
        var second = smsc.Client.SubmitAsync(Submit("second"));
        await smsc.ReadAsync();

        _clock.Advance(TimeSpan.FromSeconds(6) - Tick);
        Assert.False(first.IsCompleted, "the first submit gave up before its 10 s");
        _clock.Advance(Tick);
        await Assert.ThrowsAsync<TimeoutException>(() => first.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.False(second.IsCompleted, "the second submit gave up with the first, 4 s before its own 10 s");

        _clock.Advance(TimeSpan.FromSeconds(4) - Tick);
        Assert.False(second.IsCompleted, "the second submit gave up before its 10 s");
        _clock.Advance(Tick);
        await Assert.ThrowsAsync<TimeoutException>(() => second.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(2, _events.Count(e => e.Kind == SmppEventKind.TimedOut));
    }

    [Fact]
    public async Task A_bound_session_sends_enquire_link_each_time_the_interval_passes()
    {
        var client = Client(o => o with { EnquireLinkInterval = TimeSpan.FromSeconds(30) });
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        int EnquireLinks() => _smsc.Received.Count(p => p.CommandId == CommandId.EnquireLink);

        _clock.Advance(TimeSpan.FromSeconds(30) - Tick);
        Assert.Equal(0, EnquireLinks());
        _clock.Advance(Tick);
        await Waits.UntilAsync(() => EnquireLinks() == 1 && client.Outstanding == 0, "the first enquire_link, answered");

        _clock.Advance(TimeSpan.FromSeconds(30));
        await Waits.UntilAsync(() => EnquireLinks() == 2 && client.Outstanding == 0, "the second enquire_link, answered");
        Assert.True(client.IsBound);
    }

    [Fact]
    public async Task A_refused_bind_is_tried_again_after_waits_that_double_up_to_the_longest_with_jitter()
    {
        // A response timeout far longer than any wait between binds: every shorter timer is a wait between binds.
        var client = Client(o => o with
        {
            Password = "wrong",
            ResponseTimeout = TimeSpan.FromMinutes(5),
            MinReconnectDelay = TimeSpan.FromSeconds(1),
            MaxReconnectDelay = TimeSpan.FromSeconds(4),
        });
        IReadOnlyList<TimeSpan> Backoffs() => [.. _clock.Started.Where(d => d < TimeSpan.FromMinutes(5))];
        int Binds() => _smsc.Received.OfType<Bind>().Count();

        await Waits.UntilAsync(() => Binds() == 1, "the first bind");
        for (var waits = 1; waits <= 4; waits++)
        {
            await Waits.UntilAsync(() => Backoffs().Count == waits, $"wait {waits} between binds");
            var wait = Backoffs()[^1];
            _clock.Advance(wait - Tick);
            Assert.Equal(waits, Binds());
            _clock.Advance(Tick);
            await Waits.UntilAsync(() => Binds() == waits + 1, $"bind {waits + 1}");
        }

        // 1 s, 2 s, then 4 s twice (the longest), each within 20% either way.
        var expected = new[] { 1, 2, 4, 4 };
        Assert.All(Backoffs().Zip(expected), pair => Assert.InRange(pair.First.TotalSeconds, pair.Second * 0.8, pair.Second * 1.2));
        Assert.False(client.IsBound);
    }

    [Fact]
    public async Task A_throttled_submit_and_every_submit_after_it_pause_for_the_throttle_delay()
    {
        var client = Client(o => o with { ThrottleDelay = TimeSpan.FromSeconds(5) });
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        _smsc.Options.Throttling = true;
        var throttled = client.SubmitAsync(Submit("throttled"));
        await _clock.UntilStartedAsync(TimeSpan.FromSeconds(5));
        _smsc.Options.Throttling = false;
        var next = client.SubmitAsync(Submit("next"));
        await _clock.UntilStartedAsync(TimeSpan.FromSeconds(5), count: 2);

        _clock.Advance(TimeSpan.FromSeconds(5) - Tick);
        Assert.Equal((1, 0), (SubmitsReceived("throttled"), SubmitsReceived("next")));
        _clock.Advance(Tick);
        Assert.Equal(CommandStatus.Ok, (await throttled.WaitAsync(TimeSpan.FromSeconds(20))).Status);
        Assert.Equal(CommandStatus.Ok, (await next.WaitAsync(TimeSpan.FromSeconds(20))).Status);
        Assert.Equal((2, 1), (SubmitsReceived("throttled"), SubmitsReceived("next")));
        Assert.Single(_events, e => e.Kind == SmppEventKind.Throttled);
    }

    [Fact]
    public async Task Submits_past_the_rate_limit_go_out_one_spacing_apart()
    {
        var client = Client(o => o with { MaxSubmitsPerSecond = 2 });
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var submits = Enumerable.Range(1, 3).Select(i => client.SubmitAsync(Submit($"rated {i}"))).ToList();
        await _clock.UntilStartedAsync(TimeSpan.FromMilliseconds(500));
        await _clock.UntilStartedAsync(TimeSpan.FromMilliseconds(1000));
        int Sent() => _smsc.Received.OfType<ShortMessage>().Count();
        await Waits.UntilAsync(() => Sent() == 1, "the first submit, at once");

        _clock.Advance(TimeSpan.FromMilliseconds(500) - Tick);
        Assert.Equal(1, Sent());
        _clock.Advance(Tick);
        await Waits.UntilAsync(() => Sent() == 2, "the second submit, half a second later");
        _clock.Advance(TimeSpan.FromMilliseconds(500) - Tick);
        Assert.Equal(2, Sent());
        _clock.Advance(Tick);
        await Waits.UntilAsync(() => Sent() == 3, "the third submit, a second later");
        Assert.All(await Task.WhenAll(submits).WaitAsync(TimeSpan.FromSeconds(20)), answer => Assert.Equal(CommandStatus.Ok, answer.Status));
    }

    [Fact]
    public async Task Disposing_waits_for_the_outstanding_submit_to_be_answered_before_it_unbinds()
    {
        await using var smsc = await HandSmsc.BindAsync(this);
        var submit = smsc.Client.SubmitAsync(Submit("in flight"));
        Assert.Equal("00000004", Convert.ToHexString(await smsc.ReadAsync(), 4, 4));
        var disposing = smsc.Client.DisposeAsync().AsTask();
        // The bind's, the submit's, and the drain's before the unbind.
        await _clock.UntilStartedAsync(TimeSpan.FromSeconds(10), count: 3);

        // The client still answers, and says nothing else: its unbind waits for the submit's answer.
        await smsc.WriteAsync(new EmptyPdu(CommandId.EnquireLink) { Sequence = 9 });
        Assert.Equal("00000010800000150000000000000009", Convert.ToHexString(await smsc.ReadAsync()));
        await smsc.WriteAsync(new MessageResp(CommandId.SubmitSmResp) { Sequence = 2, MessageId = "abc" });
        Assert.Equal("abc", (await submit.WaitAsync(TimeSpan.FromSeconds(20))).MessageId);
        Assert.Equal("00000010000000060000000000000003", Convert.ToHexString(await smsc.ReadAsync()));
        await smsc.WriteAsync(new EmptyPdu(CommandId.UnbindResp) { Sequence = 3 });
        await disposing.WaitAsync(TimeSpan.FromSeconds(20));
    }

    // An SMSC played by the test over a loopback socket: it answers the bind, then only what the test writes.
    private sealed class HandSmsc : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly TcpClient _socket;
        private readonly NetworkStream _stream;

        private HandSmsc(TcpListener listener, TcpClient socket, SmppClient client)
        {
            (_listener, _socket, Client) = (listener, socket, client);
            _stream = socket.GetStream();
        }

        public SmppClient Client { get; }

        public static async Task<HandSmsc> BindAsync(ClockTests test, Func<SmppClientOptions, SmppClientOptions>? configure = null)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var client = test.Client(o => (configure?.Invoke(o) ?? o) with { Port = ((IPEndPoint)listener.LocalEndpoint).Port });
            var smsc = new HandSmsc(listener, await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20)), client);
            await smsc.ReadAsync();
            await smsc.WriteAsync(new BindResp(CommandId.BindTransceiverResp) { Sequence = 1, SystemId = "HAND" });
            await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
            return smsc;
        }

        // The next PDU from the client; its header returned.
        public async Task<byte[]> ReadAsync()
        {
            var header = new byte[16];
            await _stream.ReadExactlyAsync(header).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            await _stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadInt32BigEndian(header) - 16]).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            return header;
        }

        public Task WriteAsync(Pdu pdu) => _stream.WriteAsync(PduCodec.Encode(pdu)).AsTask();

        public ValueTask DisposeAsync()
        {
            _socket.Dispose();
            _listener.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

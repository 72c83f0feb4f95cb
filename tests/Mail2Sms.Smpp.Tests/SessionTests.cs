using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Smpp.Tests;

/// <summary>The client session against the simulator, over real loopback sockets.</summary>
public sealed class SessionTests : IAsyncDisposable
{
    private readonly SmscSimulator _smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions
    {
        Credentials = new Dictionary<string, string> { ["test"] = "secret" },
        ReceiptDelay = TimeSpan.FromMilliseconds(50),
    });

    private readonly ConcurrentQueue<ShortMessage> _delivered = new();
    private readonly ConcurrentQueue<SmppEvent> _events = new();

    public ValueTask DisposeAsync() => _smsc.DisposeAsync();

    private SmppClient Client(Func<SmppClientOptions, SmppClientOptions>? configure = null)
    {
        var options = new SmppClientOptions
        {
            Port = _smsc.Port,
            SystemId = "test",
            Password = "secret",
            MinReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
            ThrottleDelay = TimeSpan.FromMilliseconds(50),
            ResponseTimeout = TimeSpan.FromSeconds(5),
        };
        return new SmppClient(configure?.Invoke(options) ?? options, d =>
        {
            _delivered.Enqueue(d);
            return Task.CompletedTask;
        }, _events.Enqueue);
    }

    private static ShortMessage Submit(string text, byte registeredDelivery = 1) => new(CommandId.SubmitSm)
    {
        SourceTon = 5,
        SourceAddress = "Mail2Sms",
        DestinationTon = 1,
        DestinationNpi = 1,
        DestinationAddress = "61412345678",
        RegisteredDelivery = registeredDelivery,
        Message = Encoding.ASCII.GetBytes(text),
    };

    [Fact]
    public async Task A_bound_client_submits_gets_an_id_and_then_its_receipt()
    {
        await using var client = Client();
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var answer = await client.SubmitAsync(Submit("Server 23 is offline."));
        Assert.Equal(CommandStatus.Ok, answer.Status);
        Assert.Matches("^[0-9a-f]{8}$", answer.MessageId);

        await Waits.UntilAsync(() => !_delivered.IsEmpty, "the receipt");
        var receipt = DeliveryReceipt.Read(Assert.Single(_delivered))!;
        Assert.Equal((answer.MessageId, "DELIVRD", true), (receipt.MessageId, receipt.State, receipt.IsDelivered));
        Assert.Equal("Server 23 is offline", receipt.Text);

        var submitted = Assert.Single(_smsc.Received.OfType<ShortMessage>());
        Assert.Equal(("Mail2Sms", "61412345678", "Server 23 is offline."), (submitted.SourceAddress, submitted.DestinationAddress, Encoding.ASCII.GetString(submitted.Message.Span)));
        Assert.Contains(_events, e => e.Kind == SmppEventKind.Bound);
    }

    [Fact]
    public async Task A_client_started_before_its_smsc_binds_once_the_smsc_is_there()
    {
        var port = Waits.FreePort();
        await using var client = Client(o => o with { Port = port });
        await Waits.UntilAsync(() => _events.Count(e => e.Kind == SmppEventKind.Unbound) >= 2, "two refused connections");
        await using var late = SmscSimulator.Start(IPAddress.Loopback, port);
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(CommandStatus.Ok, (await client.SubmitAsync(Submit("at last", registeredDelivery: 0))).Status);
    }

    [Fact]
    public async Task A_wrong_password_never_binds_and_the_client_keeps_trying_with_backoff()
    {
        await using var client = Client(o => o with { Password = "wrong" });
        await Waits.UntilAsync(() => _smsc.Received.OfType<Bind>().Count() >= 3, "three bind attempts");
        Assert.False(client.WaitBoundAsync().IsCompleted);
        Assert.Contains(_events, e => e.Kind == SmppEventKind.Unbound && e.Detail!.Contains("InvalidPassword", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Throttling_slows_the_client_down_and_the_submit_goes_through_once_it_stops()
    {
        await using var client = Client();
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        _smsc.Options.Throttling = true;
        var submit = client.SubmitAsync(Submit("later", registeredDelivery: 0));
        await Waits.UntilAsync(() => _events.Count(e => e.Kind == SmppEventKind.Throttled) >= 2, "two throttled answers");
        Assert.False(submit.IsCompleted);
        _smsc.Options.Throttling = false;
        Assert.Equal(CommandStatus.Ok, (await submit.WaitAsync(TimeSpan.FromSeconds(20))).Status);
    }

    [Fact]
    public async Task An_idle_session_proves_it_is_alive_with_enquire_link_and_asks_for_receipts_by_default()
    {
        await using var client = Client(o => o with { EnquireLinkInterval = TimeSpan.FromMilliseconds(100) });
        await Waits.UntilAsync(() => _smsc.Received.Count(p => p.CommandId == CommandId.EnquireLink) >= 2, "two enquire_links");
        await client.SubmitAsync(Submit("no receipt asked", registeredDelivery: 0));
        Assert.Equal(1, _smsc.Received.OfType<ShortMessage>().Single().RegisteredDelivery);
    }

    [Fact]
    public async Task A_permanent_refusal_is_returned_not_retried()
    {
        await using var client = Client();
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        _smsc.Options.SubmitStatus = CommandStatus.InvalidDestinationAddress;
        Assert.Equal(CommandStatus.InvalidDestinationAddress, (await client.SubmitAsync(Submit("x"))).Status);
        Assert.Single(_smsc.Received.OfType<ShortMessage>());
    }

    [Fact]
    public async Task A_dropped_connection_fails_what_was_outstanding_and_the_client_binds_again()
    {
        await using var client = Client();
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        _smsc.Options.ResponseDelay = TimeSpan.FromSeconds(2);
        var outstanding = client.SubmitAsync(Submit("in flight"));
        await Waits.UntilAsync(() => _smsc.Received.OfType<ShortMessage>().Any(), "the submit reaching the SMSC");
        _smsc.DropConnections();
        await Assert.ThrowsAsync<SmppConnectionClosedException>(() => outstanding.WaitAsync(TimeSpan.FromSeconds(20)));

        _smsc.Options.ResponseDelay = TimeSpan.Zero;
        await Waits.UntilAsync(() => _smsc.Received.OfType<Bind>().Count() >= 2, "a second bind");
        Assert.Equal(CommandStatus.Ok, (await client.SubmitAsync(Submit("after"))).Status);
    }

    [Fact]
    public async Task A_connection_dropped_with_a_full_window_fails_every_request_explicitly()
    {
        await using var client = Client(o => o with { WindowSize = 3 });
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        _smsc.Options.ResponseDelay = TimeSpan.FromSeconds(30);
        var submits = Enumerable.Range(0, 4).Select(i => client.SubmitAsync(Submit($"message {i}"))).ToList();
        await Waits.UntilAsync(() => _events.Any(e => e.Kind == SmppEventKind.WindowFull), "the fourth submit waiting for a place in the window");
        _smsc.DropConnections();
        foreach (var submit in submits)
        {
            await Assert.ThrowsAsync<SmppConnectionClosedException>(() => submit.WaitAsync(TimeSpan.FromSeconds(20)));
        }
    }

    [Fact]
    public async Task A_transmitter_and_receiver_pair_gets_its_receipts_on_the_receiver()
    {
        await using var transmitter = Client(o => o with { BindType = CommandId.BindTransmitter });
        await using var receiver = Client(o => o with { BindType = CommandId.BindReceiver });
        await Task.WhenAll(transmitter.WaitBoundAsync(), receiver.WaitBoundAsync()).WaitAsync(TimeSpan.FromSeconds(20));
        var answer = await transmitter.SubmitAsync(Submit("via the pair"));
        await Waits.UntilAsync(() => !_delivered.IsEmpty, "the receipt on the receiver");
        Assert.Equal(answer.MessageId, DeliveryReceipt.Read(Assert.Single(_delivered))!.MessageId);
        Assert.Equal([CommandId.BindReceiver, CommandId.BindTransmitter], _smsc.Received.OfType<Bind>().Select(b => b.CommandId).Order());
    }

    [Fact]
    public async Task A_response_that_comes_too_late_times_out_and_the_window_place_is_given_back()
    {
        // Each side on its own fake clock: the answer comes only once the client's timeout has passed, however loaded the machine.
        var clientClock = new WatchedClock();
        var smscClock = new WatchedClock();
        await using var smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions(), smscClock);
        await using var client = new SmppClient(new SmppClientOptions { Port = smsc.Port, ResponseTimeout = TimeSpan.FromSeconds(10), WindowSize = 1 }, clock: clientClock);
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        smsc.Options.ResponseDelay = TimeSpan.FromSeconds(30);
        var slow = client.SubmitAsync(Submit("slow"));
        await smscClock.UntilStartedAsync(TimeSpan.FromSeconds(30));
        smsc.Options.ResponseDelay = TimeSpan.Zero;
        clientClock.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<TimeoutException>(() => slow.WaitAsync(TimeSpan.FromSeconds(20)));
        smscClock.Advance(TimeSpan.FromSeconds(30));
        await Waits.UntilAsync(() => smsc.Answered == 2, "the SMSC answering the bind and the slow one");
        Assert.Equal(CommandStatus.Ok, (await client.SubmitAsync(Submit("next")).WaitAsync(TimeSpan.FromSeconds(20))).Status);
    }

    [Fact]
    public async Task A_message_from_a_mobile_reaches_the_client()
    {
        await using var client = Client();
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await _smsc.InjectAsync(new ShortMessage(CommandId.DeliverSm)
        {
            SourceTon = 1,
            SourceNpi = 1,
            SourceAddress = "61412345678",
            DestinationAddress = "Mail2Sms",
            Message = Encoding.ASCII.GetBytes("STOP"),
        }));
        var mo = Assert.Single(_delivered);
        Assert.Null(DeliveryReceipt.Read(mo));
        Assert.Equal("STOP", Encoding.ASCII.GetString(mo.Message.Span));
    }

    [Fact]
    public async Task Disposing_unbinds_cleanly()
    {
        var client = Client();
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await client.DisposeAsync();
        Assert.Contains(_smsc.Received, p => p.CommandId == CommandId.Unbind);
        await Waits.UntilAsync(() => _smsc.BoundSessions == 0, "the session ending");
    }

    [Fact]
    public async Task A_handler_that_throws_even_a_cancellation_gets_a_temporary_error_and_the_session_lives_on()
    {
        await using var client = new SmppClient(new SmppClientOptions { Port = _smsc.Port, SystemId = "test", Password = "secret" },
            _ => throw new TaskCanceledException("an HTTP call timed out"), _events.Enqueue);
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await _smsc.InjectAsync(new ShortMessage(CommandId.DeliverSm) { SourceAddress = "61412345678", Message = Encoding.ASCII.GetBytes("hi") });
        Assert.Equal(CommandStatus.Ok, (await client.SubmitAsync(Submit("still here", registeredDelivery: 0))).Status);
        Assert.Equal(1, _smsc.BoundSessions);

        // Said, so the operator learns why a receipt or a reply did not arrive (the SMSC sends it again).
        var failed = Assert.Single(_events, e => e.Kind == SmppEventKind.DeliverFailed);
        Assert.Equal("TaskCanceledException: an HTTP call timed out", failed.Detail);
    }

    [Fact]
    public async Task A_handler_still_busy_with_a_message_never_holds_up_the_responses_to_submits()
    {
        var released = new TaskCompletionSource();
        await using var client = new SmppClient(new SmppClientOptions { Port = _smsc.Port, SystemId = "test", Password = "secret", ResponseTimeout = TimeSpan.FromSeconds(10) },
            _ => released.Task);
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var injected = _smsc.InjectAsync(new ShortMessage(CommandId.DeliverSm) { SourceAddress = "61412345678", Message = Encoding.ASCII.GetBytes("hold on") });
        // The handler waits until this submit is answered: were reading waiting for the handler, it never would be.
        Assert.Equal(CommandStatus.Ok, (await client.SubmitAsync(Submit("meanwhile", registeredDelivery: 0))).Status);
        released.SetResult();
        Assert.Equal(1, await injected.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Messages_the_smsc_sends_together_are_handled_together_and_each_answered()
    {
        // Each handler waits until all three have started: were the second started only once the first ended, none would.
        var started = 0;
        var allStarted = new TaskCompletionSource();
        await using var client = new SmppClient(new SmppClientOptions { Port = _smsc.Port, SystemId = "test", Password = "secret", ResponseTimeout = TimeSpan.FromSeconds(10) },
            _ =>
            {
                if (Interlocked.Increment(ref started) == 3)
                {
                    allStarted.TrySetResult();
                }

                return allStarted.Task;
            });
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var injected = Enumerable.Range(1, 3).Select(i => _smsc.InjectAsync(new ShortMessage(CommandId.DeliverSm) { SourceAddress = "61412345678", Message = Encoding.ASCII.GetBytes($"reply {i}") }));

        try
        {
            var answered = await Task.WhenAll(injected).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.All(answered, taken => Assert.Equal(1, taken));
        }
        finally
        {
            allStarted.TrySetResult(); // so that a failure here still lets the client close
        }
    }

    [Fact]
    public async Task A_client_disposed_while_its_bind_is_outstanding_leaves_no_session_behind()
    {
        _smsc.Options.ResponseDelay = TimeSpan.FromMilliseconds(500);
        var client = Client();
        await Waits.UntilAsync(() => _smsc.Received.OfType<Bind>().Any(), "the bind reaching the SMSC");
        await client.DisposeAsync();
        await client.DisposeAsync(); // twice is harmless
        // Once the SMSC has answered the bind, its session goes with the closed connection and nothing binds again.
        await Waits.UntilAsync(() => _smsc.Answered == 1, "the SMSC answering the bind");
        await Waits.UntilAsync(() => _smsc.BoundSessions == 0, "the session gone with the connection");
        Assert.Single(_smsc.Received.OfType<Bind>());
        await Assert.ThrowsAsync<SmppConnectionClosedException>(() => client.SubmitAsync(Submit("after")).WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task An_smsc_that_unbinds_is_answered_and_the_client_binds_again()
    {
        await using var client = Client();
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await _smsc.UnbindAllAsync();
        await Waits.UntilAsync(() => _smsc.Received.OfType<Bind>().Count() == 2 && _smsc.BoundSessions == 1, "a second bind");
        Assert.Equal(CommandStatus.Ok, (await client.SubmitAsync(Submit("after the unbind", registeredDelivery: 0))).Status);
    }

    [Fact]
    public async Task A_data_sm_from_the_smsc_reaches_the_client_with_its_payload()
    {
        await using var client = Client();
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await _smsc.InjectAsync(new DataSm { SourceTon = 1, SourceNpi = 1, SourceAddress = "61412345678", DestinationAddress = "Mail2Sms", Tlvs = [new Tlv(TlvTag.MessagePayload, Encoding.ASCII.GetBytes("YES"))] });
        Assert.Equal(("61412345678", "YES"), (_delivered.Single().SourceAddress, LongMessages.TextOf(_delivered.Single())));
    }

    [Fact]
    public async Task A_request_with_a_bad_field_gets_its_own_response_with_the_error_not_a_generic_nack()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _smsc.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(PduCodec.Encode(new Bind(CommandId.BindTransceiver) { Sequence = 1, SystemId = "test", Password = "secret" }));
        var submit = PduCodec.Encode(new ShortMessage(CommandId.SubmitSm) { Sequence = 2, SourceAddress = "12345678901234567890", DestinationAddress = "614" });
        submit[16 + 1 + 2 + 20] = (byte)'1'; // source_addr's NUL replaced: 21 octets with no end
        await stream.WriteAsync(submit);
        var replies = new byte[26 + 16]; // bind_transceiver_resp (system_id and sc_interface_version), then the answer
        await stream.ReadExactlyAsync(replies).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("00000010800000040000000A00000002", Convert.ToHexString(replies, 26, 16));
    }

    [Fact]
    public async Task A_response_that_cannot_be_read_fails_its_request_at_once_and_is_not_answered()
    {
        using var fake = new TcpListener(IPAddress.Loopback, 0);
        fake.Start();
        await using var client = Client(o => o with { Port = ((IPEndPoint)fake.LocalEndpoint).Port, RequestReceipts = false });
        using var smsc = await fake.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var stream = smsc.GetStream();
        var header = new byte[16];
        await stream.ReadExactlyAsync(header);
        await stream.ReadExactlyAsync(new byte[System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header) - 16]);
        await stream.WriteAsync(PduCodec.Encode(new BindResp(CommandId.BindTransceiverResp) { Sequence = 1, SystemId = "FAKE" }));
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var submit = client.SubmitAsync(Submit("x"));
        await stream.ReadExactlyAsync(header);
        await stream.ReadExactlyAsync(new byte[System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header) - 16]);
        // submit_sm_resp whose message_id runs past 65 octets without its NUL.
        var bad = new byte[16 + 70];
        Convert.FromHexString("00000056800000040000000000000002").CopyTo(bad, 0);
        bad.AsSpan(16).Fill((byte)'a');
        await stream.WriteAsync(bad);
        var e = await Assert.ThrowsAsync<PduFormatException>(() => submit.WaitAsync(TimeSpan.FromSeconds(4)));
        Assert.Equal(CommandStatus.InvalidMessageId, e.Status);
        // Nothing sent back: the next PDU from the client is its answer to this enquire_link, sent after the bad response.
        await stream.WriteAsync(PduCodec.Encode(new EmptyPdu(CommandId.EnquireLink) { Sequence = 7 }));
        var answer = new byte[16];
        await stream.ReadExactlyAsync(answer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("00000010800000150000000000000007", Convert.ToHexString(answer));
    }

    [Fact]
    public async Task Garbage_is_answered_with_generic_nack_and_an_impossible_length_closes_the_connection()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _smsc.Port);
        var stream = socket.GetStream();
        // An unknown command, then a 4 GB command_length.
        await stream.WriteAsync(Convert.FromHexString("00000010000000990000000000000007" + "FFFFFFFF000000040000000000000008"));
        var reply = new byte[32];
        var read = 0;
        while (read < 32)
        {
            var n = await stream.ReadAsync(reply.AsMemory(read)).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.NotEqual(0, n);
            read += n;
        }

        Assert.Equal("00000010800000000000000300000007" + "00000010800000000000000200000008", Convert.ToHexString(reply));
        Assert.Equal(0, await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_receipt_due_on_a_dropped_session_comes_on_the_next_bind_as_an_smsc_keeps_it()
    {
        _smsc.Options.ReceiptDelay = TimeSpan.FromMilliseconds(500);
        await using var client = Client();
        await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var answer = await client.SubmitAsync(Submit("kept for you"));
        _smsc.DropConnections();
        await Waits.UntilAsync(() => _delivered.Any(d => DeliveryReceipt.Read(d)?.MessageId == answer.MessageId), "the receipt after the client bound again");
        Assert.Single(_delivered, d => DeliveryReceipt.Read(d)?.MessageId == answer.MessageId);
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Mail2Sms.Smpp;

/// <summary>How the simulator behaves; every setting may change while it runs.</summary>
public sealed class SmscSimulatorOptions
{
    /// <summary>The system_id it answers binds with.</summary>
    public string SystemId { get; set; } = "SMSC";

    /// <summary>system_id to password; null accepts any bind.</summary>
    public IReadOnlyDictionary<string, string>? Credentials { get; set; }

    /// <summary>How long after a submit its receipt is sent.</summary>
    public TimeSpan ReceiptDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The stat of each receipt, chosen by the message's number: DELIVRD, UNDELIV, EXPIRED…</summary>
    public Func<long, string> Outcome { get; set; } = _ => "DELIVRD";

    /// <summary>When true, every submit is answered ESME_RTHROTTLED.</summary>
    public bool Throttling { get; set; }

    /// <summary>How long each request waits before its answer.</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>When set, every submit is answered with this status (a permanent refusal, say).</summary>
    public CommandStatus? SubmitStatus { get; set; }

    /// <summary>A status to answer one submit with, given it (null: answer it as usual); after <see cref="SubmitStatus"/>.</summary>
    public Func<ShortMessage, CommandStatus?>? Refuse { get; set; }

    /// <summary>
    /// Submits it takes (an ID given, the receipt sent as usual) but never answers, as an SMSC whose submit_sm_resp is lost
    /// on the way: given the submit, true leaves it unanswered; null answers every one.
    /// </summary>
    public Func<ShortMessage, bool>? Unanswered { get; set; }

    /// <summary>Called with every PDU as it arrives, before it is answered: to time or count what comes in as it comes.</summary>
    public Action<Pdu>? OnReceived { get; set; }

    /// <summary>When set, connections speak TLS with this certificate (set before <see cref="SmscSimulator.Start"/>).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// A reply the mobile sends after its receipt, given the submit (the last part of a long message):
    /// null for none, the default. The reply comes as a deliver_sm from the destination to the source.
    /// </summary>
    public Func<ShortMessage, string?>? Reply { get; set; }
}

/// <summary>
/// An SMS centre for tests and demos, on this library's own codec: accepts binds (checking
/// credentials when given), answers submits with message IDs, sends receipts after a delay with the
/// outcome chosen, throttles on request, answers slowly on request, takes a submit without answering it on request, drops connections, injects
/// messages from mobiles, and records every PDU it received.
/// </summary>
public sealed class SmscSimulator : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ConcurrentDictionary<SmppConnection, Session> _sessions = new();
    private readonly ConcurrentQueue<Pdu> _received = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ShortMessage>> _held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _clock;
    private readonly Task _accepting;
    private long _messageIds;
    private int _answered;

    private SmscSimulator(TcpListener listener, SmscSimulatorOptions options, TimeProvider clock)
    {
        _listener = listener;
        Options = options;
        _clock = clock;
        _accepting = AcceptAsync();
    }

    /// <summary>Its behaviour.</summary>
    public SmscSimulatorOptions Options { get; }

    /// <summary>The port it listens on.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every PDU received, in order.</summary>
    public IReadOnlyList<Pdu> Received => [.. _received];

    /// <summary>Requests answered so far (after any <see cref="SmscSimulatorOptions.ResponseDelay"/>).</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>The sessions bound now.</summary>
    public int BoundSessions => _sessions.Values.Count(s => s.Bind is not null);

    /// <summary>Starts listening on <paramref name="address"/>:<paramref name="port"/> (0: any free port).</summary>
    /// <param name="address">The address to listen on.</param>
    /// <param name="port">The port to listen on; 0 for any free one.</param>
    /// <param name="options">Its behaviour; null for the defaults.</param>
    /// <param name="clock">The clock its delays, timeouts and receipt dates run on; null for the system's.</param>
    public static SmscSimulator Start(IPAddress address, int port, SmscSimulatorOptions? options = null, TimeProvider? clock = null)
    {
        var listener = new TcpListener(address, port);
        listener.Start();
        return new SmscSimulator(listener, options ?? new SmscSimulatorOptions(), clock ?? TimeProvider.System);
    }

    /// <summary>Sends a message from a mobile (a deliver_sm, or a data_sm) to every session bound as receiver or transceiver; returns how many took it.</summary>
    public async Task<int> InjectAsync(Pdu deliver, CancellationToken cancellationToken = default)
    {
        var sent = 0;
        foreach (var (connection, session) in _sessions)
        {
            if (session.Bind is CommandId.BindReceiver or CommandId.BindTransceiver)
            {
                try
                {
                    await connection.RequestAsync(deliver, cancellationToken).ConfigureAwait(false);
                    sent++;
                }
                catch (Exception e) when (e is SmppConnectionClosedException or TimeoutException)
                {
                    // A session closing as the message goes out: the others still get it.
                }
            }
        }

        return sent;
    }

    /// <summary>Unbinds every session from the SMSC's side, as an SMSC going down for maintenance does.</summary>
    public async Task UnbindAllAsync()
    {
        foreach (var connection in _sessions.Keys)
        {
            try
            {
                await connection.RequestAsync(new EmptyPdu(CommandId.Unbind)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SmppConnectionClosedException or TimeoutException)
            {
                // Gone already.
            }

            connection.Close("unbound by the simulator");
        }
    }

    /// <summary>Drops every connection at once, without unbind, as a network failure would.</summary>
    public void DropConnections()
    {
        foreach (var connection in _sessions.Keys)
        {
            connection.Close("dropped by the simulator");
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (Options.Certificate is { } certificate)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsServerAsync(certificate).WaitAsync(TimeSpan.FromSeconds(30), _clock, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or AuthenticationException or TimeoutException or OperationCanceledException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return;
        }

        var session = new Session();
        SmppConnection? connection = null;
        connection = new SmppConnection(stream, pdu => AnswerAsync(connection!, session, pdu), windowSize: 100, clock: _clock);
        _sessions[connection] = session;
        try
        {
            await connection.Completion.ConfigureAwait(false);
        }
        finally
        {
            _sessions.TryRemove(connection, out _);
        }
    }

    private async Task<Pdu?> AnswerAsync(SmppConnection connection, Session session, Pdu pdu)
    {
        try
        {
            return await AnswerWithinAsync(connection, session, pdu).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref _answered);
        }
    }

    private async Task<Pdu?> AnswerWithinAsync(SmppConnection connection, Session session, Pdu pdu)
    {
        _received.Enqueue(pdu);
        Options.OnReceived?.Invoke(pdu);
        if (Options.ResponseDelay > TimeSpan.Zero)
        {
            await Task.Delay(Options.ResponseDelay, _clock, _stop.Token).ConfigureAwait(false);
        }

        switch (pdu)
        {
            case Bind bind:
                if (session.Bind is not null)
                {
                    return SmppConnection.ResponseTo(bind, CommandStatus.AlreadyBound);
                }

                if (Options.Credentials is { } credentials && (!credentials.TryGetValue(bind.SystemId, out var password) || password != bind.Password))
                {
                    return SmppConnection.ResponseTo(bind, credentials.ContainsKey(bind.SystemId) ? CommandStatus.InvalidPassword : CommandStatus.InvalidSystemId);
                }

                (session.Bind, session.SystemId) = (bind.CommandId, bind.SystemId);
                var bound = new BindResp(bind.CommandId.ResponseOf()!.Value) { Sequence = bind.Sequence, SystemId = Options.SystemId, Tlvs = [Tlv.Byte(TlvTag.ScInterfaceVersion, 0x34)] };
                if (bind.CommandId is not (CommandId.BindReceiver or CommandId.BindTransceiver))
                {
                    return bound;
                }

                // Sent here rather than returned: the receipts held for this system_id follow once it is out.
                try
                {
                    await connection.SendAsync(bound).ConfigureAwait(false);
                }
                catch (SmppConnectionClosedException)
                {
                    return null;
                }

                _ = DeliverHeldAsync(connection, bind.SystemId);
                return null;
            case ShortMessage { CommandId: CommandId.SubmitSm } submit:
                var taken = Submit(connection, session, submit, submit.RegisteredDelivery, submit.Message, CommandId.SubmitSmResp);
                return taken.Status == CommandStatus.Ok && Options.Unanswered?.Invoke(submit) == true ? null : taken;
            case DataSm data:
                return Submit(connection, session, data, data.RegisteredDelivery, data.Tlvs.Find(TlvTag.MessagePayload)?.Value ?? default, CommandId.DataSmResp);
            case QuerySm query:
                return new QuerySmResp { MessageId = query.MessageId, MessageState = 2, FinalDate = _clock.GetUtcNow().UtcDateTime.ToString("yyMMddHHmmss000+", CultureInfo.InvariantCulture) };
            case CancelSm:
                return new EmptyPdu(CommandId.CancelSmResp);
            case EmptyPdu { CommandId: CommandId.EnquireLink }:
                return new EmptyPdu(CommandId.EnquireLinkResp);
            case EmptyPdu { CommandId: CommandId.Unbind }:
                // The connection closes once this answer is out.
                session.Bind = null;
                return new EmptyPdu(CommandId.UnbindResp);
            default:
                return SmppConnection.ResponseTo(pdu, CommandStatus.InvalidCommandId);
        }
    }

    private MessageResp Submit(SmppConnection connection, Session session, Pdu request, byte registeredDelivery, ReadOnlyMemory<byte> text, CommandId response)
    {
        if (session.Bind is not (CommandId.BindTransmitter or CommandId.BindTransceiver))
        {
            return new MessageResp(response) { Status = CommandStatus.IncorrectBindStatus };
        }

        if (Options.Throttling || Options.SubmitStatus is not null)
        {
            return new MessageResp(response) { Status = Options.Throttling ? CommandStatus.Throttled : Options.SubmitStatus!.Value };
        }

        if (request is ShortMessage submitted && Options.Refuse?.Invoke(submitted) is { } refusal)
        {
            return new MessageResp(response) { Status = refusal };
        }

        var number = Interlocked.Increment(ref _messageIds);
        var id = number.ToString("x8", CultureInfo.InvariantCulture);
        if ((registeredDelivery & 0x03) != 0)
        {
            _ = SendReceiptAsync(session.Bind == CommandId.BindTransceiver ? connection : null, session.SystemId, request, id, number, text);
        }

        return new MessageResp(response) { MessageId = id };
    }

    // To the submitting session when it is a transceiver, else to a receiver bound with the same system_id (a transmitter and receiver pair).
    private async Task SendReceiptAsync(SmppConnection? submitter, string? systemId, Pdu request, string id, long number, ReadOnlyMemory<byte> text)
    {
        try
        {
            await Task.Delay(Options.ReceiptDelay, _clock, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var (source, destination) = request switch
        {
            ShortMessage submit => ((submit.DestinationTon, submit.DestinationNpi, submit.DestinationAddress), (submit.SourceTon, submit.SourceNpi, submit.SourceAddress)),
            DataSm data => ((data.DestinationTon, data.DestinationNpi, data.DestinationAddress), (data.SourceTon, data.SourceNpi, data.SourceAddress)),
            _ => default,
        };
        var state = Options.Outcome(number);
        var now = _clock.GetUtcNow().UtcDateTime;
        var receipt = new DeliveryReceipt(id, state, state == "DELIVRD" ? "000" : "001", 1, state == "DELIVRD" ? 1 : 0, now, now,
            Encoding.Latin1.GetString(text.Span[..Math.Min(20, text.Length)]));
        var fromMobile = new ShortMessage(CommandId.DeliverSm)
        {
            SourceTon = source.Item1,
            SourceNpi = source.Item2,
            SourceAddress = source.Item3,
            DestinationTon = destination.Item1,
            DestinationNpi = destination.Item2,
            DestinationAddress = destination.Item3,
        };
        await DeliverAsync(submitter, systemId, fromMobile with
        {
            EsmClass = 0x04,
            Message = Encoding.Latin1.GetBytes(receipt.Format()),
            Tlvs = [Tlv.CString(TlvTag.ReceiptedMessageId, id), Tlv.Byte(TlvTag.MessageState, DeliveryReceipt.StateValue(state))],
        }).ConfigureAwait(false);
        if (request is ShortMessage submitted && (LongMessages.PartOf(submitted) is not { } part || part.Sequence == part.Total)
            && Options.Reply?.Invoke(submitted) is { } reply)
        {
            await DeliverAsync(submitter, systemId, fromMobile with { Message = LongMessages.Gsm7(reply) }).ConfigureAwait(false);
        }
    }

    // To the submitting session when it is a transceiver still open, else to a receiver or transceiver bound with
    // the same system_id; with none, or when sending fails, it is held for that system_id's next bind, as an SMSC keeps them.
    private async Task DeliverAsync(SmppConnection? submitter, string? systemId, ShortMessage deliver)
    {
        var connection = submitter is { IsClosed: false } ? submitter
            : _sessions.FirstOrDefault(s => s.Value.Bind is CommandId.BindReceiver or CommandId.BindTransceiver && s.Value.SystemId == systemId && !s.Key.IsClosed).Key;
        try
        {
            if (connection is not null)
            {
                await connection.RequestAsync(deliver, _stop.Token).ConfigureAwait(false);
                return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SmppConnectionClosedException or TimeoutException)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }
        }

        _held.GetOrAdd(systemId ?? string.Empty, _ => new ConcurrentQueue<ShortMessage>()).Enqueue(deliver);
    }

    // Receipts held for a system_id go to its session, its bind_resp being out.
    private async Task DeliverHeldAsync(SmppConnection connection, string systemId)
    {
        if (!_held.TryGetValue(systemId, out var held) || held.IsEmpty)
        {
            return;
        }

        // As many as were held: one that fails again is held again, for the next bind.
        for (var left = held.Count; left > 0 && held.TryDequeue(out var deliver); left--)
        {
            await DeliverAsync(connection, systemId, deliver).ConfigureAwait(false);
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        foreach (var connection in _sessions.Keys)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private sealed class Session
    {
        public CommandId? Bind { get; set; }

        public string? SystemId { get; set; }
    }
}

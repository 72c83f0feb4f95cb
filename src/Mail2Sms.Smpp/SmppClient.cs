using System.Net.Security;
using System.Net.Sockets;

namespace Mail2Sms.Smpp;

/// <summary>
/// How an ESME connects to its SMSC. Every setting is a plain value (text, number, true/false, an enum
/// name, or a <see cref="TimeSpan"/>), so it can be bound from configuration; only
/// <see cref="CertificateValidation"/> is code.
/// </summary>
public sealed record SmppClientOptions
{
    /// <summary>The SMSC's host name or IP address. Default <c>127.0.0.1</c>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The SMSC's TCP port. Default 2775 (the custom; 3550 or 8775 with TLS at some providers).</summary>
    public int Port { get; init; } = 2775;

    /// <summary>The system_id the session binds as: the account name the SMSC gave (at most 15 characters). Default empty.</summary>
    public string SystemId { get; init; } = string.Empty;

    /// <summary>The password the session binds with (at most 8 characters). Default empty.</summary>
    public string Password { get; init; } = string.Empty;

    /// <summary>The system_type sent with the bind, when the SMSC asks for one (at most 12 characters). Default empty.</summary>
    public string SystemType { get; init; } = string.Empty;

    /// <summary>
    /// How the session binds: <see cref="CommandId.BindTransceiver"/> (the default: submits, receipts and
    /// replies over one connection), <see cref="CommandId.BindTransmitter"/> (submits only) or
    /// <see cref="CommandId.BindReceiver"/> (receipts and replies only).
    /// </summary>
    public CommandId BindType { get; init; } = CommandId.BindTransceiver;

    /// <summary>Requests outstanding at once on the session, a count (at least 1). Default 10.</summary>
    public int WindowSize { get; init; } = 10;

    /// <summary>
    /// How long each request waits for its response, as a time span (also the most a write, the TLS
    /// handshake and the drain before unbind may take). Default 10 seconds.
    /// </summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a bound session proves it is alive with enquire_link, as a time span: the first is sent
    /// this long after the bind, then one each interval. Default 30 seconds.
    /// </summary>
    public TimeSpan EnquireLinkInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The first wait before connecting again after a refused bind or a dropped connection, as a time span;
    /// it doubles at each failure in a row up to <see cref="MaxReconnectDelay"/>, each wait varied by ±20%.
    /// Default 1 second.
    /// </summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before connecting again, as a time span (before the ±20% jitter). Default 1 minute.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long every submit pauses after the SMSC answers ESME_RTHROTTLED or ESME_RMSGQFUL, as a time span,
    /// before the refused one is sent again. Default 1 second.
    /// </summary>
    public TimeSpan ThrottleDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Submits per second at most on this session, a count; 0 (the default) for no limit.</summary>
    public int MaxSubmitsPerSecond { get; init; }

    /// <summary>
    /// Ask for a receipt of every submit: registered_delivery 1 on a submit that sets none. True or false;
    /// default true.
    /// </summary>
    public bool RequestReceipts { get; init; } = true;

    /// <summary>Speak TLS to the SMSC (SMPP over TLS) instead of plain TCP. True or false; default false.</summary>
    public bool UseTls { get; init; }

    /// <summary>
    /// Checks the SMSC's certificate when <see cref="UseTls"/> is true; null (the default) for the system's
    /// rules (a trusted chain naming <see cref="Host"/>). Code, not configuration.
    /// </summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }
}

/// <summary>
/// An ESME's session with its SMSC: binds, keeps the session alive with enquire_link, reconnects with
/// capped exponential backoff and jitter when the connection drops, sends submits within the window and
/// the rate limit (slowing down and sending again on ESME_RTHROTTLED and ESME_RMSGQFUL), hands every
/// deliver_sm (receipts and messages from mobiles) to <c>onDeliver</c>, and unbinds cleanly when
/// disposed, once the window has drained.
/// </summary>
public sealed class SmppClient : IAsyncDisposable
{
    private readonly SmppClientOptions _options;
    private readonly Func<ShortMessage, Task> _onDeliver;
    private readonly Action<SmppEvent> _onEvent;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _rate = new();
    private readonly Task _running;
    private TaskCompletionSource<SmppConnection> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Completed, and renewed, each time _bound is: a submit that found the connection closed waits for it.
    private TaskCompletionSource _boundRenewed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _nextSubmitAt = DateTimeOffset.MinValue;
    private int _disposed;

    /// <summary>Starts connecting at once.</summary>
    /// <param name="options">Where and how.</param>
    /// <param name="onDeliver">
    /// Takes each deliver_sm (and each data_sm, as a deliver_sm with its message_payload): receipts and
    /// messages from mobiles; when it throws, the SMSC is told ESME_RX_T_APPN and sends it again later.
    /// </param>
    /// <param name="onEvent">Told of binds, unbinds, throttling and a full window.</param>
    /// <param name="clock">
    /// The clock every wait and timeout runs on (reconnect backoff, throttling, the rate limit, response
    /// timeouts, enquire_link); null for the system's.
    /// </param>
    public SmppClient(SmppClientOptions options, Func<ShortMessage, Task>? onDeliver = null, Action<SmppEvent>? onEvent = null, TimeProvider? clock = null)
    {
        _options = options;
        _onDeliver = onDeliver ?? (_ => Task.CompletedTask);
        _onEvent = onEvent ?? (_ => { });
        _clock = clock ?? TimeProvider.System;
        _running = Task.Run(RunAsync);
    }

    /// <summary>Waits until the session is bound.</summary>
    public Task WaitBoundAsync(CancellationToken cancellationToken = default) => _bound.Task.WaitAsync(cancellationToken);

    /// <summary>True while the session is bound and its connection open: a submit now goes out at once.</summary>
    public bool IsBound => _bound.Task is { IsCompletedSuccessfully: true } bound && !bound.Result.IsClosed;

    /// <summary>Requests sent and not yet answered on the current connection.</summary>
    public int Outstanding => _bound.Task is { IsCompletedSuccessfully: true } bound ? bound.Result.Outstanding : 0;

    /// <summary>
    /// Submits a message and returns the SMSC's answer: its message ID, or a permanent status
    /// (ESME_RINVDSTADR and the like). Transient refusals are sent again after a pause; a connection
    /// that drops with the submit outstanding throws <see cref="SmppConnectionClosedException"/>, and
    /// no answer in time throws <see cref="TimeoutException"/>: the caller cannot know whether the SMSC
    /// took it. A submit made while the session is down waits for the next bind.
    /// </summary>
    public async Task<MessageResp> SubmitAsync(ShortMessage submit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submit);
        if (_options.RequestReceipts && submit.RegisteredDelivery == 0)
        {
            submit = submit with { RegisteredDelivery = 1 };
        }

        while (true)
        {
            await WaitForRateAsync(cancellationToken).ConfigureAwait(false);
            // Read before _bound, which is renewed first: a closed connection found there means this is still to come.
            var renewed = Volatile.Read(ref _boundRenewed).Task;
            var connection = await _bound.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (connection.IsClosed)
            {
                // Between a dropped connection and the next bind: nothing was sent, so wait for the next bind and send then.
                await renewed.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var response = await connection.RequestAsync(submit with { Command = CommandId.SubmitSm }, cancellationToken).ConfigureAwait(false);
            if (response is not MessageResp answer)
            {
                // generic_nack: the SMSC could not read it; that will not change.
                return new MessageResp(CommandId.SubmitSmResp) { Status = response.Status == CommandStatus.Ok ? CommandStatus.SystemError : response.Status, Sequence = response.Sequence };
            }

            if (answer.Status is not (CommandStatus.Throttled or CommandStatus.MessageQueueFull))
            {
                return answer;
            }

            _onEvent(new SmppEvent(SmppEventKind.Throttled, answer.Status.ToString()));
            lock (_rate)
            {
                var after = _clock.GetUtcNow() + _options.ThrottleDelay;
                _nextSubmitAt = after > _nextSubmitAt ? after : _nextSubmitAt;
            }
        }
    }

    private async Task WaitForRateAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_rate)
        {
            var now = _clock.GetUtcNow();
            var at = _nextSubmitAt > now ? _nextSubmitAt : now;
            var spacing = _options.MaxSubmitsPerSecond > 0 ? TimeSpan.FromSeconds(1.0 / _options.MaxSubmitsPerSecond) : TimeSpan.Zero;
            _nextSubmitAt = at + spacing;
            wait = at - now;
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    // Connects, binds, keeps alive; on a drop waits (capped exponential backoff with jitter) and
    // starts again; on stop, unbinds once the window has drained. Never ends but by stopping.
    private async Task RunAsync()
    {
        var delay = _options.MinReconnectDelay;
        while (!_stop.IsCancellationRequested)
        {
            SmppConnection? connection = null;
            try
            {
                connection = await ConnectAsync().ConfigureAwait(false);
                var response = await connection.RequestAsync(new Bind(_options.BindType)
                {
                    SystemId = _options.SystemId,
                    Password = _options.Password,
                    SystemType = _options.SystemType,
                }, _stop.Token).ConfigureAwait(false);
                if (response.Status != CommandStatus.Ok)
                {
                    throw new SmppConnectionClosedException($"the SMSC refused the bind: {response.Status}");
                }

                _onEvent(new SmppEvent(SmppEventKind.Bound, (response as BindResp)?.SystemId));
                delay = _options.MinReconnectDelay;
                // Started before the bind is announced: the first enquire_link is due one interval after it.
                using var enquireLink = new PeriodicTimer(_options.EnquireLinkInterval, _clock);
                _bound.TrySetResult(connection);
                await KeepAliveAsync(connection, enquireLink).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                if (connection is not null && _bound.Task.IsCompletedSuccessfully && _bound.Task.Result == connection)
                {
                    await UnbindAsync(connection).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                _onEvent(new SmppEvent(SmppEventKind.Unbound, e.Message));
            }
            finally
            {
                // Submits wait for the next bind from now on, not for this connection's disposal.
                if (_bound.Task.IsCompleted)
                {
                    _bound = new TaskCompletionSource<SmppConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
                    Interlocked.Exchange(ref _boundRenewed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }

                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }

            try
            {
                await Task.Delay(delay * (0.8 + (Random.Shared.NextDouble() * 0.4)), _clock, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = delay * 2 < _options.MaxReconnectDelay ? delay * 2 : _options.MaxReconnectDelay;
        }

        _bound.TrySetException(new SmppConnectionClosedException("The SMPP client is stopped."));
    }

    // Waits for the window to drain (at most the response timeout), then unbinds.
    private async Task UnbindAsync(SmppConnection connection)
    {
        try
        {
            await connection.WaitDrainedAsync().WaitAsync(_options.ResponseTimeout, _clock).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still outstanding after a whole response timeout: unbinding anyway.
        }

        try
        {
            await connection.RequestAsync(new EmptyPdu(CommandId.Unbind)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SmppConnectionClosedException or TimeoutException)
        {
            // Closing anyway.
        }
    }

    private async Task<SmppConnection> ConnectAsync()
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(_options.Host, _options.Port, _stop.Token).ConfigureAwait(false);
            Stream stream = client.GetStream();
            if (_options.UseTls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                using var timeout = new CancellationTokenSource(_options.ResponseTimeout, _clock);
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, timeout.Token);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = _options.Host,
                    RemoteCertificateValidationCallback = _options.CertificateValidation,
                }, handshake.Token).ConfigureAwait(false);
            }

            return new SmppConnection(stream, OnRequestAsync, _onEvent, _options.WindowSize, _options.ResponseTimeout, clock: _clock);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    // An enquire_link at every tick of the timer until the connection closes.
    private async Task KeepAliveAsync(SmppConnection connection, PeriodicTimer enquireLink)
    {
        while (!connection.Completion.IsCompleted)
        {
            var tick = enquireLink.WaitForNextTickAsync(_stop.Token).AsTask();
            if (await Task.WhenAny(tick, connection.Completion).ConfigureAwait(false) == connection.Completion)
            {
                break;
            }

            await tick.ConfigureAwait(false);
            await connection.RequestAsync(new EmptyPdu(CommandId.EnquireLink), _stop.Token).ConfigureAwait(false);
        }

        throw new SmppConnectionClosedException(connection.CloseReason ?? "closed");
    }

    private async Task<Pdu?> OnRequestAsync(Pdu request)
    {
        switch (request)
        {
            case ShortMessage { CommandId: CommandId.DeliverSm } deliver:
                return await DeliverAsync(deliver, CommandId.DeliverSmResp).ConfigureAwait(false);
            case DataSm data:
                // Some SMSCs send messages from mobiles and receipts as data_sm: handed over as a deliver_sm with its message_payload.
                return await DeliverAsync(new ShortMessage(CommandId.DeliverSm)
                {
                    ServiceType = data.ServiceType,
                    SourceTon = data.SourceTon,
                    SourceNpi = data.SourceNpi,
                    SourceAddress = data.SourceAddress,
                    DestinationTon = data.DestinationTon,
                    DestinationNpi = data.DestinationNpi,
                    DestinationAddress = data.DestinationAddress,
                    EsmClass = data.EsmClass,
                    RegisteredDelivery = data.RegisteredDelivery,
                    DataCoding = data.DataCoding,
                    Tlvs = data.Tlvs,
                }, CommandId.DataSmResp).ConfigureAwait(false);
            case EmptyPdu { CommandId: CommandId.EnquireLink }:
                return new EmptyPdu(CommandId.EnquireLinkResp);
            case EmptyPdu { CommandId: CommandId.Unbind }:
                // The connection closes once this is out; the client binds again.
                return new EmptyPdu(CommandId.UnbindResp);
            default:
                return SmppConnection.ResponseTo(request, CommandStatus.InvalidCommandId);
        }
    }

    private async Task<Pdu> DeliverAsync(ShortMessage deliver, CommandId response)
    {
        try
        {
            await _onDeliver(deliver).ConfigureAwait(false);
            return new MessageResp(response);
        }
        catch (Exception e)
        {
            _onEvent(new SmppEvent(SmppEventKind.DeliverFailed, $"{e.GetType().Name}: {e.Message}"));
            return new MessageResp(response) { Status = CommandStatus.ReceiverTemporaryAppError };
        }
    }

    /// <summary>Waits for the window to drain (at most the response timeout), unbinds, and closes. Calling it again does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _stop.Dispose();
    }
}

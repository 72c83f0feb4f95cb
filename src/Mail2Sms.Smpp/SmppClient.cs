using System.Net.Security;
using System.Net.Sockets;

namespace Mail2Sms.Smpp;

/// <summary>How an ESME connects to its SMSC.</summary>
public sealed record SmppClientOptions
{
    /// <summary>The SMSC's host name or address.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The SMSC's port (2775 by custom; 3550 or 8775 with TLS at some providers).</summary>
    public int Port { get; init; } = 2775;

    /// <summary>system_id.</summary>
    public string SystemId { get; init; } = string.Empty;

    /// <summary>password.</summary>
    public string Password { get; init; } = string.Empty;

    /// <summary>system_type.</summary>
    public string SystemType { get; init; } = string.Empty;

    /// <summary>bind_transceiver (the default), bind_transmitter or bind_receiver.</summary>
    public CommandId BindType { get; init; } = CommandId.BindTransceiver;

    /// <summary>Requests outstanding at once.</summary>
    public int WindowSize { get; init; } = 10;

    /// <summary>How long each request waits for its response.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle session proves it is alive with enquire_link.</summary>
    public TimeSpan EnquireLinkInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first wait before connecting again; it doubles up to <see cref="MaxReconnectDelay"/>, with jitter.</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before connecting again.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a submit waits after ESME_RTHROTTLED or ESME_RMSGQFUL before it is sent again.</summary>
    public TimeSpan ThrottleDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Submits per second at most; 0 for no limit.</summary>
    public int MaxSubmitsPerSecond { get; init; }

    /// <summary>Ask for a receipt of every submit (registered_delivery 1 when the submit sets none).</summary>
    public bool RequestReceipts { get; init; } = true;

    /// <summary>TLS to the SMSC.</summary>
    public bool UseTls { get; init; }

    /// <summary>Checks the SMSC's certificate when <see cref="UseTls"/>; null for the system's rules.</summary>
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
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _rate = new();
    private readonly Task _running;
    private TaskCompletionSource<SmppConnection> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTime _nextSubmitAt = DateTime.MinValue;
    private int _disposed;

    /// <summary>Starts connecting at once.</summary>
    /// <param name="options">Where and how.</param>
    /// <param name="onDeliver">
    /// Takes each deliver_sm (and each data_sm, as a deliver_sm with its message_payload): receipts and
    /// messages from mobiles; when it throws, the SMSC is told ESME_RX_T_APPN and sends it again later.
    /// </param>
    /// <param name="onEvent">Told of binds, unbinds, throttling and a full window.</param>
    public SmppClient(SmppClientOptions options, Func<ShortMessage, Task>? onDeliver = null, Action<SmppEvent>? onEvent = null)
    {
        _options = options;
        _onDeliver = onDeliver ?? (_ => Task.CompletedTask);
        _onEvent = onEvent ?? (_ => { });
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
            var connection = await _bound.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (connection.IsClosed)
            {
                // Between a dropped connection and the next bind: nothing was sent, so wait and send then.
                await Task.Delay(_options.MinReconnectDelay / 10, cancellationToken).ConfigureAwait(false);
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
                var after = DateTime.UtcNow + _options.ThrottleDelay;
                _nextSubmitAt = after > _nextSubmitAt ? after : _nextSubmitAt;
            }
        }
    }

    private async Task WaitForRateAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_rate)
        {
            var now = DateTime.UtcNow;
            var at = _nextSubmitAt > now ? _nextSubmitAt : now;
            var spacing = _options.MaxSubmitsPerSecond > 0 ? TimeSpan.FromSeconds(1.0 / _options.MaxSubmitsPerSecond) : TimeSpan.Zero;
            _nextSubmitAt = at + spacing;
            wait = at - now;
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
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
                _bound.TrySetResult(connection);
                await KeepAliveAsync(connection).ConfigureAwait(false);
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
                }

                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }

            try
            {
                await Task.Delay(delay * (0.8 + (Random.Shared.NextDouble() * 0.4)), _stop.Token).ConfigureAwait(false);
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
        var deadline = DateTime.UtcNow + _options.ResponseTimeout;
        while (connection.Outstanding > 0 && !connection.IsClosed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
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
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                handshake.CancelAfter(_options.ResponseTimeout);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = _options.Host,
                    RemoteCertificateValidationCallback = _options.CertificateValidation,
                }, handshake.Token).ConfigureAwait(false);
            }

            return new SmppConnection(stream, OnRequestAsync, _onEvent, _options.WindowSize, _options.ResponseTimeout);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private async Task KeepAliveAsync(SmppConnection connection)
    {
        while (!connection.Completion.IsCompleted)
        {
            var idle = Task.Delay(_options.EnquireLinkInterval, _stop.Token);
            if (await Task.WhenAny(idle, connection.Completion).ConfigureAwait(false) == connection.Completion)
            {
                break;
            }

            await idle.ConfigureAwait(false);
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
        catch (Exception)
        {
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

using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace Mail2Sms.Smpp;

/// <summary>What happened on a connection, for logs and metrics.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Detail">More about it, in words, when there is more.</param>
public readonly record struct SmppEvent(SmppEventKind Kind, string? Detail = null);

/// <summary>The kinds of <see cref="SmppEvent"/>.</summary>
public enum SmppEventKind
{
    /// <summary>A bind succeeded.</summary>
    Bound,
    /// <summary>The session ended (unbind, a dropped connection, or a failure).</summary>
    Unbound,
    /// <summary>The SMSC said ESME_RTHROTTLED or ESME_RMSGQFUL; the session slows down.</summary>
    Throttled,
    /// <summary>Every place in the window is taken; a request waits for one.</summary>
    WindowFull,
    /// <summary>A PDU could not be read and was answered with generic_nack.</summary>
    Malformed,
    /// <summary>A request had no response in time.</summary>
    TimedOut,
    /// <summary>
    /// A message from the SMSC (a receipt, a reply) could not be handed over (its handler failed, as when the store is
    /// down): answered ESME_RX_T_APPN, so the SMSC sends it again later. The detail says why.
    /// </summary>
    DeliverFailed,
}

/// <summary>Thrown to the callers of a connection that is closed, with why.</summary>
public sealed class SmppConnectionClosedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One SMPP connection, either side: PDUs read and written over a stream, requests numbered and
/// matched with their responses within a window of outstanding requests, each with its own timeout.
/// Requests from the other side are answered, in order, by handlers that run apart from reading and side by side (a
/// slow handler never delays the responses this side waits for). A PDU that cannot be read is answered
/// as SMPP 3.4 asks: generic_nack for an unknown command or impossible length, the request's own
/// response with the error for a bad body, nothing for a bad response (its request fails). An unbind
/// from the other side is answered and ends the connection; so does a write that cannot finish in time.
/// </summary>
public sealed class SmppConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Func<Pdu, Task<Pdu?>> _onRequest;
    private readonly Action<SmppEvent> _onEvent;
    private readonly SemaphoreSlim _window;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<Pdu>> _pending = new();
    private readonly Channel<Incoming> _requests;
    private int _queued;
    private readonly CancellationTokenSource _closed = new();
    private readonly Task _answering;
    private readonly TimeSpan _responseTimeout;
    private readonly TimeProvider _clock;
    private readonly int _maxPduLength;
    private readonly Lock _drainLock = new();
    private TaskCompletionSource? _drained;
    private int _sequence;
    private string? _closeReason;

    /// <summary>Starts reading <paramref name="stream"/> at once.</summary>
    /// <param name="stream">The connected stream (a socket's, or TLS over it); disposed with the connection.</param>
    /// <param name="onRequest">Answers a request from the other side (null: no answer, as for outbind); called one at a time, in order.</param>
    /// <param name="onEvent">Told of what happens; an exception it throws is ignored.</param>
    /// <param name="windowSize">Requests this side may have outstanding at once.</param>
    /// <param name="responseTimeout">How long each request waits for its response, and each write to finish.</param>
    /// <param name="maxPduLength">The largest PDU read; a longer command_length closes the connection.</param>
    /// <param name="clock">The clock the timeouts run on; null for the system's.</param>
    public SmppConnection(Stream stream, Func<Pdu, Task<Pdu?>> onRequest, Action<SmppEvent>? onEvent = null,
        int windowSize = 10, TimeSpan? responseTimeout = null, int maxPduLength = PduCodec.DefaultMaxPduLength, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 1);
        _stream = stream;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        _onRequest = onRequest;
        var report = onEvent ?? (_ => { });
        _onEvent = e =>
        {
            try
            {
                report(e);
            }
            catch (Exception)
            {
                // Reporting must never break the connection.
            }
        };
        _window = new SemaphoreSlim(windowSize, windowSize);
        _responseTimeout = responseTimeout ?? TimeSpan.FromSeconds(10);
        _clock = clock ?? TimeProvider.System;
        _maxPduLength = maxPduLength;
        // Reading waits when this many requests from the other side are not yet answered: the other side's own window.
        _requests = Channel.CreateBounded<Incoming>(new BoundedChannelOptions(100) { SingleReader = true, SingleWriter = true });
        _answering = Task.Run(AnswerLoopAsync);
        Completion = Task.WhenAll(Task.Run(ReadLoopAsync), _answering);
    }

    /// <summary>Completes when the connection has closed, for whatever reason; never faults.</summary>
    public Task Completion { get; }

    /// <summary>Why the connection closed, once it has.</summary>
    public string? CloseReason => _closeReason;

    /// <summary>True once the connection has closed or begun to.</summary>
    public bool IsClosed => _closeReason is not null;

    /// <summary>Requests sent and not yet answered.</summary>
    public int Outstanding => _pending.Count;

    /// <summary>
    /// Completes once no request is outstanding (at once when none is), or once the connection has closed.
    /// </summary>
    public Task WaitDrainedAsync(CancellationToken cancellationToken = default)
    {
        lock (_drainLock)
        {
            if (_pending.IsEmpty || IsClosed)
            {
                return Task.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Sends a request with the next sequence number and returns its response, whatever its status.
    /// Waits for a place in the window first. Throws <see cref="TimeoutException"/> when no response
    /// comes within the response timeout, counted from when the request takes its place in the window,
    /// and <see cref="SmppConnectionClosedException"/> when the connection closes first.
    /// </summary>
    public async Task<Pdu> RequestAsync(Pdu request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (IsClosed)
        {
            throw Closed();
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        if (!_window.Wait(0, CancellationToken.None))
        {
            _onEvent(new SmppEvent(SmppEventKind.WindowFull));
            try
            {
                await _window.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_closed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw Closed();
            }
        }

        var response = new TaskCompletionSource<Pdu>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sequence = NextSequence();
        while (!_pending.TryAdd(sequence, response))
        {
            // After 2^31 requests the numbers come round; one still outstanding is skipped.
            sequence = NextSequence();
        }

        // Started before the write, so that whoever sees the request arrive knows its timeout is already running.
        using var timeout = _clock.CreateTimer(static waiting => ((TaskCompletionSource<Pdu>)waiting!).TrySetException(new TimeoutException()),
            response, _responseTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            if (IsClosed)
            {
                throw Closed();
            }

            await SendAsync(request with { Sequence = sequence }).ConfigureAwait(false);
            return await response.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _onEvent(new SmppEvent(SmppEventKind.TimedOut, $"{request.CommandId} {sequence}"));
            throw new TimeoutException($"No response to {request.CommandId} (sequence {sequence}) within {_responseTimeout.TotalSeconds:0.#} s.");
        }
        finally
        {
            _pending.TryRemove(sequence, out _);
            _window.Release();
            if (_pending.IsEmpty)
            {
                Drained();
            }
        }
    }

    private void Drained()
    {
        lock (_drainLock)
        {
            if (_pending.IsEmpty || IsClosed)
            {
                _drained?.TrySetResult();
                _drained = null;
            }
        }
    }

    /// <summary>
    /// Sends a PDU as it is (a response, or a request that expects none). A write that cannot finish
    /// within the response timeout closes the connection: half a PDU can never be followed by another.
    /// </summary>
    public async Task SendAsync(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        // No timeout here: the write before this one ends within its own, releasing the lock either way.
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (IsClosed)
            {
                throw Closed();
            }

            PduCodec.Write(pdu, _output);
            // Most flushes finish at once; only one that waits gets a timer.
            var flush = _output.FlushAsync();
            var flushed = flush.IsCompleted ? flush.Result : await flush.AsTask().WaitAsync(_responseTimeout, _clock).ConfigureAwait(false);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                Close("the other side stopped reading");
                throw Closed();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or TimeoutException)
        {
            Close(e is TimeoutException ? "a write could not finish in time" : $"writing failed: {e.Message}");
            throw Closed(e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The next sequence number: 1 to 0x7FFFFFFF, then 1 again.</summary>
    private uint NextSequence()
    {
        while (true)
        {
            var next = (uint)Interlocked.Increment(ref _sequence);
            if (next is > 0 and <= 0x7FFFFFFF)
            {
                return next;
            }

            Interlocked.CompareExchange(ref _sequence, 0, (int)next);
        }
    }

    private SmppConnectionClosedException Closed(Exception? inner = null) => new($"The SMPP connection is closed: {_closeReason ?? "closing"}.", inner);

    private async Task ReadLoopAsync()
    {
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                var read = await _input.ReadAsync(_closed.Token).ConfigureAwait(false);
                var buffer = read.Buffer;
                while (true)
                {
                    var result = PduCodec.TryRead(ref buffer, _maxPduLength);
                    if (result.Outcome == PduReadOutcome.NeedMoreData)
                    {
                        break;
                    }

                    if (result.Outcome == PduReadOutcome.FramingLost)
                    {
                        // The answers still due go out first, this generic_nack last, then the connection closes.
                        _onEvent(new SmppEvent(SmppEventKind.Malformed, result.Reason));
                        await QueueAsync(new Incoming(null, null, new EmptyPdu(CommandId.GenericNack) { Sequence = result.Sequence, Status = result.Error })).ConfigureAwait(false);
                        _requests.Writer.TryComplete();
                        await _answering.ConfigureAwait(false);
                        Close($"the other side sent a PDU that cannot be framed ({result.Reason})");
                        return;
                    }

                    if (result.Outcome == PduReadOutcome.Malformed)
                    {
                        await MalformedAsync(result).ConfigureAwait(false);
                        continue;
                    }

                    var pdu = result.Pdu!;
                    if (pdu.CommandId.IsResponse())
                    {
                        // generic_nack answers whatever request carried its sequence number.
                        if (_pending.TryGetValue(pdu.Sequence, out var waiting))
                        {
                            waiting.TrySetResult(pdu);
                        }
                    }
                    else
                    {
                        await HandleAsync(pdu).ConfigureAwait(false);
                    }
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    Close("the other side closed the connection");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Close($"reading failed: {e.Message}");
        }
        finally
        {
            Close("closed");
            _requests.Writer.TryComplete();
        }
    }

    // SMPP 3.4 2.3: generic_nack for what cannot be told apart (an unknown command); a request's own
    // response with the error for a bad body; never an answer to a response.
    private async Task MalformedAsync(PduReadResult result)
    {
        _onEvent(new SmppEvent(SmppEventKind.Malformed, result.Reason));
        if (result.Command.IsResponse() && result.Command != CommandId.GenericNack)
        {
            if (_pending.TryGetValue(result.Sequence, out var waiting))
            {
                waiting.TrySetException(new PduFormatException(result.Error, $"The response to request {result.Sequence} cannot be read: {result.Reason}."));
            }

            return;
        }

        var answer = result.Command.ResponseOf() is { } response && result.Error != CommandStatus.InvalidCommandId
            ? ResponseFor(response, result.Sequence, result.Error)
            : new EmptyPdu(CommandId.GenericNack) { Sequence = result.Sequence, Status = result.Error };
        // In turn with the answers to the requests before it.
        if (Volatile.Read(ref _queued) == 0)
        {
            await TrySendAsync(answer).ConfigureAwait(false);
        }
        else
        {
            await QueueAsync(new Incoming(null, null, answer)).ConfigureAwait(false);
        }
    }

    // A request whose handler answers at once is answered here, on the reading side: nothing is queued
    // before it, so order holds. One whose handler waits goes to the answering loop, with every request
    // after it, so that reading (and the responses this side waits for) never waits on a handler. The
    // handlers of queued requests start at once, so a window of them runs together (a store then writes
    // their receipts in one transaction); their answers still go in order.
    private async Task HandleAsync(Pdu request)
    {
        if (Volatile.Read(ref _queued) > 0)
        {
            await QueueAsync(new Incoming(request, Handle(request), null)).ConfigureAwait(false);
            return;
        }

        var handling = Handle(request);
        if (handling.IsCompleted)
        {
            await AnswerAsync(request, handling).ConfigureAwait(false);
        }
        else
        {
            await QueueAsync(new Incoming(request, handling, null)).ConfigureAwait(false);
        }
    }

    private Task<Pdu?> Handle(Pdu request)
    {
        try
        {
            return _onRequest(request);
        }
        catch (Exception e)
        {
            return Task.FromException<Pdu?>(e);
        }
    }

    private async Task QueueAsync(Incoming incoming)
    {
        Interlocked.Increment(ref _queued);
        await _requests.Writer.WriteAsync(incoming, _closed.Token).ConfigureAwait(false);
    }

    private async Task AnswerLoopAsync()
    {
        await foreach (var (request, handling, prepared) in _requests.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (request is null)
            {
                await TrySendAsync(prepared!).ConfigureAwait(false);
            }
            else
            {
                await AnswerAsync(request, handling!).ConfigureAwait(false);
            }

            Interlocked.Decrement(ref _queued);
        }
    }

    private async Task AnswerAsync(Pdu request, Task<Pdu?> handling)
    {
        Pdu? answer;
        try
        {
            answer = await handling.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The handler failed: the other side hears a system error rather than nothing.
            _onEvent(new SmppEvent(SmppEventKind.Malformed, $"handling {request.CommandId} failed: {e.Message}"));
            answer = ResponseTo(request, CommandStatus.SystemError);
        }

        if (answer is not null)
        {
            await TrySendAsync(answer with { Sequence = request.Sequence }).ConfigureAwait(false);
        }

        if (request.CommandId == CommandId.Unbind)
        {
            Close("the other side unbound");
        }
    }

    private readonly record struct Incoming(Pdu? Request, Task<Pdu?>? Handling, Pdu? Answer);

    /// <summary>The empty-bodied response to <paramref name="request"/> with <paramref name="status"/>; null for a request that has none (outbind, alert_notification).</summary>
    public static Pdu? ResponseTo(Pdu request, CommandStatus status)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.CommandId.ResponseOf() is { } response ? ResponseFor(response, request.Sequence, status) : null;
    }

    private static Pdu ResponseFor(CommandId response, uint sequence, CommandStatus status) => response switch
    {
        CommandId.BindTransmitterResp or CommandId.BindReceiverResp or CommandId.BindTransceiverResp => new BindResp(response) { Status = status, Sequence = sequence },
        CommandId.SubmitSmResp or CommandId.DeliverSmResp or CommandId.DataSmResp => new MessageResp(response) { Status = status, Sequence = sequence },
        CommandId.QuerySmResp => new QuerySmResp { Status = status, Sequence = sequence },
        _ => new EmptyPdu(response) { Status = status, Sequence = sequence },
    };

    private async Task TrySendAsync(Pdu pdu)
    {
        try
        {
            await SendAsync(pdu).ConfigureAwait(false);
        }
        catch (SmppConnectionClosedException)
        {
            // Closing already: the other side will not read it.
        }
    }

    /// <summary>Closes the connection: every request waiting for a response fails with the reason.</summary>
    public void Close(string reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }

        _closed.Cancel();
        _stream.Dispose();
        _requests.Writer.TryComplete();
        foreach (var waiting in _pending.Values)
        {
            waiting.TrySetException(Closed());
        }

        Drained();

        _onEvent(new SmppEvent(SmppEventKind.Unbound, reason));
    }

    /// <summary>Closes the connection and waits for its reading and answering to stop.</summary>
    public async ValueTask DisposeAsync()
    {
        Close("disposed");
        await Completion.ConfigureAwait(false);
        // The semaphores and the token source stay: a request still unwinding uses them after this.
    }
}

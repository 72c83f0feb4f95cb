using System.Collections.Concurrent;
using System.IO.Pipelines;

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
}

/// <summary>Thrown to the callers of a connection that is closed, with why.</summary>
public sealed class SmppConnectionClosedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One SMPP connection, either side: PDUs read and written over a stream, requests numbered and
/// matched with their responses within a window of outstanding requests, each with its own timeout.
/// Requests from the other side go to a handler whose answer is sent back; a PDU that cannot be read is
/// answered with generic_nack; a stream that can no longer be followed closes the connection.
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
    private readonly CancellationTokenSource _closed = new();
    private readonly TimeSpan _responseTimeout;
    private readonly int _maxPduLength;
    private int _sequence;
    private string? _closeReason;

    /// <summary>Starts reading <paramref name="stream"/> at once.</summary>
    /// <param name="stream">The connected stream (a socket's, or TLS over it); disposed with the connection.</param>
    /// <param name="onRequest">Answers a request from the other side (null: no answer, as for outbind); called one at a time, in order.</param>
    /// <param name="onEvent">Told of what happens.</param>
    /// <param name="windowSize">Requests this side may have outstanding at once.</param>
    /// <param name="responseTimeout">How long each request waits for its response.</param>
    /// <param name="maxPduLength">The largest PDU read; a longer command_length closes the connection.</param>
    public SmppConnection(Stream stream, Func<Pdu, Task<Pdu?>> onRequest, Action<SmppEvent>? onEvent = null,
        int windowSize = 10, TimeSpan? responseTimeout = null, int maxPduLength = PduCodec.DefaultMaxPduLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 1);
        _stream = stream;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        _onRequest = onRequest;
        _onEvent = onEvent ?? (_ => { });
        _window = new SemaphoreSlim(windowSize, windowSize);
        _responseTimeout = responseTimeout ?? TimeSpan.FromSeconds(10);
        _maxPduLength = maxPduLength;
        Completion = Task.Run(ReadLoopAsync);
    }

    /// <summary>Completes when the connection has closed, for whatever reason; never faults.</summary>
    public Task Completion { get; }

    /// <summary>Why the connection closed, once it has.</summary>
    public string? CloseReason => _closeReason;

    /// <summary>Requests sent and not yet answered.</summary>
    public int Outstanding => _pending.Count;

    /// <summary>
    /// Sends a request with the next sequence number and returns its response, whatever its status.
    /// Waits for a place in the window first. Throws <see cref="TimeoutException"/> when no response
    /// comes in time and <see cref="SmppConnectionClosedException"/> when the connection closes first.
    /// </summary>
    public async Task<Pdu> RequestAsync(Pdu request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
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

        var sequence = NextSequence();
        var response = new TaskCompletionSource<Pdu>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[sequence] = response;
        try
        {
            await SendAsync(request with { Sequence = sequence }, cancellationToken).ConfigureAwait(false);
            return await response.Task.WaitAsync(_responseTimeout, cancellationToken).ConfigureAwait(false);
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
        }
    }

    /// <summary>Sends a PDU as it is (a response, or a request that expects none).</summary>
    public async Task SendAsync(Pdu pdu, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed.IsCancellationRequested)
            {
                throw Closed();
            }

            PduCodec.Write(pdu, _output);
            var flushed = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted)
            {
                throw Closed();
            }
        }
        catch (IOException e)
        {
            Close($"writing failed: {e.Message}");
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
                        _onEvent(new SmppEvent(SmppEventKind.Malformed, result.Reason));
                        await TrySendAsync(new EmptyPdu(CommandId.GenericNack) { Sequence = result.Sequence, Status = result.Error }).ConfigureAwait(false);
                        Close($"the other side sent a PDU that cannot be framed ({result.Reason})");
                        return;
                    }

                    if (result.Outcome == PduReadOutcome.Malformed)
                    {
                        _onEvent(new SmppEvent(SmppEventKind.Malformed, result.Reason));
                        await TrySendAsync(new EmptyPdu(CommandId.GenericNack) { Sequence = result.Sequence, Status = result.Error }).ConfigureAwait(false);
                        continue;
                    }

                    await DispatchAsync(result.Pdu!).ConfigureAwait(false);
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
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Close($"reading failed: {e.Message}");
        }
        finally
        {
            Close("closed");
        }
    }

    private async Task DispatchAsync(Pdu pdu)
    {
        if (pdu.CommandId.IsResponse())
        {
            // generic_nack answers whatever request carried its sequence number.
            if (_pending.TryGetValue(pdu.Sequence, out var waiting))
            {
                waiting.TrySetResult(pdu);
            }

            return;
        }

        Pdu? answer;
        try
        {
            answer = await _onRequest(pdu).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The handler failed: the other side hears a system error rather than nothing.
            _onEvent(new SmppEvent(SmppEventKind.Malformed, $"handling {pdu.CommandId} failed: {e.Message}"));
            answer = pdu.CommandId.ResponseOf() is { } response ? ResponseFor(pdu, response, CommandStatus.SystemError) : null;
        }

        if (answer is not null)
        {
            await TrySendAsync(answer with { Sequence = pdu.Sequence }).ConfigureAwait(false);
        }
    }

    /// <summary>The empty-bodied response to <paramref name="request"/> with <paramref name="status"/>.</summary>
    public static Pdu ResponseFor(Pdu request, CommandId response, CommandStatus status) => response switch
    {
        CommandId.BindTransmitterResp or CommandId.BindReceiverResp or CommandId.BindTransceiverResp => new BindResp(response) { Status = status, Sequence = request.Sequence },
        CommandId.SubmitSmResp or CommandId.DeliverSmResp or CommandId.DataSmResp => new MessageResp(response) { Status = status, Sequence = request.Sequence },
        CommandId.QuerySmResp => new QuerySmResp { Status = status, Sequence = request.Sequence },
        _ => new EmptyPdu(response) { Status = status, Sequence = request.Sequence },
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
        foreach (var waiting in _pending.Values)
        {
            waiting.TrySetException(Closed());
        }

        _onEvent(new SmppEvent(SmppEventKind.Unbound, reason));
    }

    /// <summary>Closes the connection and waits for its reading to stop.</summary>
    public async ValueTask DisposeAsync()
    {
        Close("disposed");
        await Completion.ConfigureAwait(false);
        // The semaphores stay: a request still unwinding gives its window place back after this.
        _closed.Dispose();
    }
}

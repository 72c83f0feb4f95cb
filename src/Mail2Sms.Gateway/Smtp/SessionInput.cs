using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// What a session reads, between SmtpServer and the socket, with the two limits SmtpServer cannot
/// answer properly:
/// <list type="bullet">
/// <item>Silence: a read that waits longer than the command timeout, for a command or in the middle
/// of an email's data, ends the session with <c>421 4.4.2</c>. (SmtpServer has no data timeout.)</item>
/// <item>Size: an email's data past <c>Smtp:MaxMessageBytes</c> is read to its final dot and thrown
/// away, then answered <c>552 5.3.4</c>, and the connection closes. (SmtpServer's strict size check
/// drops the connection without a reply, and a sending server retries that forever.)</item>
/// </list>
/// After either, every read is the end of input (SmtpServer then saves no email: it hands one over only
/// once it has read the final dot) and nothing SmtpServer writes goes out: the session's last reply is
/// the gateway's. Tests assert that no SMS comes of a refused email.
/// </summary>
internal sealed class SessionInput(Func<PipeReader> socket, ReplyWriter output, TimeSpan timeout, int maxMessageBytes) : PipeReader, IDisposable
{
    private static readonly byte[] EndOfData = "\r\n.\r\n"u8.ToArray();
    private CancellationTokenSource _silence = new();
    private bool _inData;
    private bool _ended;

    /// <summary>The session's last reply (<c>421</c> or <c>552</c>) has gone out; every read from now on is the end.</summary>
    private static ReadResult Ended => new(ReadOnlySequence<byte>.Empty, isCanceled: false, isCompleted: true);

    private string Silent => string.Create(CultureInfo.InvariantCulture, $"421 4.4.2 Nothing arrived for {timeout.TotalSeconds:0} seconds: closing the connection.");

    /// <summary>An email's data begins (the <c>354</c> went out) or ends (any other reply went out).</summary>
    public void DataStarted(bool started) => _inData = started;

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_ended)
        {
            return Ended;
        }

        var result = await ReadWithinTimeoutAsync(cancellationToken).ConfigureAwait(false);
        if (result is not { } read)
        {
            await EndAsync(Silent, cancellationToken).ConfigureAwait(false);
            return Ended;
        }

        if (!_inData || read.Buffer.Length <= maxMessageBytes || read.IsCompleted || WithinLimit(read.Buffer))
        {
            return read;
        }

        if (!await DiscardDataAsync(read, cancellationToken).ConfigureAwait(false))
        {
            await EndAsync(Silent, cancellationToken).ConfigureAwait(false);
            return Ended;
        }

        await EndAsync(ReplyWriter.TooLarge(maxMessageBytes), cancellationToken).ConfigureAwait(false);
        return Ended;
    }

    // The data's end within the limit (a client may pipeline its next command behind it): not too large.
    private bool WithinLimit(ReadOnlySequence<byte> buffer)
    {
        var head = buffer.Slice(0, Math.Min(buffer.Length, (long)maxMessageBytes + EndOfData.Length));
        var reader = new SequenceReader<byte>(head);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, EndOfData, advancePastDelimiter: false);
    }

    // Null when the timeout passed with nothing to read.
    private async ValueTask<ReadResult?> ReadWithinTimeoutAsync(CancellationToken cancellationToken)
    {
        _silence.CancelAfter(timeout);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _silence.Token);
        try
        {
            return await socket().ReadAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_silence.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            // A read that finished as the timer fired leaves it cancelled: the next read needs a fresh one.
            if (!_silence.TryReset())
            {
                _silence.Dispose();
                _silence = new CancellationTokenSource();
            }
        }
    }

    // Reads and drops the rest of the email up to and with its final dot; false when the client fell silent or left.
    private async ValueTask<bool> DiscardDataAsync(ReadResult read, CancellationToken cancellationToken)
    {
        while (true)
        {
            var reader = new SequenceReader<byte>(read.Buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> _, EndOfData))
            {
                socket().AdvanceTo(reader.Position);
                return true;
            }

            if (read.IsCompleted)
            {
                return false;
            }

            // Keep the last bytes: the final dot's line may be split across two reads.
            socket().AdvanceTo(read.Buffer.GetPosition(Math.Max(0, read.Buffer.Length - (EndOfData.Length - 1))), read.Buffer.End);
            if (await ReadWithinTimeoutAsync(cancellationToken).ConfigureAwait(false) is not { } next)
            {
                return false;
            }

            read = next;
        }
    }

    private async Task EndAsync(string reply, CancellationToken cancellationToken)
    {
        _ended = true;
        await output.LastReplyAsync(Encoding.ASCII.GetBytes(reply + "\r\n"), cancellationToken).ConfigureAwait(false);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (!_ended)
        {
            socket().AdvanceTo(consumed, examined);
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        if (_ended)
        {
            result = Ended;
            return true;
        }

        return socket().TryRead(out result);
    }

    public override void CancelPendingRead() => socket().CancelPendingRead();

    public override void Complete(Exception? exception = null) => socket().Complete(exception);

    public void Dispose() => _silence.Dispose();
}

using System.Buffers;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>How an email's data ended.</summary>
internal enum DataEnd
{
    /// <summary>The final dot arrived within every limit.</summary>
    Complete,
    /// <summary>The final dot arrived, but the data was past <c>Smtp:MaxMessageBytes</c>.</summary>
    TooLarge,
    /// <summary>The final dot arrived, but the header section was past <c>Smtp:MaxHeaderBytes</c>.</summary>
    HeaderTooLarge,
    /// <summary>The final dot arrived, but keeping the data would have passed <c>Smtp:MaxDataBufferBytes</c> across all sessions.</summary>
    GatewayBusy,
}

/// <summary>
/// An email's data as it arrives after <c>354</c>: dot-unstuffed and copied once, from the socket's
/// buffers into one pooled array, which MimeKit parses. The array starts at most 64 KB whatever SIZE= declares
/// and doubles as the data really arrives, each growth taken from the gateway's <see cref="DataBufferBudget"/>.
/// Past a limit nothing more is kept, but the data is still read to its final dot.
/// </summary>
internal sealed class MessageData(int maxMessageBytes, int maxHeaderBytes, long? declaredSize, DataBufferBudget budget) : IDisposable
{
    private const int FirstBufferBytes = 16 * 1024;
    private const int LargestFirstBufferBytes = 64 * 1024; // a SIZE= claim is not yet data: 2,000 sessions declaring 10 MB must not pin 32 GB
    private byte[] _buffer = [];
    private int _length;
    private long _headerBytes;
    private bool _inHeader = true;
    private bool _atLineStart = true; // after any LF: where the header section may end
    private bool _afterCrLf = true; // after a CRLF: the only place a dot ends the data or is unstuffed (RFC 5321 4.1.1.4), so a bare LF cannot smuggle in commands

    /// <summary>Past a limit so far, or <see cref="DataEnd.Complete"/>.</summary>
    public DataEnd State { get; private set; }

    /// <summary>The data kept, valid until disposed.</summary>
    public ArraySegment<byte> Data => new(_buffer, 0, _length);

    /// <summary>
    /// Takes what <paramref name="buffer"/> holds of the data; true once the final dot's line was read.
    /// <paramref name="consumed"/> is where the data ended or where more is needed (a line start of
    /// fewer than three octets could still be the final dot's, a trailing CR the first half of a CRLF).
    /// </summary>
    public bool Read(ReadOnlySequence<byte> buffer, bool isCompleted, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (!reader.End)
        {
            if (_afterCrLf && reader.IsNext((byte)'.'))
            {
                if (reader.Remaining < 3 && !isCompleted)
                {
                    break;
                }

                if (reader.IsNext(".\r\n"u8, advancePast: true))
                {
                    consumed = reader.Position;
                    return true;
                }

                reader.Advance(1); // dot-unstuffing (RFC 5321 4.5.2)
            }

            if (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                if (_inHeader && _atLineStart && (line.IsEmpty || (line.Length == 1 && line.FirstSpan[0] == (byte)'\r')))
                {
                    _inHeader = false;
                }

                Keep(line);
                Keep("\n"u8);
                _atLineStart = true;
                _afterCrLf = !line.IsEmpty && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r';
            }
            else
            {
                // A CR that ends the read may be half of a CRLF: it waits for its LF, as a dot waits above.
                var rest = reader.UnreadSequence;
                var held = !isCompleted && rest.Slice(rest.Length - 1).FirstSpan[0] == (byte)'\r' ? 1 : 0;
                if (rest.Length == held)
                {
                    break;
                }

                Keep(rest.Slice(0, rest.Length - held));
                reader.Advance(rest.Length - held);
                _atLineStart = false;
                _afterCrLf = false;
            }
        }

        consumed = reader.Position;
        return false;
    }

    private void Keep(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            Keep(segment.Span);
        }
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_inHeader)
        {
            _headerBytes += bytes.Length;
            if (_headerBytes > maxHeaderBytes && State == DataEnd.Complete)
            {
                State = DataEnd.HeaderTooLarge;
            }
        }

        if (State != DataEnd.Complete)
        {
            return;
        }

        if ((long)_length + bytes.Length > maxMessageBytes)
        {
            State = DataEnd.TooLarge;
            return;
        }

        if (_length + bytes.Length > _buffer.Length && !Grow(_length + bytes.Length))
        {
            State = DataEnd.GatewayBusy;
            Dispose(); // nothing more is kept: the budget is free for others while the rest is read and dropped
            return;
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private bool Grow(int needed)
    {
        var first = Math.Clamp(declaredSize ?? 0, FirstBufferBytes, LargestFirstBufferBytes);
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(Math.Max((long)_buffer.Length * 2, first), needed), maxMessageBytes + 2L));
        if (!budget.TryTake(larger.Length)) // the old array is held too until copied
        {
            ArrayPool<byte>.Shared.Return(larger);
            return false;
        }

        _buffer.AsSpan(0, _length).CopyTo(larger);
        ReturnBuffer();
        _buffer = larger;
        return true;
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            budget.Release(_buffer.Length);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    public void Dispose()
    {
        ReturnBuffer();
        _length = 0;
    }
}

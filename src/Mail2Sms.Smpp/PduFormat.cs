using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Mail2Sms.Smpp;

/// <summary>A PDU whose body cannot be read; <see cref="Status"/> is the command_status to answer it with.</summary>
public sealed class PduFormatException(CommandStatus status, string message) : Exception(message)
{
    /// <summary>The command_status that names what is wrong (ESME_RINVMSGLEN, ESME_RINVSRCADR and so on).</summary>
    public CommandStatus Status { get; } = status;
}

/// <summary>Reads the fields of one PDU body, in order, from contiguous octets.</summary>
public ref struct PduReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    /// <summary>True when every octet of the body has been read.</summary>
    public readonly bool End => _position == _body.Length;

    /// <summary>An Integer of one octet.</summary>
    public byte Byte()
    {
        Need(1, CommandStatus.InvalidMessageLength, "the body ends inside a field");
        return _body[_position++];
    }

    /// <summary>
    /// A C-octet string of at most <paramref name="max"/> octets, its NUL included (the specification's
    /// sizes); <paramref name="error"/> is the status when it is too long or has no NUL. A body that
    /// ends where the string should begin reads as an empty string: some ESMEs leave trailing empty
    /// fields out (a submit_sm_resp with an error and no message_id).
    /// </summary>
    public string CString(int max, CommandStatus error)
    {
        if (End)
        {
            return string.Empty;
        }

        var rest = _body[_position..];
        var nul = rest[..Math.Min(rest.Length, max)].IndexOf((byte)0);
        if (nul < 0)
        {
            throw new PduFormatException(error, $"a C-octet string longer than {max - 1} octets or without its NUL");
        }

        _position += nul + 1;
        return nul == 0 ? string.Empty : Encoding.Latin1.GetString(rest[..nul]);
    }

    /// <summary><paramref name="length"/> octets, copied.</summary>
    public byte[] Octets(int length)
    {
        Need(length, CommandStatus.InvalidMessageLength, "a length points past the end of the body");
        var value = _body.Slice(_position, length).ToArray();
        _position += length;
        return value;
    }

    /// <summary>The optional parameters that end the body, every one kept, unknown tags included.</summary>
    public IReadOnlyList<Tlv> Tlvs()
    {
        if (End)
        {
            return [];
        }

        var tlvs = new List<Tlv>();
        while (!End)
        {
            Need(4, CommandStatus.InvalidOptionalParameterStream, "an optional parameter's header is cut off");
            var tag = BinaryPrimitives.ReadUInt16BigEndian(_body[_position..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(_body[(_position + 2)..]);
            _position += 4;
            Need(length, CommandStatus.InvalidOptionalParameterStream, $"optional parameter 0x{tag:X4} is longer than the body");
            tlvs.Add(new Tlv(tag, _body.Slice(_position, length).ToArray()));
            _position += length;
        }

        return tlvs;
    }

    private readonly void Need(int count, CommandStatus error, string what)
    {
        if (_body.Length - _position < count)
        {
            throw new PduFormatException(error, what);
        }
    }
}

/// <summary>Writes the fields of one PDU body, in order.</summary>
public readonly ref struct PduWriter(IBufferWriter<byte> output)
{
    private readonly IBufferWriter<byte> _output = output;

    /// <summary>An Integer of one octet.</summary>
    public void Byte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    /// <summary>A C-octet string of at most <paramref name="max"/> octets with its NUL; longer is the caller's error.</summary>
    public void CString(string? value, int max, string field)
    {
        value ??= string.Empty;
        if (value.AsSpan().IndexOfAnyExceptInRange('\0', '\u00FF') >= 0)
        {
            // Never the value: the field may be the password, and this message reaches the log on every reconnect.
            throw new ArgumentException($"{field} holds octets (Latin-1); this one has a character beyond them.", field);
        }

        var length = Encoding.Latin1.GetByteCount(value);
        if (length > max - 1)
        {
            throw new ArgumentException($"{field} is longer than {max - 1} octets ({length}): SMPP 3.4 holds at most {max - 1}.", field);
        }

        var span = _output.GetSpan(length + 1);
        Encoding.Latin1.GetBytes(value, span);
        span[length] = 0;
        _output.Advance(length + 1);
    }

    /// <summary>Octets as they are.</summary>
    public void Octets(ReadOnlySpan<byte> value) => _output.Write(value);

    /// <summary>The optional parameters, in order.</summary>
    public void Tlvs(IReadOnlyList<Tlv> tlvs)
    {
        foreach (var tlv in tlvs)
        {
            if (tlv.Value.Length > ushort.MaxValue)
            {
                throw new ArgumentException($"Optional parameter 0x{tlv.Tag:X4} holds at most 65,535 octets.", nameof(tlvs));
            }

            var span = _output.GetSpan(4);
            BinaryPrimitives.WriteUInt16BigEndian(span, tlv.Tag);
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)tlv.Value.Length);
            _output.Advance(4);
            _output.Write(tlv.Value.Span);
        }
    }
}

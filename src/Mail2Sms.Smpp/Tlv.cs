using System.Buffers.Binary;
using System.Text;

namespace Mail2Sms.Smpp;

/// <summary>The optional parameter tags (section 5.3.2) this library reads and writes by name.</summary>
public static class TlvTag
{
    /// <summary>user_message_reference (2 octets).</summary>
    public const ushort UserMessageReference = 0x0204;
    /// <summary>sar_msg_ref_num (2 octets): the reference shared by the parts of a long message.</summary>
    public const ushort SarMessageReference = 0x020C;
    /// <summary>sar_total_segments (1 octet).</summary>
    public const ushort SarTotalSegments = 0x020E;
    /// <summary>sar_segment_seqnum (1 octet), from 1.</summary>
    public const ushort SarSegmentSequence = 0x020F;
    /// <summary>sc_interface_version (1 octet), in bind responses.</summary>
    public const ushort ScInterfaceVersion = 0x0210;
    /// <summary>network_error_code (3 octets: network type, then a 2-octet error code).</summary>
    public const ushort NetworkErrorCode = 0x0423;
    /// <summary>message_payload: the whole message, in place of short_message.</summary>
    public const ushort MessagePayload = 0x0424;
    /// <summary>message_state (1 octet), in receipts.</summary>
    public const ushort MessageState = 0x0427;
    /// <summary>receipted_message_id (C-octet string), in receipts.</summary>
    public const ushort ReceiptedMessageId = 0x001E;
    /// <summary>ms_availability_status (1 octet), in alert_notification.</summary>
    public const ushort MsAvailabilityStatus = 0x0422;
}

/// <summary>One optional parameter: its tag and value as sent. Unknown tags are kept as they came.</summary>
/// <param name="Tag">The parameter tag.</param>
/// <param name="Value">The value's octets.</param>
public readonly record struct Tlv(ushort Tag, ReadOnlyMemory<byte> Value)
{
    /// <summary>A one-octet parameter.</summary>
    public static Tlv Byte(ushort tag, byte value) => new(tag, new[] { value });

    /// <summary>A two-octet parameter, big-endian.</summary>
    public static Tlv Word(ushort tag, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return new Tlv(tag, bytes);
    }

    /// <summary>A C-octet string parameter (its terminating NUL included, as the specification asks).</summary>
    public static Tlv CString(ushort tag, string value)
    {
        var bytes = new byte[Encoding.Latin1.GetByteCount(value) + 1];
        Encoding.Latin1.GetBytes(value, bytes);
        return new Tlv(tag, bytes);
    }

    /// <summary>The value as one octet, or null when it is not one octet long.</summary>
    public byte? AsByte() => Value.Length == 1 ? Value.Span[0] : null;

    /// <summary>The value as a big-endian two-octet number, or null when it is not two octets long.</summary>
    public ushort? AsWord() => Value.Length == 2 ? BinaryPrimitives.ReadUInt16BigEndian(Value.Span) : null;

    /// <summary>The value as a string, without its terminating NUL if it has one.</summary>
    public string AsString()
    {
        var span = Value.Span;
        var end = span.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? span : span[..end]);
    }

    /// <summary>Compares tag and octets (a record struct over memory would compare references).</summary>
    public bool Equals(Tlv other) => Tag == other.Tag && Value.Span.SequenceEqual(other.Value.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Tag, Value.Length);
}

/// <summary>Finding parameters in a PDU's list.</summary>
public static class Tlvs
{
    /// <summary>The first parameter with <paramref name="tag"/>, or null.</summary>
    public static Tlv? Find(this IReadOnlyList<Tlv> tlvs, ushort tag)
    {
        foreach (var tlv in tlvs)
        {
            if (tlv.Tag == tag)
            {
                return tlv;
            }
        }

        return null;
    }
}

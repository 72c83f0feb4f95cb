using System.Buffers.Binary;
using System.Text;

namespace Mail2Sms.Smpp;

/// <summary>How the parts of a long message are tied together.</summary>
public enum Concatenation
{
    /// <summary>A user data header with an 8-bit reference (IEI 0x00), esm_class 0x40: the most widely supported.</summary>
    Udh8,
    /// <summary>A user data header with a 16-bit reference (IEI 0x08).</summary>
    Udh16,
    /// <summary>The sar_msg_ref_num, sar_total_segments and sar_segment_seqnum parameters; the SMSC builds the header.</summary>
    Sar,
    /// <summary>No parts: the whole message in one message_payload parameter; the SMSC splits it.</summary>
    MessagePayload,
}

/// <summary>The octets of a text in each data_coding, and the submits of a message in parts.</summary>
public static class LongMessages
{
    /// <summary>data_coding 0 with one septet per octet (most SMSCs' default); throws when GSM cannot carry the text.</summary>
    public static byte[] Gsm7(string text) => GsmAlphabet.Encode(text);

    /// <summary>data_coding 8: UTF-16 big-endian.</summary>
    public static byte[] Ucs2(string text) => Encoding.BigEndianUnicode.GetBytes(text);

    /// <summary>data_coding 3: ISO-8859-1.</summary>
    public static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>
    /// Septets packed eight into seven octets, behind a user data header when there is one: the header
    /// is followed by fill bits up to the next septet boundary (3GPP TS 23.040 9.2.3.24).
    /// </summary>
    public static byte[] PackBehindHeader(ReadOnlySpan<byte> header, ReadOnlySpan<byte> septets)
    {
        // Leading zero septets cover the header and its fill bits; the header then overwrites its octets.
        var fill = ((header.Length * 8) + 6) / 7;
        var all = new byte[fill + septets.Length];
        septets.CopyTo(all.AsSpan(fill));
        var packed = GsmAlphabet.Pack(all);
        header.CopyTo(packed);
        return packed;
    }

    /// <summary>
    /// The submits of one message whose parts are already encoded (<paramref name="parts"/>, each within
    /// a part's size), tied together as <paramref name="concatenation"/> says with <paramref name="reference"/>
    /// (the low 8 bits of it for <see cref="Concatenation.Udh8"/>). One part is sent as it is, without a header.
    /// <paramref name="packSeptets"/> packs GSM septets (data_coding 0) into octets, header and fill bits included.
    /// </summary>
    public static IReadOnlyList<ShortMessage> Submits(ShortMessage template, IReadOnlyList<byte[]> parts, Concatenation concatenation, ushort reference, bool packSeptets = false)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count is 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(parts), "A message has 1 to 255 parts.");
        }

        var message = template with { Command = CommandId.SubmitSm };
        if (concatenation == Concatenation.MessagePayload)
        {
            var whole = parts.SelectMany(p => p).ToArray();
            return [message with { Message = default, Tlvs = [.. message.Tlvs, new Tlv(TlvTag.MessagePayload, packSeptets ? GsmAlphabet.Pack(whole) : whole)] }];
        }

        if (parts.Count == 1)
        {
            return [message with { Message = packSeptets ? GsmAlphabet.Pack(parts[0]) : parts[0] }];
        }

        var submits = new List<ShortMessage>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var (total, sequence) = ((byte)parts.Count, (byte)(i + 1));
            if (concatenation == Concatenation.Sar)
            {
                submits.Add(message with
                {
                    Message = packSeptets ? GsmAlphabet.Pack(parts[i]) : parts[i],
                    Tlvs = [.. message.Tlvs, Tlv.Word(TlvTag.SarMessageReference, reference), Tlv.Byte(TlvTag.SarTotalSegments, total), Tlv.Byte(TlvTag.SarSegmentSequence, sequence)],
                });
                continue;
            }

            byte[] header = concatenation == Concatenation.Udh16
                ? [0x06, 0x08, 0x04, (byte)(reference >> 8), (byte)reference, total, sequence]
                : [0x05, 0x00, 0x03, (byte)reference, total, sequence];
            submits.Add(message with
            {
                EsmClass = (byte)(message.EsmClass | 0x40),
                Message = packSeptets ? PackBehindHeader(header, parts[i]) : [.. header, .. parts[i]],
            });
        }

        return submits;
    }

    /// <summary>The concatenation header of a message's part: its reference, how many parts there are and which this is; null when it is whole.</summary>
    public static (int Reference, int Total, int Sequence)? PartOf(ShortMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var headerLength = (message.EsmClass & 0x40) != 0 ? HeaderLength(message.Message.Span) : 0;
        if (headerLength > 0)
        {
            var elements = message.Message.Span[1..headerLength];
            while (elements.Length >= 2 && elements.Length >= 2 + elements[1])
            {
                var (id, length) = (elements[0], elements[1]);
                var data = elements.Slice(2, length);
                if (id == 0x00 && length == 3)
                {
                    return (data[0], data[1], data[2]);
                }

                if (id == 0x08 && length == 4)
                {
                    return (BinaryPrimitives.ReadUInt16BigEndian(data), data[2], data[3]);
                }

                elements = elements[(2 + length)..];
            }
        }

        if (message.Tlvs.Find(TlvTag.SarMessageReference)?.AsWord() is { } reference
            && message.Tlvs.Find(TlvTag.SarTotalSegments)?.AsByte() is { } total
            && message.Tlvs.Find(TlvTag.SarSegmentSequence)?.AsByte() is { } sequence)
        {
            return (reference, total, sequence);
        }

        return null;
    }

    /// <summary>
    /// The text of a message from a mobile (one part of it, when it is in parts): its user data header
    /// left out, read as its data_coding says (0 GSM septets one per octet, 1 ASCII, 3 Latin-1, 8 UCS-2;
    /// anything else as Latin-1), from message_payload when short_message is empty.
    /// </summary>
    public static string TextOf(ShortMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var octets = message.Message.IsEmpty ? message.Tlvs.Find(TlvTag.MessagePayload)?.Value ?? default : message.Message;
        var span = octets.Span;
        if ((message.EsmClass & 0x40) != 0)
        {
            span = span[HeaderLength(span)..];
        }

        return message.DataCoding switch
        {
            0 => GsmAlphabet.Decode(span),
            1 => Encoding.ASCII.GetString(span),
            8 => Encoding.BigEndianUnicode.GetString(span[..(span.Length & ~1)]),
            _ => Encoding.Latin1.GetString(span),
        };
    }

    // Octets of the user data header with its length octet; 0 when the octets cannot hold the length it claims.
    private static int HeaderLength(ReadOnlySpan<byte> octets) => octets.Length > 0 && octets[0] + 1 <= octets.Length ? octets[0] + 1 : 0;
}

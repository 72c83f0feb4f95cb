using System.Buffers;
using System.Buffers.Binary;

namespace Mail2Sms.Smpp;

/// <summary>What reading the front of a buffer gave.</summary>
public enum PduReadOutcome
{
    /// <summary>A whole PDU, read.</summary>
    Pdu,
    /// <summary>Not yet a whole PDU: read more and try again. Nothing was taken from the buffer.</summary>
    NeedMoreData,
    /// <summary>A whole PDU that cannot be read (unknown command, bad body): answer generic_nack and go on.</summary>
    Malformed,
    /// <summary>A command_length that cannot be (under 16, or over the limit): the stream cannot be followed any more; answer generic_nack and close.</summary>
    FramingLost,
}

/// <summary>The outcome of <see cref="PduCodec.TryRead"/>.</summary>
/// <param name="Outcome">What was found.</param>
/// <param name="Pdu">The PDU, when one was read.</param>
/// <param name="Sequence">The sequence_number of what was found (for the answer to a malformed PDU).</param>
/// <param name="Error">The command_status that names the fault, when there is one.</param>
/// <param name="Reason">What is wrong, in words, when something is.</param>
/// <param name="Command">The command_id of what was found, when its header was whole.</param>
public readonly record struct PduReadResult(PduReadOutcome Outcome, Pdu? Pdu, uint Sequence, CommandStatus Error, string? Reason, CommandId Command = 0);

/// <summary>
/// Framing and encoding of SMPP 3.4 PDUs: a four-octet command_length (header included), command_id,
/// command_status, sequence_number, then the body.
/// </summary>
public static class PduCodec
{
    /// <summary>Octets of the header.</summary>
    public const int HeaderLength = 16;

    /// <summary>The largest PDU read by default: a 64 KB message_payload and its fields.</summary>
    public const int DefaultMaxPduLength = 70_000;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    /// <summary>The PDU's octets.</summary>
    public static byte[] Encode(Pdu pdu)
    {
        var output = new ArrayBufferWriter<byte>(64);
        Write(pdu, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Writes the PDU, header and body, to <paramref name="output"/>.</summary>
    public static void Write(Pdu pdu, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(output);
        // The body is written first to learn its length; the scratch buffer is kept for the next PDU.
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        pdu.WriteBody(new PduWriter(scratch));
        var header = output.GetSpan(HeaderLength);
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)(HeaderLength + scratch.WrittenCount));
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)pdu.CommandId);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], (uint)pdu.Status);
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], pdu.Sequence);
        output.Advance(HeaderLength);
        output.Write(scratch.WrittenSpan);
    }

    /// <summary>
    /// Reads the PDU at the front of <paramref name="buffer"/> and moves the buffer past it (past a
    /// malformed one too); leaves the buffer as it was when more data is needed or framing is lost.
    /// </summary>
    public static PduReadResult TryRead(ref ReadOnlySequence<byte> buffer, int maxPduLength = DefaultMaxPduLength)
    {
        if (buffer.Length < 4)
        {
            return new PduReadResult(PduReadOutcome.NeedMoreData, null, 0, CommandStatus.Ok, null);
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        var available = (int)Math.Min(buffer.Length, HeaderLength);
        buffer.Slice(0, available).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        var sequence = available == HeaderLength ? BinaryPrimitives.ReadUInt32BigEndian(header[12..]) : 0;
        var command = available == HeaderLength ? (CommandId)BinaryPrimitives.ReadUInt32BigEndian(header[4..]) : 0;
        if (length < HeaderLength || length > maxPduLength)
        {
            return new PduReadResult(PduReadOutcome.FramingLost, null, sequence, CommandStatus.InvalidCommandLength,
                $"command_length {length} is outside 16 to {maxPduLength}", command);
        }

        if (buffer.Length < length)
        {
            return new PduReadResult(PduReadOutcome.NeedMoreData, null, 0, CommandStatus.Ok, null);
        }

        var pdu = buffer.Slice(0, length);
        buffer = buffer.Slice(length);
        try
        {
            return new PduReadResult(PduReadOutcome.Pdu, Decode(pdu), sequence, CommandStatus.Ok, null, command);
        }
        catch (PduFormatException e)
        {
            return new PduReadResult(PduReadOutcome.Malformed, null, sequence, e.Status, e.Message, command);
        }
    }

    /// <summary>Reads one whole PDU; throws <see cref="PduFormatException"/> when it cannot be read.</summary>
    public static Pdu Decode(ReadOnlySequence<byte> pdu)
    {
        if (pdu.IsSingleSegment)
        {
            return Decode(pdu.FirstSpan);
        }

        var octets = ArrayPool<byte>.Shared.Rent((int)pdu.Length);
        try
        {
            pdu.CopyTo(octets);
            return Decode(octets.AsSpan(0, (int)pdu.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(octets);
        }
    }

    /// <summary>Reads one whole PDU; throws <see cref="PduFormatException"/> when it cannot be read.</summary>
    public static Pdu Decode(ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length < HeaderLength || BinaryPrimitives.ReadUInt32BigEndian(pdu) != pdu.Length)
        {
            throw new PduFormatException(CommandStatus.InvalidCommandLength, "command_length is not the PDU's length");
        }

        var command = (CommandId)BinaryPrimitives.ReadUInt32BigEndian(pdu[4..]);
        var status = (CommandStatus)BinaryPrimitives.ReadUInt32BigEndian(pdu[8..]);
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(pdu[12..]);
        var reader = new PduReader(pdu[HeaderLength..]);
        Pdu body = command switch
        {
            CommandId.GenericNack or CommandId.Unbind or CommandId.UnbindResp or CommandId.EnquireLink
                or CommandId.EnquireLinkResp or CommandId.CancelSmResp => new EmptyPdu(command),
            CommandId.BindTransmitter or CommandId.BindReceiver or CommandId.BindTransceiver => Bind.Read(command, ref reader),
            CommandId.BindTransmitterResp or CommandId.BindReceiverResp or CommandId.BindTransceiverResp => BindResp.Read(command, ref reader),
            CommandId.Outbind => Outbind.Read(ref reader),
            CommandId.SubmitSm or CommandId.DeliverSm => ShortMessage.Read(command, ref reader),
            CommandId.SubmitSmResp or CommandId.DeliverSmResp or CommandId.DataSmResp => MessageResp.Read(command, ref reader),
            CommandId.DataSm => DataSm.Read(ref reader),
            CommandId.QuerySm => QuerySm.Read(ref reader),
            CommandId.QuerySmResp => QuerySmResp.Read(ref reader),
            CommandId.CancelSm => CancelSm.Read(ref reader),
            CommandId.AlertNotification => AlertNotification.Read(ref reader),
            _ => throw new PduFormatException(CommandStatus.InvalidCommandId, $"command_id 0x{(uint)command:X8} is not an SMPP 3.4 command"),
        };

        if (!reader.End)
        {
            throw new PduFormatException(CommandStatus.InvalidCommandLength, $"{command} has octets after its last field");
        }

        return body with { Status = status, Sequence = sequence };
    }
}

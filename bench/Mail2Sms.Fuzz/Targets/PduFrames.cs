using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Mail2Sms.Smpp;

namespace Mail2Sms.Fuzz;

/// <summary>
/// The <c>pdu</c> target: a stream of octets as an SMSC or client might send it, mutated from real PDUs
/// of every kind, read frame by frame with <see cref="PduCodec.TryRead"/> (in one segment or many);
/// each PDU read is written back and must read back the same, and a deliver_sm goes on to the receipt,
/// concatenation and text readers as the client takes it.
/// </summary>
internal static class PduFrames
{
    private static readonly Pdu[] RealPdus =
    [
        new Bind(CommandId.BindTransceiver) { Sequence = 1, SystemId = "mail2sms", Password = "secret", SystemType = "SMS", AddressTon = 1, AddressNpi = 1, AddressRange = "^614" },
        new BindResp(CommandId.BindTransceiverResp) { Sequence = 1, SystemId = "SMSC", Tlvs = [Tlv.Byte(TlvTag.ScInterfaceVersion, 0x34)] },
        new BindResp(CommandId.BindTransmitterResp) { Sequence = 1, Status = CommandStatus.InvalidPassword },
        new Outbind { Sequence = 2, SystemId = "SMSC", Password = "pw" },
        new EmptyPdu(CommandId.EnquireLink) { Sequence = 3 },
        new EmptyPdu(CommandId.GenericNack) { Sequence = 4, Status = CommandStatus.InvalidCommandId },
        new ShortMessage(CommandId.SubmitSm)
        {
            Sequence = 5, SourceTon = 5, SourceAddress = "Mail2Sms", DestinationTon = 1, DestinationNpi = 1, DestinationAddress = "61412345678",
            EsmClass = 0x40, RegisteredDelivery = 1, DataCoding = 8, ValidityPeriod = "000001000000000R",
            Message = Convert.FromHexString("0500032A0201004800690020D83DDE00"),
            Tlvs = [Tlv.Word(TlvTag.UserMessageReference, 513)],
        },
        new ShortMessage(CommandId.DeliverSm)
        {
            Sequence = 6, SourceTon = 1, SourceNpi = 1, SourceAddress = "61412345678", DestinationAddress = "Mail2Sms", EsmClass = 0x04,
            Message = Encoding.ASCII.GetBytes("id:abc123 sub:001 dlvrd:001 submit date:2611251200 done date:2611251201 stat:DELIVRD err:000 text:Hello"),
            Tlvs = [Tlv.CString(TlvTag.ReceiptedMessageId, "abc123"), Tlv.Byte(TlvTag.MessageState, 2), new Tlv(TlvTag.NetworkErrorCode, Convert.FromHexString("030000"))],
        },
        new ShortMessage(CommandId.DeliverSm)
        {
            Sequence = 7, SourceTon = 1, SourceNpi = 1, SourceAddress = "61412345678", DestinationAddress = "Mail2Sms", EsmClass = 0x40,
            Message = (byte[])[0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, .. LongMessages.Gsm7("YES please, the first part")],
        },
        new ShortMessage(CommandId.DeliverSm)
        {
            Sequence = 8, SourceAddress = "61412345678", DestinationAddress = "Mail2Sms",
            Message = LongMessages.Gsm7("STOP"),
            Tlvs = [Tlv.Word(TlvTag.SarMessageReference, 7), Tlv.Byte(TlvTag.SarTotalSegments, 2), Tlv.Byte(TlvTag.SarSegmentSequence, 1)],
        },
        new MessageResp(CommandId.SubmitSmResp) { Sequence = 5, MessageId = "abc123" },
        new DataSm
        {
            Sequence = 9, SourceTon = 1, SourceAddress = "61412345678", DestinationAddress = "Mail2Sms", DataCoding = 8,
            Tlvs = [new Tlv(TlvTag.MessagePayload, LongMessages.Ucs2(new string('é', 300)))],
        },
        new MessageResp(CommandId.DataSmResp) { Sequence = 9, MessageId = "def456", Tlvs = [Tlv.Byte(0x0425, 1)] },
        new QuerySm { Sequence = 10, MessageId = "abc123", SourceTon = 5, SourceAddress = "Mail2Sms" },
        new QuerySmResp { Sequence = 10, MessageId = "abc123", FinalDate = "261125120100000+", MessageState = 2 },
        new CancelSm { Sequence = 11, MessageId = "abc123", SourceAddress = "Mail2Sms", DestinationAddress = "61412345678" },
        new AlertNotification { Sequence = 12, SourceTon = 1, SourceNpi = 1, SourceAddress = "61412345678", EsmeAddress = "Mail2Sms", Tlvs = [Tlv.Byte(TlvTag.MsAvailabilityStatus, 0)] },
    ];

    private static readonly byte[][] Seeds = [.. RealPdus.Select(PduCodec.Encode)];

    // Lengths and TLV headers that cannot be: 0, past the end, past the limit, all ones; C-strings without their NUL.
    private static readonly byte[][] Tokens =
    [
        [0x00, 0x00, 0x00, 0x00], [0xFF, 0xFF, 0xFF, 0xFF], [0x00, 0x00, 0x00, 0x10], [0x00, 0x01, 0x11, 0x71], [0x80, 0x00, 0x00, 0x04],
        [0x04, 0x24, 0xFF, 0xFF], [0x04, 0x24, 0x00, 0x00], [0x02, 0x0C, 0x00, 0x01], [0x00, 0x1E, 0x00, 0x41], [0x04, 0x27, 0x00, 0x00],
        [0x00], [0x41, 0x41, 0x41, 0x41], [0x05, 0x00, 0x03, 0xFF, 0x00, 0x00], [0x06, 0x08, 0x04, 0xFF, 0xFF, 0x09, 0x0A],
    ];

    /// <summary>The target.</summary>
    public static FuzzTarget Target() => new("pdu", Generate, Read);

    private static byte[] Generate(Random random)
    {
        var frames = random.Next(4) == 0 ? 1 + random.Next(5) : 1;
        var stream = new List<byte>();
        for (var f = 0; f < frames; f++)
        {
            var pdu = Mutations.Havoc(random, Seeds[random.Next(Seeds.Length)], Seeds, Tokens, maxSteps: 4);
            if (pdu.Length >= 4)
            {
                // Mostly a true command_length, so the body's own fields and TLVs are what is wrong.
                var length = random.Next(10) switch
                {
                    < 7 => (uint)pdu.Length,
                    7 => (uint)(pdu.Length + random.Next(-3, 4)),
                    8 => (uint)random.Next(0, 17),
                    _ => (uint)random.Next(),
                };
                BinaryPrimitives.WriteUInt32BigEndian(pdu, length);
            }

            stream.AddRange(pdu);
        }

        return [.. stream];
    }

    /// <summary>Reads every frame of <paramref name="octets"/> and what the client reads of each.</summary>
    public static void Read(byte[] octets)
    {
        var buffer = Segmented(octets);
        var assembler = new MessageAssembler(TimeProvider.System, TimeSpan.FromMinutes(1));
        while (true)
        {
            var before = buffer.Length;
            var read = PduCodec.TryRead(ref buffer);
            switch (read.Outcome)
            {
                case PduReadOutcome.Pdu:
                    WriteBack(read.Pdu!);
                    if (read.Pdu is ShortMessage { CommandId: CommandId.DeliverSm } deliver)
                    {
                        _ = DeliveryReceipt.IsReceipt(deliver) ? DeliveryReceipt.Read(deliver)?.ToString() : assembler.Add(deliver)?.Text;
                    }

                    break;
                case PduReadOutcome.Malformed:
                    break;
                default:
                    return;
            }

            if (buffer.Length >= before)
            {
                throw new FuzzInvariantException($"{read.Outcome} took nothing from the buffer");
            }
        }
    }

    private static void WriteBack(Pdu pdu)
    {
        var written = PduCodec.Encode(pdu);
        if (!PduCodec.Encode(PduCodec.Decode(written)).AsSpan().SequenceEqual(written))
        {
            throw new FuzzInvariantException($"{pdu.CommandId} read, written and read again is written differently");
        }
    }

    // The same octets as a socket delivers them: in one segment, or cut into small ones (the input's length picks which).
    private static ReadOnlySequence<byte> Segmented(byte[] octets)
    {
        var size = octets.Length % 3 == 0 ? 1 + octets.Length % 13 : octets.Length;
        if (size >= octets.Length)
        {
            return new ReadOnlySequence<byte>(octets);
        }

        var pieces = new List<ReadOnlyMemory<byte>>();
        for (var at = 0; at < octets.Length; at += size)
        {
            pieces.Add(octets.AsMemory(at, Math.Min(size, octets.Length - at)));
        }

        return Segments.Of(pieces);
    }
}

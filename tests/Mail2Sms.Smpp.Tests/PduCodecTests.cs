using System.Buffers;
using System.Text;

namespace Mail2Sms.Smpp.Tests;

public sealed class PduCodecTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>One of every PDU kind, with every field set away from its default and optional parameters where allowed.</summary>
    public static TheoryData<string, Pdu> EveryKind() => new()
    {
        { "bind_transmitter", new Bind(CommandId.BindTransmitter) { Sequence = 1, SystemId = "test", Password = "secret", SystemType = "SMS", AddressTon = 1, AddressNpi = 1, AddressRange = "^614" } },
        { "bind_receiver", new Bind(CommandId.BindReceiver) { Sequence = 2, SystemId = "test", Password = "secret" } },
        { "bind_transceiver", new Bind(CommandId.BindTransceiver) { Sequence = 3, SystemId = "test", Password = "secret" } },
        { "bind_transceiver_resp", new BindResp(CommandId.BindTransceiverResp) { Sequence = 3, SystemId = "SMSC", Tlvs = [Tlv.Byte(TlvTag.ScInterfaceVersion, 0x34)] } },
        { "bind_transmitter_resp refused", new BindResp(CommandId.BindTransmitterResp) { Sequence = 1, Status = CommandStatus.InvalidPassword } },
        { "outbind", new Outbind { Sequence = 4, SystemId = "SMSC", Password = "pw" } },
        { "unbind", new EmptyPdu(CommandId.Unbind) { Sequence = 5 } },
        { "unbind_resp", new EmptyPdu(CommandId.UnbindResp) { Sequence = 5 } },
        { "enquire_link", new EmptyPdu(CommandId.EnquireLink) { Sequence = 6 } },
        { "enquire_link_resp", new EmptyPdu(CommandId.EnquireLinkResp) { Sequence = 6 } },
        { "generic_nack", new EmptyPdu(CommandId.GenericNack) { Sequence = 7, Status = CommandStatus.InvalidCommandId } },
        {
            "submit_sm", new ShortMessage(CommandId.SubmitSm)
            {
                Sequence = 8, ServiceType = "CMT", SourceTon = 5, SourceAddress = "Mail2Sms", DestinationTon = 1, DestinationNpi = 1, DestinationAddress = "61412345678",
                EsmClass = 0x40, ProtocolId = 0, PriorityFlag = 1, ValidityPeriod = "000001000000000R", RegisteredDelivery = 1, DataCoding = 8,
                Message = Hex("050003 2a 02 01 0048 0069"),
                Tlvs = [Tlv.Word(TlvTag.UserMessageReference, 513), new Tlv(0x1400, Hex("010203"))],
            }
        },
        {
            "deliver_sm receipt", new ShortMessage(CommandId.DeliverSm)
            {
                Sequence = 9, SourceTon = 1, SourceNpi = 1, SourceAddress = "61412345678", DestinationAddress = "Mail2Sms", EsmClass = 0x04,
                Message = Encoding.ASCII.GetBytes("id:abc123 sub:001 dlvrd:001 submit date:2611251200 done date:2611251201 stat:DELIVRD err:000 text:Hello"),
                Tlvs = [Tlv.CString(TlvTag.ReceiptedMessageId, "abc123"), Tlv.Byte(TlvTag.MessageState, 2), new Tlv(TlvTag.NetworkErrorCode, Hex("030000"))],
            }
        },
        { "submit_sm_resp", new MessageResp(CommandId.SubmitSmResp) { Sequence = 8, MessageId = "abc123" } },
        { "submit_sm_resp throttled", new MessageResp(CommandId.SubmitSmResp) { Sequence = 8, Status = CommandStatus.Throttled } },
        { "deliver_sm_resp", new MessageResp(CommandId.DeliverSmResp) { Sequence = 9 } },
        {
            "data_sm", new DataSm
            {
                Sequence = 10, SourceTon = 5, SourceAddress = "Mail2Sms", DestinationTon = 1, DestinationNpi = 1, DestinationAddress = "61412345678",
                RegisteredDelivery = 1, Tlvs = [new Tlv(TlvTag.MessagePayload, Encoding.ASCII.GetBytes(new string('a', 300)))],
            }
        },
        { "data_sm_resp", new MessageResp(CommandId.DataSmResp) { Sequence = 10, MessageId = "def456", Tlvs = [Tlv.Byte(0x0425, 1)] } },
        { "query_sm", new QuerySm { Sequence = 11, MessageId = "abc123", SourceTon = 5, SourceAddress = "Mail2Sms" } },
        { "query_sm_resp", new QuerySmResp { Sequence = 11, MessageId = "abc123", FinalDate = "261125120100000+", MessageState = 2, ErrorCode = 0 } },
        { "cancel_sm", new CancelSm { Sequence = 12, MessageId = "abc123", SourceTon = 5, SourceAddress = "Mail2Sms", DestinationTon = 1, DestinationNpi = 1, DestinationAddress = "61412345678" } },
        { "cancel_sm_resp", new EmptyPdu(CommandId.CancelSmResp) { Sequence = 12 } },
        { "alert_notification", new AlertNotification { Sequence = 13, SourceTon = 1, SourceNpi = 1, SourceAddress = "61412345678", EsmeAddress = "Mail2Sms", Tlvs = [Tlv.Byte(TlvTag.MsAvailabilityStatus, 0)] } },
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Every_pdu_reads_back_as_written(string name, Pdu pdu)
    {
        var octets = PduCodec.Encode(pdu);
        var read = PduCodec.Decode(octets);
        Assert.Equal(pdu.GetType(), read.GetType());
        Assert.Equal(pdu.CommandId, read.CommandId);
        Assert.Equal(pdu.Sequence, read.Sequence);
        Assert.Equal(pdu.Status, read.Status);
        Assert.Equal(pdu.Tlvs, read.Tlvs);
        Assert.True(octets.AsSpan().SequenceEqual(PduCodec.Encode(read)), name);
    }

    [Fact]
    public void The_header_is_length_command_status_sequence_big_endian()
    {
        // enquire_link, sequence 1: the shortest PDU there is.
        Assert.Equal(Hex("00000010 00000015 00000000 00000001"), PduCodec.Encode(new EmptyPdu(CommandId.EnquireLink) { Sequence = 1 }));
        Assert.Equal(Hex("00000010 80000000 00000003 00000007"), PduCodec.Encode(new EmptyPdu(CommandId.GenericNack) { Sequence = 7, Status = CommandStatus.InvalidCommandId }));
    }

    [Fact]
    public void The_specifications_example_pdu_reads_and_writes_to_its_47_octets()
    {
        // SMPP 3.4 section 3.2.1, "SMPP PDU Format - Example": a bind_transmitter.
        var octets = Hex("0000002F 00000002 00000000 00000001" + Convert.ToHexString(Encoding.ASCII.GetBytes("SMPP3TEST\0secret08\0SUBMIT1\0")) + "01 01 01 00");
        var bind = Assert.IsType<Bind>(PduCodec.Decode(octets));
        Assert.Equal(("SMPP3TEST", "secret08", "SUBMIT1", (byte)1, (byte)1, (byte)1, ""), (bind.SystemId, bind.Password, bind.SystemType, bind.InterfaceVersion, bind.AddressTon, bind.AddressNpi, bind.AddressRange));
        Assert.Equal(octets, PduCodec.Encode(bind));
    }

    [Fact]
    public void A_bind_transceiver_is_written_field_by_field_as_the_specification_lays_it_out()
    {
        var octets = PduCodec.Encode(new Bind(CommandId.BindTransceiver) { Sequence = 1, SystemId = "test", Password = "secret" });
        Assert.Equal(
            Hex("00000021 00000009 00000000 00000001" + "7465737400" + "73656372657400" + "00" + "34" + "00" + "00" + "00"),
            octets);
    }

    [Fact]
    public void A_submit_sm_carries_sm_length_before_its_short_message()
    {
        var octets = PduCodec.Encode(new ShortMessage(CommandId.SubmitSm)
        {
            Sequence = 2,
            SourceTon = 5,
            SourceAddress = "M2S",
            DestinationTon = 1,
            DestinationNpi = 1,
            DestinationAddress = "614",
            RegisteredDelivery = 1,
            Message = Encoding.ASCII.GetBytes("Hi"),
        });
        Assert.Equal(
            Hex("00000029 00000004 00000000 00000002" + "00" + "05 00 4D325300" + "01 01 36313400" + "00 00 00" + "00" + "00" + "01 00 00 00" + "02 4869"),
            octets);
    }

    [Fact]
    public void Text_too_long_for_its_field_is_the_callers_error_never_a_truncated_pdu()
    {
        var e = Assert.Throws<ArgumentException>(() => PduCodec.Encode(new Bind(CommandId.BindTransmitter) { SystemId = "a-system-id-of-17" }));
        Assert.StartsWith("SystemId is longer than 15 octets (17): SMPP 3.4 holds at most 15.", e.Message, StringComparison.Ordinal);
        // The value is never quoted: for the password it is the secret.
        var password = Assert.Throws<ArgumentException>(() => PduCodec.Encode(new Bind(CommandId.BindTransmitter) { Password = "longer-secret" }));
        Assert.StartsWith("Password is longer than 8 octets (13): SMPP 3.4 holds at most 8.", password.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("longer-secret", password.Message, StringComparison.Ordinal);
        var beyond = Assert.Throws<ArgumentException>(() => PduCodec.Encode(new Bind(CommandId.BindTransmitter) { Password = "pä€" }));
        Assert.DoesNotContain("pä€", beyond.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => PduCodec.Encode(new ShortMessage(CommandId.SubmitSm) { Message = new byte[255] }));
        Assert.Throws<ArgumentException>(() => PduCodec.Encode(new ShortMessage(CommandId.SubmitSm) { SourceAddress = "Ωmega" }));
    }

    [Fact]
    public void Pdus_split_across_reads_and_segments_are_read_whole_one_after_the_other()
    {
        var first = PduCodec.Encode(new EmptyPdu(CommandId.EnquireLink) { Sequence = 1 });
        var second = PduCodec.Encode(new MessageResp(CommandId.SubmitSmResp) { Sequence = 2, MessageId = "abc" });
        var all = first.Concat(second).ToArray();
        for (var cut = 0; cut <= all.Length; cut++)
        {
            var partial = new ReadOnlySequence<byte>(all, 0, cut);
            var read = new List<Pdu>();
            while (PduCodec.TryRead(ref partial) is { Outcome: PduReadOutcome.Pdu, Pdu: { } pdu })
            {
                read.Add(pdu);
            }

            Assert.Equal(cut >= all.Length ? 2 : cut >= first.Length ? 1 : 0, read.Count);
        }

        var segmented = Segments(all, 3);
        Assert.Equal(CommandId.EnquireLink, PduCodec.TryRead(ref segmented).Pdu!.CommandId);
        Assert.Equal("abc", ((MessageResp)PduCodec.TryRead(ref segmented).Pdu!).MessageId);
        Assert.True(segmented.IsEmpty);
    }

    [Theory]
    [InlineData("0000000F 00000015 00000000 00000001", "command_length 15")] // shorter than a header
    [InlineData("FFFFFFFF 00000004 00000000 00000001", "command_length 4294967295")] // 4 GB announced
    [InlineData("00011171 00000004 00000000 00000001", "command_length 70001")] // past the limit
    public void An_impossible_length_loses_framing_and_nothing_is_taken(string hex, string reason)
    {
        var buffer = new ReadOnlySequence<byte>(Hex(hex));
        var result = PduCodec.TryRead(ref buffer);
        Assert.Equal(PduReadOutcome.FramingLost, result.Outcome);
        Assert.Equal(CommandStatus.InvalidCommandLength, result.Error);
        Assert.StartsWith(reason, result.Reason, StringComparison.Ordinal);
        Assert.Equal(16, buffer.Length);
    }

    [Theory]
    [InlineData("00000010 00000099 00000000 0000002A", CommandStatus.InvalidCommandId)] // no such command
    [InlineData("00000014 80000004 00000000 0000002A 61626364", CommandStatus.InvalidMessageId)] // message_id without its NUL
    [InlineData("00000011 00000015 00000000 0000002A 00", CommandStatus.InvalidCommandLength)] // enquire_link with a body
    [InlineData("00000016 80000009 00000000 0000002A 00 0210 0005 34", CommandStatus.InvalidOptionalParameterStream)] // a TLV longer than the body
    public void A_malformed_pdu_is_skipped_with_the_status_that_names_its_fault(string hex, CommandStatus status)
    {
        var next = PduCodec.Encode(new EmptyPdu(CommandId.EnquireLink) { Sequence = 43 });
        var buffer = new ReadOnlySequence<byte>(Hex(hex).Concat(next).ToArray());
        var result = PduCodec.TryRead(ref buffer);
        Assert.Equal((PduReadOutcome.Malformed, status, 42u), (result.Outcome, result.Error, result.Sequence));
        Assert.Equal(43u, PduCodec.TryRead(ref buffer).Pdu!.Sequence);
    }

    [Fact]
    public void A_short_message_longer_than_its_body_is_an_invalid_message_length()
    {
        var octets = PduCodec.Encode(new ShortMessage(CommandId.SubmitSm) { Sequence = 5, DestinationAddress = "614", Message = Encoding.ASCII.GetBytes("Hi") });
        octets[^3] = 200; // sm_length now says 200
        var e = Assert.Throws<PduFormatException>(() => PduCodec.Decode(octets));
        Assert.Equal(CommandStatus.InvalidMessageLength, e.Status);
    }

    [Fact]
    public void An_error_response_without_a_body_reads_with_empty_fields()
    {
        var read = (MessageResp)PduCodec.Decode(Hex("00000010 80000004 00000058 00000009"));
        Assert.Equal((CommandStatus.Throttled, string.Empty, 9u), (read.Status, read.MessageId, read.Sequence));
    }

    [Theory]
    [InlineData(CommandStatus.Throttled, true)]
    [InlineData(CommandStatus.MessageQueueFull, true)]
    [InlineData(CommandStatus.SystemError, true)]
    [InlineData((CommandStatus)0x400, true)]
    [InlineData(CommandStatus.InvalidDestinationAddress, false)]
    [InlineData(CommandStatus.InvalidPassword, false)]
    [InlineData(CommandStatus.Ok, false)]
    public void Every_status_is_transient_or_permanent_by_one_table(CommandStatus status, bool transient) =>
        Assert.Equal(transient, status.IsTransient());

    private static ReadOnlySequence<byte> Segments(byte[] octets, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var start = 0; start < octets.Length; start += size)
        {
            var segment = new Segment(octets.AsMemory(start, Math.Min(size, octets.Length - start)), last?.RunningIndex + last?.Memory.Length ?? 0);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.Next = segment;
            }

            last = segment;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public new Segment? Next
        {
            get => (Segment?)base.Next;
            set => base.Next = value;
        }
    }
}

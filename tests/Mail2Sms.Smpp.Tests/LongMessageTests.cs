using Microsoft.Extensions.Time.Testing;

namespace Mail2Sms.Smpp.Tests;

public sealed class LongMessageTests
{
    private static readonly ShortMessage Template = new(CommandId.SubmitSm)
    {
        SourceTon = 5,
        SourceAddress = "Mail2Sms",
        DestinationTon = 1,
        DestinationNpi = 1,
        DestinationAddress = "61412345678",
        RegisteredDelivery = 1,
    };

    private static string Hex(ReadOnlyMemory<byte> octets) => Convert.ToHexString(octets.Span);

    [Fact]
    public void Parts_with_an_8_bit_reference_carry_a_six_octet_header_and_the_udhi_flag()
    {
        var submits = LongMessages.Submits(Template, [LongMessages.Gsm7("Hello "), LongMessages.Gsm7("world")], Concatenation.Udh8, reference: 0x12A);
        Assert.Equal(["0500032A0201" + Hex(LongMessages.Gsm7("Hello ")), "0500032A0202" + Hex(LongMessages.Gsm7("world"))], submits.Select(s => Hex(s.Message)));
        Assert.All(submits, s => Assert.Equal(0x40, s.EsmClass));
        Assert.All(submits, s => Assert.Equal(1, s.RegisteredDelivery));
    }

    [Fact]
    public void Parts_with_a_16_bit_reference_carry_a_seven_octet_header()
    {
        var submits = LongMessages.Submits(Template, [[0x41], [0x42], [0x43]], Concatenation.Udh16, reference: 0x12A);
        Assert.Equal(["060804012A030141", "060804012A030242", "060804012A030343"], submits.Select(s => Hex(s.Message)));
    }

    [Fact]
    public void Sar_parts_carry_the_three_parameters_and_no_header()
    {
        var submits = LongMessages.Submits(Template, [[0x41], [0x42]], Concatenation.Sar, reference: 513);
        Assert.All(submits, s => Assert.Equal(0, s.EsmClass));
        Assert.Equal([(513, 2, 1), (513, 2, 2)], submits.Select(s => LongMessages.PartOf(s)!.Value));
        Assert.Equal(["41", "42"], submits.Select(s => Hex(s.Message)));
    }

    [Fact]
    public void Message_payload_sends_the_whole_text_in_one_submit()
    {
        var parts = new[] { LongMessages.Ucs2(new string('ж', 67)), LongMessages.Ucs2("конец") };
        var submit = Assert.Single(LongMessages.Submits(Template with { DataCoding = 8 }, parts, Concatenation.MessagePayload, 1));
        Assert.True(submit.Message.IsEmpty);
        Assert.Equal(new string('ж', 67) + "конец", LongMessages.TextOf(submit));
    }

    [Fact]
    public void A_message_of_one_part_goes_without_a_header()
    {
        var submit = Assert.Single(LongMessages.Submits(Template, [LongMessages.Gsm7("Short")], Concatenation.Udh8, 7));
        Assert.Equal((0, Hex(LongMessages.Gsm7("Short"))), (submit.EsmClass, Hex(submit.Message)));
        Assert.Null(LongMessages.PartOf(submit));
    }

    [Fact]
    public void Packed_septets_start_on_the_septet_boundary_after_the_header_and_its_fill_bits()
    {
        var septets = LongMessages.Gsm7("Hello world, {packed} €");
        byte[] header = [0x05, 0x00, 0x03, 0x2A, 0x02, 0x01];
        var packed = LongMessages.PackBehindHeader(header, septets);
        Assert.Equal(Hex(header), Hex(packed.AsMemory(0, 6)));
        const int fill = 7; // 48 header bits and 1 fill bit are 7 septets
        Assert.Equal(Hex(septets), Hex(GsmAlphabet.Unpack(packed, fill + septets.Length).AsMemory(fill)));
        Assert.Equal(((6 * 8) + 1 + (septets.Length * 7) + 7) / 8, packed.Length); // no octet more than the bits need
        Assert.Equal("E8329BFD4697D9EC37", Hex(GsmAlphabet.Pack(LongMessages.Gsm7("hellohello")))); // the textbook example of 23.038 packing
    }

    [Theory]
    [InlineData(0, "48656C6C6F2011", "Hello _")]
    [InlineData(1, "48656C6C6F", "Hello")]
    [InlineData(3, "48E96C6C6F", "Héllo")]
    [InlineData(8, "0416043804320435", "Живе")]
    public void A_message_from_a_mobile_reads_as_its_data_coding_says(byte dataCoding, string hex, string text) =>
        Assert.Equal(text, LongMessages.TextOf(new ShortMessage(CommandId.DeliverSm) { DataCoding = dataCoding, Message = Convert.FromHexString(hex) }));

    [Fact]
    public void Parts_from_a_mobile_are_joined_in_order_whatever_order_and_however_often_they_come()
    {
        var assembler = new MessageAssembler(new FakeTimeProvider(), TimeSpan.FromMinutes(5));
        ShortMessage Part(int sequence, string text) => new(CommandId.DeliverSm)
        {
            SourceAddress = "61412345678",
            DestinationAddress = "Mail2Sms",
            EsmClass = 0x40,
            Message = (byte[])[0x05, 0x00, 0x03, 0x99, 0x03, (byte)sequence, .. LongMessages.Gsm7(text)],
        };

        Assert.Null(assembler.Add(Part(3, " three")));
        Assert.Null(assembler.Add(Part(1, "one")));
        Assert.Null(assembler.Add(Part(1, "one")));
        var whole = assembler.Add(Part(2, " two"))!;
        Assert.Equal(("one two three", true), (whole.Text, whole.Complete));
        Assert.Equal("a plain one", assembler.Add(new ShortMessage(CommandId.DeliverSm) { Message = LongMessages.Gsm7("a plain one") })!.Text);
    }

    [Fact]
    public void A_message_whose_last_part_never_comes_is_delivered_as_far_as_it_got()
    {
        var clock = new FakeTimeProvider();
        var assembler = new MessageAssembler(clock, TimeSpan.FromMinutes(5));
        var part = new ShortMessage(CommandId.DeliverSm)
        {
            SourceAddress = "61412345678",
            Message = LongMessages.Gsm7("first half"),
            Tlvs = [Tlv.Word(TlvTag.SarMessageReference, 7), Tlv.Byte(TlvTag.SarTotalSegments, 2), Tlv.Byte(TlvTag.SarSegmentSequence, 1)],
        };
        Assert.Null(assembler.Add(part));
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(assembler.TakeExpired());
        clock.Advance(TimeSpan.FromMinutes(1));
        var partial = Assert.Single(assembler.TakeExpired());
        Assert.Equal(("first half", false, 1, 2), (partial.Text, partial.Complete, partial.PartsReceived, partial.PartsTotal));
        Assert.Empty(assembler.TakeExpired());
    }

    [Theory]
    [InlineData("0001A2B", "1a2b", ReceiptIdForm.SameText)]
    [InlineData("1A2B", "6699", ReceiptIdForm.DecimalOfHex)]
    [InlineData("6699", "00001a2b", ReceiptIdForm.HexOfDecimal)]
    public void A_receipts_id_is_matched_however_the_smsc_writes_it(string submitted, string receipted, ReceiptIdForm form)
    {
        Assert.Equal(form, MessageIds.Detect(submitted, receipted));
        Assert.Equal(MessageIds.Key(receipted), MessageIds.Key(submitted, form));
    }

    [Fact]
    public void Ids_that_are_not_the_same_message_are_never_matched()
    {
        Assert.Null(MessageIds.Detect("1A2B", "6700"));
        Assert.Null(MessageIds.Key("not-hex", ReceiptIdForm.DecimalOfHex));
    }
}

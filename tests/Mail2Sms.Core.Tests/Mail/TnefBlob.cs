using System.Buffers.Binary;
using System.Text;

namespace Mail2Sms.Core.Tests.Mail;

/// <summary>
/// Writes a minimal <c>winmail.dat</c> as Outlook does, per [MS-OXTNEF] 2.1.3: the signature, a
/// legacy key, then attributes of (level, tag, size, data, checksum). MimeKit 4.18 reads TNEF but
/// has no writer.
/// </summary>
internal sealed class TnefBlob
{
    private const uint Signature = 0x223E9F78;
    private const byte MessageLevel = 0x01;
    private const byte AttachmentLevel = 0x02;

    // Attribute tags: the low word is the attribute ID, the high word its type (atpString 1, atpText 2, atpByte 6, atpWord 7, atpDword 8).
    private const uint AttTnefVersion = 0x00089006;
    private const uint AttOemCodepage = 0x00069007;
    private const uint AttMessageClass = 0x00078008;
    private const uint AttBody = 0x0002800C;
    private const uint AttMapiProperties = 0x00069003;
    private const uint AttAttachRendData = 0x00069002;
    private const uint AttAttachTitle = 0x00018010;
    private const uint AttAttachData = 0x0006800F;

    private const ushort PtString8 = 0x001E;
    private const ushort PrBody = 0x1000;

    private static readonly Encoding Ansi = Encoding.Latin1;

    private readonly List<byte> _bytes = [];

    public TnefBlob()
    {
        WriteUInt32(Signature);
        WriteUInt16(0x0001);
        Attribute(MessageLevel, AttTnefVersion, BitConverter.GetBytes(0x00010000u));
        Attribute(MessageLevel, AttOemCodepage, [0xE4, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
        Attribute(MessageLevel, AttMessageClass, Ansi.GetBytes("IPM.Microsoft Mail.Note\0"));
    }

    /// <summary>The legacy attBody attribute: the body as plain text, CRLF line ends.</summary>
    public TnefBlob LegacyBody(string text)
    {
        Attribute(MessageLevel, AttBody, Ansi.GetBytes(text));
        return this;
    }

    /// <summary>The body as the MAPI property PR_BODY inside attMsgProps, as newer Outlook writes it.</summary>
    public TnefBlob MapiBody(string text)
    {
        using var properties = new MemoryStream();
        properties.Write(BitConverter.GetBytes(1u));
        properties.Write(BitConverter.GetBytes(PtString8));
        properties.Write(BitConverter.GetBytes(PrBody));
        var value = Ansi.GetBytes(text + "\0");
        properties.Write(BitConverter.GetBytes(1u));
        properties.Write(BitConverter.GetBytes((uint)value.Length));
        properties.Write(value);
        while (properties.Length % 4 != 0)
        {
            properties.WriteByte(0);
        }

        Attribute(MessageLevel, AttMapiProperties, properties.ToArray());
        return this;
    }

    /// <summary>A file attached by value: attAttachRendData, attAttachTitle, attAttachData.</summary>
    public TnefBlob File(string fileName, byte[] content)
    {
        Attribute(AttachmentLevel, AttAttachRendData, [0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
        Attribute(AttachmentLevel, AttAttachTitle, Ansi.GetBytes(fileName + "\0"));
        Attribute(AttachmentLevel, AttAttachData, content);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    private void Attribute(byte level, uint tag, byte[] data)
    {
        _bytes.Add(level);
        WriteUInt32(tag);
        WriteUInt32((uint)data.Length);
        _bytes.AddRange(data);
        ushort checksum = 0;
        foreach (var b in data)
        {
            checksum += b;
        }

        WriteUInt16(checksum);
    }

    private void WriteUInt32(uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        _bytes.AddRange(buffer);
    }

    private void WriteUInt16(ushort value)
    {
        Span<byte> buffer = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, value);
        _bytes.AddRange(buffer);
    }
}

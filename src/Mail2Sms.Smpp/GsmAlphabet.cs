using System.Text;

namespace Mail2Sms.Smpp;

/// <summary>
/// The GSM 03.38 (3GPP TS 23.038) default alphabet and its extension table: which characters an
/// SMS can carry in 7-bit septets, what each costs, and the septet and packed forms.
/// </summary>
public static class GsmAlphabet
{
    /// <summary>The escape septet that introduces a character of the extension table.</summary>
    public const byte Escape = 0x1B;

    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private static readonly (char Character, byte Septet)[] Extension =
    [
        ('\f', 0x0A), ('^', 0x14), ('{', 0x28), ('}', 0x29), ('\\', 0x2F),
        ('[', 0x3C), ('~', 0x3D), (']', 0x3E), ('|', 0x40), ('€', 0x65),
    ];

    // Index by UTF-16 code unit: 0 = not in the alphabet, 1..128 = basic septet + 1, 0x100 | septet = extension.
    private static readonly ushort[] Table = BuildTable();

    private static ushort[] BuildTable()
    {
        var table = new ushort[char.MaxValue + 1];
        for (var septet = 0; septet < Basic.Length; septet++)
        {
            if (septet != Escape)
            {
                table[Basic[septet]] = (ushort)(septet + 1);
            }
        }

        foreach (var (character, septet) in Extension)
        {
            table[character] = (ushort)(0x100 | septet);
        }

        return table;
    }

    /// <summary>Septets the character takes: 1 in the basic table, 2 in the extension table, 0 when GSM cannot carry it.</summary>
    public static int SeptetsOf(char c) => Table[c] switch
    {
        0 => 0,
        < 0x100 => 1,
        _ => 2,
    };

    /// <summary>True when the character is in the extension table (it takes an escape and a septet).</summary>
    public static bool IsExtension(char c) => Table[c] >= 0x100;

    /// <summary>True when every character of <paramref name="text"/> is in the default alphabet or its extension.</summary>
    public static bool CanEncode(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (Table[c] == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The septets <paramref name="text"/> takes, or -1 when a character is outside the alphabet.</summary>
    public static int CountSeptets(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text)
        {
            var septets = SeptetsOf(c);
            if (septets == 0)
            {
                return -1;
            }

            count += septets;
        }

        return count;
    }

    /// <summary>Encodes <paramref name="text"/> as unpacked septets, one per byte, extension characters as escape + septet.</summary>
    /// <exception cref="ArgumentException">A character is outside the alphabet.</exception>
    public static byte[] Encode(ReadOnlySpan<char> text)
    {
        var septetCount = CountSeptets(text);
        if (septetCount < 0)
        {
            throw new ArgumentException("The text holds a character outside the GSM 03.38 alphabet.", nameof(text));
        }

        var septets = new byte[septetCount];
        var i = 0;
        foreach (var c in text)
        {
            var entry = Table[c];
            if (entry >= 0x100)
            {
                septets[i++] = Escape;
                septets[i++] = (byte)(entry & 0x7F);
            }
            else
            {
                septets[i++] = (byte)(entry - 1);
            }
        }

        return septets;
    }

    /// <summary>
    /// Decodes unpacked septets. As 23.038 asks, an escape before a septet with no extension meaning
    /// gives the basic character, and an escape before an escape (reserved) gives a space.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> septets)
    {
        var text = new StringBuilder(septets.Length);
        for (var i = 0; i < septets.Length; i++)
        {
            var septet = septets[i] & 0x7F;
            if (septet == Escape && i + 1 < septets.Length)
            {
                var next = (byte)(septets[++i] & 0x7F);
                text.Append(next == Escape ? ' ' : ExtensionCharacter(next) ?? Basic[next]);
            }
            else if (septet != Escape)
            {
                text.Append(Basic[septet]);
            }
        }

        return text.ToString();
    }

    private static char? ExtensionCharacter(byte septet)
    {
        foreach (var (character, code) in Extension)
        {
            if (code == septet)
            {
                return character;
            }
        }

        return null;
    }

    /// <summary>Packs septets eight into seven octets, least significant bit first (23.038 section 6.1.2.1).</summary>
    public static byte[] Pack(ReadOnlySpan<byte> septets)
    {
        var packed = new byte[((septets.Length * 7) + 7) / 8];
        var bit = 0;
        foreach (var septet in septets)
        {
            var value = septet & 0x7F;
            var index = bit >> 3;
            var shift = bit & 7;
            packed[index] |= (byte)(value << shift);
            if (shift > 1)
            {
                packed[index + 1] |= (byte)(value >> (8 - shift));
            }

            bit += 7;
        }

        return packed;
    }

    /// <summary>Unpacks <paramref name="septetCount"/> septets from packed octets.</summary>
    public static byte[] Unpack(ReadOnlySpan<byte> packed, int septetCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(septetCount, packed.Length * 8 / 7);
        var septets = new byte[septetCount];
        var bit = 0;
        for (var i = 0; i < septetCount; i++)
        {
            var index = bit >> 3;
            var shift = bit & 7;
            var value = packed[index] >> shift;
            if (shift > 1)
            {
                value |= packed[index + 1] << (8 - shift);
            }

            septets[i] = (byte)(value & 0x7F);
            bit += 7;
        }

        return septets;
    }
}

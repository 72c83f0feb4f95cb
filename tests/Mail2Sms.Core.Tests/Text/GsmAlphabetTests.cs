using Mail2Sms.Smpp;

namespace Mail2Sms.Core.Tests.Text;

/// <summary>
/// The GSM 03.38 default alphabet and extension table, as written out in <see cref="SampleTexts"/>
/// from 3GPP TS 23.038 section 6.2.1 (and the Unicode consortium's GSM0338 mapping),
/// independently of the table in the code under test.
/// </summary>
public sealed class GsmAlphabetTests
{
    private static readonly string[] BasicRows = SampleTexts.BasicRows;

    private static readonly (char Character, byte Septet)[] ExtensionTable = SampleTexts.ExtensionTable;

    private static IEnumerable<(char Character, byte Septet)> BasicTable()
    {
        var all = string.Concat(BasicRows);
        for (var septet = 0; septet < all.Length; septet++)
        {
            if (septet != GsmAlphabet.Escape)
            {
                yield return (all[septet], (byte)septet);
            }
        }
    }

    public static TheoryData<char, byte> BasicCharacters()
    {
        var data = new TheoryData<char, byte>();
        foreach (var (character, septet) in BasicTable())
        {
            data.Add(character, septet);
        }

        return data;
    }

    public static TheoryData<char, byte> ExtensionCharacters()
    {
        var data = new TheoryData<char, byte>();
        foreach (var (character, septet) in ExtensionTable)
        {
            data.Add(character, septet);
        }

        return data;
    }

    [Fact]
    public void The_written_out_basic_table_has_128_septets()
    {
        Assert.Equal(128, string.Concat(BasicRows).Length);
        Assert.Equal(127, BasicTable().Count());
    }

    [Theory]
    [MemberData(nameof(BasicCharacters))]
    public void A_basic_character_takes_one_septet_and_encodes_to_its_table_position(char character, byte septet)
    {
        Assert.Equal(1, GsmAlphabet.SeptetsOf(character));
        Assert.False(GsmAlphabet.IsExtension(character));
        Assert.Equal([septet], GsmAlphabet.Encode([character]));
        Assert.Equal(character.ToString(), GsmAlphabet.Decode([septet]));
    }

    [Theory]
    [MemberData(nameof(ExtensionCharacters))]
    public void An_extension_character_takes_two_septets_escape_then_its_code(char character, byte septet)
    {
        Assert.Equal(2, GsmAlphabet.SeptetsOf(character));
        Assert.True(GsmAlphabet.IsExtension(character));
        Assert.Equal([GsmAlphabet.Escape, septet], GsmAlphabet.Encode([character]));
        Assert.Equal(character.ToString(), GsmAlphabet.Decode([GsmAlphabet.Escape, septet]));
    }

    [Fact]
    public void No_other_UTF16_unit_is_in_the_alphabet()
    {
        var expected = BasicTable().Select(e => e.Character).Concat(ExtensionTable.Select(e => e.Character)).ToHashSet();
        var actual = new HashSet<char>();
        for (var c = 0; c <= char.MaxValue; c++)
        {
            if (GsmAlphabet.SeptetsOf((char)c) > 0)
            {
                actual.Add((char)c);
            }
        }

        Assert.Equal(137, expected.Count);
        Assert.Empty(actual.Except(expected).Select(c => $"U+{(int)c:X4}"));
        Assert.Empty(expected.Except(actual).Select(c => $"U+{(int)c:X4}"));
    }

    [Theory]
    [InlineData('\u00E7', "c cedilla: only the capital \u00C7 is at 0x09")]
    [InlineData('\u00E1', "a acute")]
    [InlineData('\u00EA', "e circumflex")]
    [InlineData('\u00C0', "capital A grave: only the small \u00E0 is at 0x7F")]
    [InlineData('`', "backtick")]
    [InlineData('\t', "tab")]
    [InlineData('\u001B', "the escape character itself")]
    [InlineData('\u2126', "ohm sign, which looks like capital omega")]
    [InlineData('\u2206', "increment, which looks like capital delta")]
    [InlineData('\u00B5', "micro sign")]
    [InlineData('\u0430', "Cyrillic a, which looks like Latin a")]
    [InlineData('\u00A2', "cent sign")]
    [InlineData('\uD83D', "half of an emoji")]
    public void A_character_outside_GSM_takes_no_septet_and_cannot_be_encoded(char character, string what)
    {
        Assert.True(GsmAlphabet.SeptetsOf(character) == 0, what);
        Assert.False(GsmAlphabet.CanEncode([character]), what);
        Assert.Equal(-1, GsmAlphabet.CountSeptets($"abc{character}"));
        Assert.Throws<ArgumentException>(() => GsmAlphabet.Encode($"abc{character}"));
    }

    [Fact]
    public void Septets_of_a_text_count_extension_characters_twice()
    {
        Assert.Equal(0, GsmAlphabet.CountSeptets(""));
        Assert.Equal(5, GsmAlphabet.CountSeptets("Hello"));
        Assert.Equal(20, GsmAlphabet.CountSeptets("^{}\\[~]|\u20AC\f"));
        Assert.Equal(9, GsmAlphabet.CountSeptets("\u20AC5 {x}"));
    }

    [Fact]
    public void Decode_reads_an_escape_before_an_undefined_code_as_the_basic_character()
    {
        // 23.038 6.2.1.1: a receiver shows the default-alphabet character for an undefined extension code.
        Assert.Equal("A", GsmAlphabet.Decode([GsmAlphabet.Escape, 0x41]));
        Assert.Equal("\r", GsmAlphabet.Decode([GsmAlphabet.Escape, 0x0D]));
    }

    [Fact]
    public void Decode_shows_a_space_for_an_escape_before_an_escape()
    {
        // 23.038 6.2.1.1: 0x1B 0x1B is reserved for another extension table; a receiver shows a space.
        Assert.Equal("a b", GsmAlphabet.Decode([0x61, GsmAlphabet.Escape, GsmAlphabet.Escape, 0x62]));
    }

    [Fact]
    public void Decode_drops_an_escape_that_ends_the_septets()
    {
        Assert.Equal("A", GsmAlphabet.Decode([0x41, GsmAlphabet.Escape]));
    }

    [Fact]
    public void Decode_of_a_mixed_text_gives_the_text()
    {
        var septets = GsmAlphabet.Encode("Price: \u20AC5 [was {6}] ^_^ \\o/ | \u00C7a \u00E0 la ~ \u0394");
        Assert.Equal("Price: \u20AC5 [was {6}] ^_^ \\o/ | \u00C7a \u00E0 la ~ \u0394", GsmAlphabet.Decode(septets));
    }

    [Theory]
    // The classic example of PDU tutorials (dreamfabric "SMS messages and the PDU format").
    [InlineData("hellohello", "E8329BFD4697D9EC37")]
    [InlineData("How are you?", "C8F71D14969741F977FD07")]
    // Eight septets fill seven octets exactly (23.038 6.1.2.1.1, "eight characters in seven octets").
    [InlineData("12345678", "31D98C56B3DD70")]
    // Seven septets leave seven zero bits in the last octet; the septet count says where the text ends.
    [InlineData("1234567", "31D98C56B3DD00")]
    // An extension character packs as the escape 0x1B and its code 0x65.
    [InlineData("\u20AC", "9B32")]
    [InlineData("", "")]
    public void Pack_gives_the_known_octets_and_unpack_gives_the_text_back(string text, string packedHex)
    {
        var septets = GsmAlphabet.Encode(text);
        var packed = GsmAlphabet.Pack(septets);

        Assert.Equal(packedHex, Convert.ToHexString(packed));
        Assert.Equal(septets, GsmAlphabet.Unpack(packed, septets.Length));
        Assert.Equal(text, GsmAlphabet.Decode(GsmAlphabet.Unpack(packed, septets.Length)));
    }

    [Theory]
    // 23.038 6.1.2.1.1 draws one, two, three, seven and eight characters: septets fill octets from
    // bit 0 upwards, and the last octet is completed with zeros on the left. All-ones septets show it.
    [InlineData(1, "7F")]
    [InlineData(2, "FF3F")]
    [InlineData(3, "FFFF1F")]
    [InlineData(7, "FFFFFFFFFFFF01")]
    [InlineData(8, "FFFFFFFFFFFFFF")]
    [InlineData(9, "FFFFFFFFFFFFFF7F")]
    public void Pack_fills_octets_as_the_23038_diagrams_show(int septetCount, string packedHex)
    {
        var septets = Enumerable.Repeat((byte)0x7F, septetCount).ToArray();

        Assert.Equal(packedHex, Convert.ToHexString(GsmAlphabet.Pack(septets)));
        Assert.Equal(septets, GsmAlphabet.Unpack(Convert.FromHexString(packedHex), septetCount));
    }

    [Fact]
    public void Unpacking_seven_octets_as_eight_septets_shows_why_the_count_must_travel()
    {
        var packed = Convert.FromHexString("31D98C56B3DD00");
        Assert.Equal("1234567@", GsmAlphabet.Decode(GsmAlphabet.Unpack(packed, 8)));
    }

    [Fact]
    public void Unpack_refuses_more_septets_than_the_octets_hold()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GsmAlphabet.Unpack(new byte[7], 9));
    }

    [Fact]
    public void A_full_single_SMS_of_160_septets_packs_into_140_octets()
    {
        var packed = GsmAlphabet.Pack(GsmAlphabet.Encode(new string('x', 160)));
        Assert.Equal(140, packed.Length);
    }
}

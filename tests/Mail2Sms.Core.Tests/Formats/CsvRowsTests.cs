using System.Text;
using Mail2Sms.Core.Formats;

namespace Mail2Sms.Core.Tests.Formats;

public sealed class CsvRowsTests
{
    private static List<CsvRow> Rows(byte[] bytes)
    {
        using var rows = CsvRows.Open(new MemoryStream(bytes));
        return [.. rows.ReadAll()];
    }

    private static List<CsvRow> Rows(string text) => Rows(Encoding.UTF8.GetBytes(text));

    private static string[][] Fields(IEnumerable<CsvRow> rows) => [.. rows.Select(r => r.Fields.ToArray())];

    [Fact]
    public void Quoted_fields_hold_commas_and_doubled_quotes()
    {
        var rows = Rows("61412345678,\"Meeting at 3, room 2\"\n61412345679,\"She said \"\"hi\"\"\"\n");
        Assert.Equal([["61412345678", "Meeting at 3, room 2"], ["61412345679", "She said \"hi\""]], Fields(rows));
        Assert.All(rows, r => Assert.Null(r.Problem));
    }

    [Fact]
    public void Quoted_fields_hold_line_breaks_and_later_rows_keep_their_physical_line_numbers()
    {
        var rows = Rows("61412345678,\"line one\r\nline two\r\nline three\"\r\n61412345679,after\r\n\"0412\n345678\",x\n61412345680,last\n");

        Assert.Equal([1, 4, 5, 7], rows.Select(r => r.Line));
        Assert.Equal("line one\nline two\nline three", rows[0].Field(1));
        Assert.Equal("after", rows[1].Field(1));
        Assert.Equal("0412\n345678", rows[2].Field(0));
        Assert.Equal("last", rows[3].Field(1));
    }

    [Theory]
    [InlineData("a,b\r\nc,d\r\n")]
    [InlineData("a,b\nc,d\n")]
    [InlineData("a,b\r\nc,d")]
    [InlineData("a,b\nc,d")]
    [InlineData("a,b\rc,d\r")]
    public void CRLF_LF_and_a_last_line_without_a_line_end_all_read_the_same(string text)
    {
        var rows = Rows(text);
        Assert.Equal([["a", "b"], ["c", "d"]], Fields(rows));
        Assert.Equal([1, 2], rows.Select(r => r.Line));
    }

    [Fact]
    public void Fields_are_trimmed_inside_and_outside_quotes()
    {
        Assert.Equal([["0412 345 678", "two words", "quoted"]], Fields(Rows("  0412 345 678  ,\ttwo words\t, \"  quoted  \" \n")));
    }

    [Fact]
    public void UTF8_with_a_BOM_is_read_and_the_BOM_is_not_part_of_the_first_field()
    {
        var rows = Rows([0xEF, 0xBB, 0xBF, .. "61412345678,Café\n"u8]);
        Assert.Equal([["61412345678", "Café"]], Fields(rows));
    }

    [Fact]
    public void UTF8_without_a_BOM_reads_multibyte_characters_right()
    {
        // é as C3 A9, 😀 as F0 9F 98 80, € as E2 82 AC.
        var rows = Rows([.. "61412345678,"u8, 0xC3, 0xA9, 0x20, 0xF0, 0x9F, 0x98, 0x80, 0x20, 0xE2, 0x82, 0xAC, 0x0A]);
        Assert.Equal("é 😀 €", rows.Single().Field(1));
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    public void UTF16_with_a_BOM_is_read(string encodingName)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        byte[] bytes = [.. encoding.GetPreamble(), .. encoding.GetBytes("61412345678,Café 😀\r\n61412345679,x\r\n")];
        Assert.Equal([["61412345678", "Café 😀"], ["61412345679", "x"]], Fields(Rows(bytes)));
    }

    [Fact]
    public void Windows_1252_bytes_from_an_Excel_ANSI_export_read_as_what_they_mean()
    {
        // 0x93 0x94 curly quotes, 0x96 en dash, 0xE9 é, 0x80 euro, 0x85 ellipsis.
        byte[] bytes = [.. "61412345678,"u8, 0x93, .. "Hi"u8, 0x94, 0x20, 0x96, .. " caf"u8, 0xE9, 0x20, 0x80, .. "5"u8, 0x85, 0x0D, 0x0A];
        Assert.Equal("\u201CHi\u201D \u2013 café €5\u2026", Rows(bytes).Single().Field(1));
    }

    [Fact]
    public void Windows_1252_bytes_that_start_a_UTF8_sequence_but_do_not_finish_one_are_still_Windows_1252()
    {
        // E9 80: é then € in Windows-1252, though E9 80 is the start of a three-byte UTF-8 sequence.
        Assert.Equal("é€", Rows([.. "1,"u8, 0xE9, 0x80, 0x0A]).Single().Field(1));
        Assert.Equal("été", Rows([.. "1,"u8, 0xE9, 0x74, 0xE9, 0x0A]).Single().Field(1));
    }

    [Fact]
    public void Windows_1252_across_the_read_buffer_boundary_reads_right()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 3000; i++)
        {
            text.Append("61412345678,caf\u00E9 \u201Cq\u201D\r\n");
        }

        // 3,000 rows of 22 bytes cross the reader's 16 KB buffers several times.
        var rows = Rows(Windows1252(text.ToString()));

        Assert.Equal(3000, rows.Count);
        Assert.All(rows, r => Assert.Equal("café \u201Cq\u201D", r.Field(1)));
    }

    private static byte[] Windows1252(string text)
    {
        // Written by hand so the test does not depend on the code-page provider: curly quotes are 0x93/0x94, the rest Latin-1.
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            bytes[i] = text[i] switch
            {
                '\u201C' => 0x93,
                '\u201D' => 0x94,
                var c => (byte)c,
            };
        }

        return bytes;
    }

    [Fact]
    public void Semicolons_separate_when_the_first_line_has_semicolons_and_no_commas()
    {
        using var reader = CsvRows.Open(new MemoryStream("Number;Message\n0412345678;Hello, world\n"u8.ToArray()));
        Assert.Equal(';', reader.Delimiter);
        Assert.Equal([["Number", "Message"], ["0412345678", "Hello, world"]], Fields(reader.ReadAll()));
    }

    [Theory]
    [InlineData("0412345678;Server 23, rack 4 down\n")]
    [InlineData("6,14123E+11;Server down\n")]
    [InlineData("\"Smith, John\";x\n")]
    public void The_first_separator_outside_quotes_and_decimal_commas_decides(string firstLine)
    {
        using var reader = CsvRows.Open(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(firstLine)));
        Assert.Equal(';', reader.Delimiter);
        Assert.Equal(2, Assert.Single(reader.ReadAll()).Fields.Count);
    }

    [Fact]
    public void A_row_of_a_million_commas_keeps_only_its_first_fields()
    {
        using var reader = CsvRows.Open(new MemoryStream(System.Text.Encoding.ASCII.GetBytes("0412345678,Hi" + new string(',', 1_000_000) + "\n0412345679,x\n")));
        var rows = reader.ReadAll().ToList();
        Assert.Equal(CsvRows.MaxFields, rows[0].Fields.Count);
        Assert.Equal(("0412345679", "x", 2), (rows[1].Field(0), rows[1].Field(1), rows[1].Line));
    }

    [Fact]
    public void A_comma_is_kept_as_separator_when_it_comes_first()
    {
        using var reader = CsvRows.Open(new MemoryStream("0412345678,Hi; there\n0412345679,x\n"u8.ToArray()));
        Assert.Equal(',', reader.Delimiter);
        Assert.Equal([["0412345678", "Hi; there"], ["0412345679", "x"]], Fields(reader.ReadAll()));
    }

    [Fact]
    public void Comma_is_the_default_separator()
    {
        using var reader = CsvRows.Open(new MemoryStream("0412345678\n"u8.ToArray()));
        Assert.Equal(',', reader.Delimiter);
    }

    [Fact]
    public void Blank_spreadsheet_rows_are_blank()
    {
        var rows = Rows("0412345678,Hi\n,,,,\n\n  ,  \n0412345679,There\n");
        Assert.Equal([false, true, true, true, false], rows.Select(r => r.IsBlank));
        Assert.Equal([1, 2, 3, 4, 5], rows.Select(r => r.Line));
    }

    [Fact]
    public void Extra_columns_are_read_and_missing_ones_are_empty()
    {
        var row = Rows("0412345678,Hi,extra,,more\n").Single();
        Assert.Equal(5, row.Fields.Count);
        Assert.Equal("Hi", row.Field(1));
        Assert.Equal("more", row.Field(4));
        Assert.Equal(string.Empty, Rows("0412345678\n").Single().Field(1));
    }

    [Fact]
    public void An_unclosed_quote_is_a_problem_that_names_the_line_it_opened_on()
    {
        var rows = Rows("0412345678,ok\n0412345679,\"never closed\n0412345680,x\n");
        Assert.Null(rows[0].Problem);
        var broken = rows[1];
        Assert.Equal(2, broken.Line);
        Assert.Contains("line 2", broken.Problem, StringComparison.Ordinal);
        Assert.Contains("never closed", broken.Problem, StringComparison.Ordinal);
        Assert.False(broken.IsBlank);
    }

    [Fact]
    public void An_over_long_field_is_reported_and_not_held_and_the_next_row_is_read()
    {
        var rows = Rows($"0412345678,{new string('x', CsvRows.MaxFieldLength * 4)},tail\n0412345679,next\n");

        var longRow = rows[0];
        Assert.Contains("longer than", longRow.Problem, StringComparison.Ordinal);
        Assert.True(longRow.Field(1).Length <= CsvRows.MaxFieldLength);
        Assert.Equal("tail", longRow.Field(2));
        Assert.Null(rows[1].Problem);
        Assert.Equal(["0412345679", "next"], rows[1].Fields);
        Assert.Equal(2, rows[1].Line);
    }

    [Fact]
    public void An_over_long_quoted_field_with_line_breaks_keeps_the_line_count()
    {
        var rows = Rows($"0412345678,\"{new string('x', CsvRows.MaxFieldLength)}\n\n{new string('y', 10)}\"\n0412345679,next\n");
        Assert.NotNull(rows[0].Problem);
        Assert.Equal(4, rows[1].Line);
    }

    [Fact]
    public void A_field_of_exactly_the_maximum_length_is_kept_whole()
    {
        var field = new string('x', CsvRows.MaxFieldLength);
        var row = Rows($"1,{field}\n").Single();
        Assert.Null(row.Problem);
        Assert.Equal(field, row.Field(1));
    }

    [Fact]
    public void An_empty_file_has_no_rows()
    {
        Assert.Empty(Rows(string.Empty));
        Assert.Empty(Rows([0xEF, 0xBB, 0xBF]));
    }

    [Fact]
    public void TryRead_reads_row_by_row_and_then_reports_the_end()
    {
        using var reader = CsvRows.Open(new MemoryStream("a\nb\n"u8.ToArray()));
        Assert.True(reader.TryRead(out var first));
        Assert.Equal("a", first.Field(0));
        Assert.True(reader.TryRead(out var second));
        Assert.Equal(2, second.Line);
        Assert.False(reader.TryRead(out _));
        Assert.False(reader.TryRead(out _));
    }
}

using System.Text;

namespace Mail2Sms.Core.Formats;

/// <summary>One record of a CSV file.</summary>
/// <param name="Line">The 1-based physical line the record starts on.</param>
/// <param name="Fields">Its fields, trimmed.</param>
/// <param name="Problem">What is wrong with the record's syntax, when something is.</param>
public sealed record CsvRow(int Line, IReadOnlyList<string> Fields, string? Problem)
{
    /// <summary>The field at <paramref name="index"/>, or empty when the row is shorter.</summary>
    public string Field(int index) => index < Fields.Count ? Fields[index] : string.Empty;

    /// <summary>True when every field is empty (a spreadsheet's <c>,,,,</c> rows).</summary>
    public bool IsBlank => Problem is null && Fields.All(f => f.Length == 0);
}

/// <summary>
/// Reads CSV (RFC 4180) as a stream in bounded memory, one record at a time: quoted fields may hold
/// commas, doubled quotes and line breaks; CRLF or LF; UTF-8 with or without BOM, UTF-16 with BOM,
/// and Windows-1252 for bytes that are not UTF-8; comma-separated, or semicolon-separated when the
/// first line has semicolons and no commas (Excel in many locales).
/// </summary>
public sealed class CsvRows : IDisposable
{
    /// <summary>Longest field kept; longer ones are reported, not held in memory.</summary>
    public const int MaxFieldLength = 16 * 1024;

    /// <summary>Fields kept of one row; the rest are read and dropped, so a row of a million commas stays small.</summary>
    public const int MaxFields = 16;

    private readonly TextReader _reader;
    private readonly char[] _buffer = new char[16 * 1024];
    private readonly StringBuilder _field = new();
    private int _length;
    private int _position;
    private int _line = 1;
    private char _delimiter = ',';

    private CsvRows(TextReader reader) => _reader = reader;

    /// <summary>Reads <paramref name="stream"/>, detecting its encoding from a BOM or from its bytes.</summary>
    public static CsvRows Open(Stream stream)
    {
        var reader = new StreamReader(stream, Utf8OrWindows1252.Instance, detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024);
        var rows = new CsvRows(reader);
        rows.Fill();
        rows._delimiter = DetectDelimiter(rows._buffer.AsSpan(0, rows._length));
        return rows;
    }

    /// <summary>The separator in use: <c>,</c> or <c>;</c>.</summary>
    public char Delimiter => _delimiter;

    // The first separator on the first line, outside quotes and not between two digits, is the file's:
    // Excel in comma-decimal locales writes "0412345678;Server 23, rack 4" and "6,14091E+11;text".
    private static char DetectDelimiter(ReadOnlySpan<char> start)
    {
        var quoted = false;
        for (var i = 0; i < start.Length && start[i] is not ('\r' or '\n'); i++)
        {
            switch (start[i])
            {
                case '"':
                    quoted = !quoted;
                    break;
                case ';' when !quoted:
                    return ';';
                case ',' when !quoted && !(i > 0 && char.IsAsciiDigit(start[i - 1]) && i + 1 < start.Length && char.IsAsciiDigit(start[i + 1])):
                    return ',';
            }
        }

        return ',';
    }

    /// <summary>Reads the records one by one.</summary>
    public IEnumerable<CsvRow> ReadAll()
    {
        while (TryRead(out var row))
        {
            yield return row;
        }
    }

    /// <summary>Reads the next record; false at the end of the file.</summary>
    public bool TryRead(out CsvRow row)
    {
        row = null!;
        if (!EnsureData())
        {
            return false;
        }

        var startLine = _line;
        var fields = new List<string>(4);
        string? problem = null;
        while (true)
        {
            var (field, endOfRecord, fieldProblem) = ReadField();
            if (fields.Count < MaxFields)
            {
                fields.Add(field);
            }

            problem ??= fieldProblem;
            if (endOfRecord)
            {
                break;
            }
        }

        row = new CsvRow(startLine, fields, problem);
        return true;
    }

    private (string Field, bool EndOfRecord, string? Problem) ReadField()
    {
        _field.Clear();
        string? problem = null;
        var overLong = false;
        SkipSpaces();
        if (EnsureData() && _buffer[_position] == '"')
        {
            _position++;
            var openedOn = _line;
            while (true)
            {
                if (!EnsureData())
                {
                    problem = $"a quoted field opened on line {openedOn} is never closed";
                    return (Finish(overLong, ref problem), true, problem);
                }

                var c = _buffer[_position++];
                if (c == '"')
                {
                    if (EnsureData() && _buffer[_position] == '"')
                    {
                        _position++;
                        Append('"', ref overLong);
                        continue;
                    }

                    break;
                }

                if (c == '\n')
                {
                    _line++;
                }

                Append(c, ref overLong);
            }
        }

        // Unquoted text, or whatever follows a closing quote up to the delimiter.
        while (EnsureData())
        {
            var c = _buffer[_position++];
            if (c == _delimiter)
            {
                return (Finish(overLong, ref problem), false, problem);
            }

            if (c == '\n' || c == '\r')
            {
                if (c == '\r' && EnsureData() && _buffer[_position] == '\n')
                {
                    _position++;
                }

                _line++;
                return (Finish(overLong, ref problem), true, problem);
            }

            Append(c, ref overLong);
        }

        return (Finish(overLong, ref problem), true, problem);
    }

    private void Append(char c, ref bool overLong)
    {
        if (_field.Length < MaxFieldLength)
        {
            _field.Append(c);
        }
        else
        {
            overLong = true;
        }
    }

    private string Finish(bool overLong, ref string? problem)
    {
        if (overLong)
        {
            problem ??= $"a field is longer than {MaxFieldLength} characters";
        }

        return _field.ToString().Trim().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private void SkipSpaces()
    {
        while (EnsureData() && _buffer[_position] is ' ' or '\t')
        {
            _position++;
        }
    }

    private bool EnsureData() => _position < _length || Fill();

    private bool Fill()
    {
        _length = _reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();
}

/// <summary>
/// UTF-8 in which every byte that is not part of a valid UTF-8 sequence is read as Windows-1252,
/// so Excel's ANSI exports read right without guessing the whole file's encoding in advance.
/// </summary>
internal sealed class Utf8OrWindows1252 : DecoderFallback
{
    public static Encoding Instance { get; } =
        Encoding.GetEncoding("utf-8", EncoderFallback.ReplacementFallback, new Utf8OrWindows1252());

    // Windows-1252 0x80..0x9F; the rest of 0xA0..0xFF is Latin-1. Undefined bytes keep their C1 value.
    private const string High = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ";

    public static char CharOf(byte b) => b is >= 0x80 and <= 0x9F ? High[b - 0x80] : (char)b;

    public override int MaxCharCount => 4;

    public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer();

    private sealed class Buffer : DecoderFallbackBuffer
    {
        private readonly char[] _chars = new char[4];
        private int _count;
        private int _index;

        public override int Remaining => _count - _index;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            _count = Math.Min(bytesUnknown.Length, _chars.Length);
            for (var i = 0; i < _count; i++)
            {
                _chars[i] = CharOf(bytesUnknown[i]);
            }

            _index = 0;
            return _count > 0;
        }

        public override char GetNextChar() => _index < _count ? _chars[_index++] : '\0';

        public override bool MovePrevious()
        {
            if (_index == 0)
            {
                return false;
            }

            _index--;
            return true;
        }

        public override void Reset() => _count = _index = 0;
    }
}

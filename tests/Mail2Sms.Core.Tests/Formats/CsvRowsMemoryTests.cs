using System.Globalization;
using System.Text;
using Mail2Sms.Core.Formats;

namespace Mail2Sms.Core.Tests.Formats;

/// <summary>Measurements of the whole process's heap: run alone, never beside other tests.</summary>
[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

[Collection(nameof(MemoryMeasurements))]
public sealed class CsvRowsMemoryTests
{
    private const int RowCount = 100_000;
    private const long Bound = 256 * 1024;

    [Fact]
    public void A_100000_row_file_is_read_as_a_stream_in_bounded_memory()
    {
        using var rows = CsvRows.Open(new GeneratedCsv(RowCount));
        using var reading = rows.ReadAll().GetEnumerator();

        var last = ReadUpTo(reading, 10_000);
        Assert.Equal(10_000, last.Line);
        var after10000 = GC.GetTotalMemory(forceFullCollection: true);

        last = ReadUpTo(reading, RowCount);
        var after100000 = GC.GetTotalMemory(forceFullCollection: true);

        // The enumerator and the last row are still alive here: whatever the reader keeps, it keeps now.
        Assert.Equal(RowCount, last.Line);
        Assert.Equal(GeneratedCsv.Number(RowCount), last.Field(0));
        Assert.Equal(GeneratedCsv.Message(RowCount), last.Field(1));
        Assert.False(reading.MoveNext());
        Assert.True(
            after100000 - after10000 < Bound,
            $"retained memory grew by {after100000 - after10000:N0} bytes between row 10,000 and row 100,000");
    }

    private static CsvRow ReadUpTo(IEnumerator<CsvRow> reading, int line)
    {
        CsvRow? row = null;
        while ((row is null || row.Line < line) && reading.MoveNext())
        {
            row = reading.Current;
            Assert.Null(row.Problem);
        }

        return row!;
    }

    /// <summary>A CSV file of <c>n</c> rows made as it is read, so the test itself holds no file.</summary>
    private sealed class GeneratedCsv(int rows) : Stream
    {
        private readonly byte[] _pending = new byte[256];
        private int _pendingLength;
        private int _pendingOffset;
        private int _row;

        public static string Number(int row) => (61400000000L + row).ToString(CultureInfo.InvariantCulture);

        public static string Message(int row) => string.Create(CultureInfo.InvariantCulture, $"Reminder {row}, \"quoted\" and café");

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length)
            {
                if (_pendingOffset == _pendingLength)
                {
                    if (_row == rows)
                    {
                        break;
                    }

                    _row++;
                    var line = $"{Number(_row)},\"{Message(_row).Replace("\"", "\"\"", StringComparison.Ordinal)}\"\r\n";
                    _pendingLength = Encoding.UTF8.GetBytes(line, _pending);
                    _pendingOffset = 0;
                }

                var chunk = Math.Min(buffer.Length - written, _pendingLength - _pendingOffset);
                _pending.AsSpan(_pendingOffset, chunk).CopyTo(buffer[written..]);
                _pendingOffset += chunk;
                written += chunk;
            }

            return written;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

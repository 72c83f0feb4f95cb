using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Mail2Sms.Gateway.Smtp;

namespace Mail2Sms.Fuzz;

/// <summary>
/// The <c>smtp-data</c> target: the octets a client sends after <c>354</c>, mutated from emails full of
/// the cases that matter (dots at line starts, bare CR and LF, the final dot's line cut anywhere, huge
/// header lines), read by the session's <see cref="MessageData"/> twice: whole, and as the socket hands it
/// over, in chunks of random sizes across several segments. Both readings must agree on where the data
/// ended, what was kept and which limit was passed; that is what the session answers.
/// </summary>
internal static class SmtpDataStreams
{
    private static readonly byte[][] Seeds = [.. new[]
    {
        "Subject: alert\r\nFrom: ops@example.com\r\n\r\nServer 23 is offline.\r\n.\r\n",
        "Subject: dots\r\n\r\n..starts with a dot\r\n.\r\n..\r\n...\r\nend\r\n.\r\nRSET\r\n",
        "Subject: bare\nX-Folded: a\r\n b\r\n\r\nline\nbare LF\n.\nnot the end\r\n.\r\n",
        "Subject: smuggle\r\n\r\ntext\n.\r\nMAIL FROM:<x@example.com>\r\nRCPT TO:<0412345678@sms.localhost>\r\nDATA\r\nforged\r\n.\r\n",
        "\r\n.\r\n",
        ".\r\n",
        "Subject: cr\r\r\n\r\nbody\r\r\n.\r\r\n.\r\n",
    }.Select(Encoding.ASCII.GetBytes)];

    private static readonly byte[][] Tokens = [.. new[] { "\r\n", "\r", "\n", ".", "\r\n.", ".\r\n", "\r\n.\r\n", "\r\n\r\n", " ", "\t", "..", "\0", "Subject: " }.Select(Encoding.ASCII.GetBytes)];

    // The gateway-wide budget is not what is fuzzed here: each reading has all it asks for.
    private static DataBufferBudget Unbounded => new(long.MaxValue / 2);

    /// <summary>The target.</summary>
    public static FuzzTarget Target() => new("smtp-data", Generate, Run);

    private static byte[] Generate(Random random) =>
        random.Next(8) == 0
            ? [.. Seeds[0].AsSpan(0, 9), .. Mutations.Run(random, Tokens[random.Next(Tokens.Length)]), .. "\r\n\r\nx\r\n.\r\n"u8]
            : Mutations.Havoc(random, Seeds[random.Next(Seeds.Length)], Seeds, Tokens);

    /// <summary>Reads <paramref name="input"/> whole and in chunks; throws when the two readings differ.</summary>
    public static void Run(byte[] input)
    {
        // The limits and the chunking come from the input itself, so a saved input replays the same.
        var random = new Random(BinaryPrimitives.ReadInt32LittleEndian(SHA256.HashData(input)));
        var maxMessage = random.Next(16, 4096);
        var maxHeader = random.Next(8, 2048);
        long? declared = random.Next(3) == 0 ? random.Next(0, 1 << 20) : null;
        var whole = ReadWhole(input, maxMessage, maxHeader, declared);
        var chunked = ReadChunked(input, maxMessage, maxHeader, declared, random);
        if (whole != chunked)
        {
            throw new FuzzInvariantException($"read whole: {whole}; read in chunks: {chunked}");
        }

        if (whole.Kept > maxMessage)
        {
            throw new FuzzInvariantException($"{whole.Kept} octets kept past a limit of {maxMessage}");
        }
    }

    private sealed record Reading(bool Ended, long EndedAt, bool PastLimit, int Kept, string Hash);

    private static Reading ReadWhole(byte[] input, int maxMessage, int maxHeader, long? declared)
    {
        using var data = new MessageData(maxMessage, maxHeader, declared, Unbounded);
        var buffer = new ReadOnlySequence<byte>(input);
        var ended = data.Read(buffer, isCompleted: true, out var consumed);
        return Result(data, ended, ended ? buffer.Slice(0, consumed).Length : -1);
    }

    // As a PipeReader hands data over: what was not consumed comes again, with the next chunk behind it.
    private static Reading ReadChunked(byte[] input, int maxMessage, int maxHeader, long? declared, Random random)
    {
        using var data = new MessageData(maxMessage, maxHeader, declared, Unbounded);
        var pendingFrom = 0;
        var received = 0;
        while (true)
        {
            received = Math.Min(input.Length, received + random.Next(1, 64));
            var completed = received == input.Length;
            var buffer = Chunk(input, pendingFrom, received, random);
            if (data.Read(buffer, completed, out var consumed))
            {
                return Result(data, ended: true, pendingFrom + buffer.Slice(0, consumed).Length);
            }

            if (completed)
            {
                return Result(data, ended: false, -1);
            }

            pendingFrom += (int)buffer.Slice(0, consumed).Length;
        }
    }

    // What is kept matters only for data within its limits: past one, it is thrown away. Which limit an email
    // past both is answered by (header or size: both 552 5.3.4) may depend on where the chunks fell. Data that never ended
    // (the client left) is not kept at all.
    private static Reading Result(MessageData data, bool ended, long endedAt) =>
        !ended ? new(ended, endedAt, PastLimit: false, 0, string.Empty)
        : data.State == DataEnd.Complete ? new(ended, endedAt, PastLimit: false, data.Data.Count, Convert.ToHexString(SHA256.HashData(data.Data)))
        : new(ended, endedAt, PastLimit: true, 0, string.Empty);

    // input[from..to] cut into up to four segments at random places.
    private static ReadOnlySequence<byte> Chunk(byte[] input, int from, int to, Random random)
    {
        var cuts = Enumerable.Range(0, random.Next(4)).Select(_ => random.Next(from, to + 1)).Append(to).Order().Distinct().ToList();
        var pieces = new List<ReadOnlyMemory<byte>>();
        var start = from;
        foreach (var cut in cuts)
        {
            pieces.Add(input.AsMemory(start, cut - start));
            start = cut;
        }

        return Segments.Of(pieces);
    }
}

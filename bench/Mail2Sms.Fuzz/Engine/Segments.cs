using System.Buffers;

namespace Mail2Sms.Fuzz;

/// <summary>Octets as a socket's pipe hands them over: one sequence of several segments.</summary>
internal static class Segments
{
    /// <summary>One sequence of <paramref name="pieces"/> (at least one), in order.</summary>
    public static ReadOnlySequence<byte> Of(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        var first = new Segment(pieces[0], 0);
        var last = first;
        foreach (var piece in pieces.Skip(1))
        {
            last = last.Append(piece);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

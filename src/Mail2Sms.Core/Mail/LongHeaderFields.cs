namespace Mail2Sms.Core.Mail;

/// <summary>
/// Unfolds the header fields of a raw email that are longer than a legitimate one gets, before MimeKit
/// parses it. MimeKit's parser grows its header buffer by one line at a time, so a field folded over
/// thousands of lines costs time quadratic in its length (a 256 KB folded <c>Subject:</c> took 0.5 s of
/// CPU, a 1 MB one 11 s); unfolded, the same field is read in a few large steps. Unfolding (removing
/// each line break that precedes white space) is what RFC 5322 section 2.2.3 says a reader does anyway, so
/// the parsed value is the same.
/// </summary>
public static class LongHeaderFields
{
    /// <summary>A field longer than this, in octets, is unfolded; ordinary fields (even DKIM signatures) stay as written.</summary>
    public const int UnfoldAbove = 8 * 1024;

    /// <summary>
    /// <paramref name="message"/> with every header field longer than <see cref="UnfoldAbove"/> octets
    /// unfolded; the same array when there is none. The body is never touched.
    /// </summary>
    public static byte[] Unfold(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!HasLongField(message))
        {
            return message;
        }

        var output = new byte[message.Length];
        var written = 0;
        var longField = false;
        var position = 0;
        while (position < message.Length)
        {
            var lineEnd = LineEnd(message, position);
            if (IsBlank(message, position, lineEnd))
            {
                break;
            }

            if (!IsContinuation(message, position))
            {
                longField = FieldEnd(message, position) - position > UnfoldAbove;
            }

            var next = lineEnd;
            if (longField && next < message.Length && IsContinuation(message, next))
            {
                // Drop this line's CRLF (or LF): the white space that begins the next line stays.
                lineEnd -= lineEnd - 2 >= position && message[lineEnd - 2] == '\r' ? 2 : 1;
            }

            Buffer.BlockCopy(message, position, output, written, lineEnd - position);
            written += lineEnd - position;
            position = next;
        }

        Buffer.BlockCopy(message, position, output, written, message.Length - position);
        written += message.Length - position;
        return output[..written];
    }

    /// <summary>True when a header field of <paramref name="message"/> is longer than <see cref="UnfoldAbove"/> octets, so <see cref="Unfold"/> would change it.</summary>
    public static bool HasLongField(ReadOnlySpan<byte> message)
    {
        var fieldStart = 0;
        var position = 0;
        while (position < message.Length)
        {
            var lineEnd = LineEnd(message, position);
            if (IsBlank(message, position, lineEnd))
            {
                break;
            }

            if (!IsContinuation(message, position))
            {
                fieldStart = position;
            }

            if (lineEnd - fieldStart > UnfoldAbove)
            {
                return true;
            }

            position = lineEnd;
        }

        return false;
    }

    // The end of the field that begins at start: the start of the first line after it that is not a continuation.
    private static int FieldEnd(ReadOnlySpan<byte> message, int start)
    {
        var position = LineEnd(message, start);
        while (position < message.Length && IsContinuation(message, position))
        {
            position = LineEnd(message, position);
        }

        return position;
    }

    // Just past the line's LF, or the end of the message.
    private static int LineEnd(ReadOnlySpan<byte> message, int start)
    {
        var newline = message[start..].IndexOf((byte)'\n');
        return newline < 0 ? message.Length : start + newline + 1;
    }

    private static bool IsContinuation(ReadOnlySpan<byte> message, int lineStart) => message[lineStart] is (byte)' ' or (byte)'\t';

    private static bool IsBlank(ReadOnlySpan<byte> message, int start, int end) =>
        end - start <= 2 && message[start..end].Trim("\r\n"u8).IsEmpty;
}

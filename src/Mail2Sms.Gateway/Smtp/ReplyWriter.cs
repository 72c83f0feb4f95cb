using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.RegularExpressions;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// Sits between SmtpServer and the socket and puts every reply into the form FORMATS.md gives it:
/// SmtpServer appends ", N retry(ies) remaining." to each custom refusal, and writes a reply on one
/// line; this writer takes the suffix off and turns <see cref="LineSeparator"/> into the lines of a
/// multi-line reply (<c>550-5.1.1 ...</c>, <c>550 5.1.1 ...</c>).
/// </summary>
internal sealed partial class ReplyWriter(Func<PipeWriter> socket) : PipeWriter
{
    /// <summary>Separates the lines of one reply inside an SmtpServer response message.</summary>
    public const char LineSeparator = '\u001E';

    private readonly ArrayBufferWriter<byte> _pending = new();

    [GeneratedRegex(@", \d+ retry\(ies\) remaining\.$")]
    private static partial Regex RetrySuffix();

    public override void Advance(int bytes) => _pending.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => _pending.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _pending.GetSpan(sizeHint);

    public override void CancelPendingFlush() => socket().CancelPendingFlush();

    public override void Complete(Exception? exception = null) => socket().Complete(exception);

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        var output = socket();
        var written = _pending.WrittenMemory;
        var end = written.Span.LastIndexOf((byte)'\n') + 1;
        if (end > 0)
        {
            output.Write(Rewrite(Encoding.UTF8.GetString(written.Span[..end])));
            var rest = written[end..].ToArray();
            _pending.Clear();
            _pending.Write(rest);
        }

        return await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rewrites complete reply lines (CRLF-terminated).</summary>
    internal static byte[] Rewrite(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var line in text.Split("\r\n"))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var reply = RetrySuffix().Replace(line, string.Empty);
            if (reply.Length > 4 && reply[3] == ' ' && reply.Contains(LineSeparator, StringComparison.Ordinal))
            {
                var code = reply[..3];
                var parts = reply[4..].Split(LineSeparator);
                for (var i = 0; i < parts.Length; i++)
                {
                    result.Append(code).Append(i == parts.Length - 1 ? ' ' : '-').Append(parts[i]).Append("\r\n");
                }
            }
            else
            {
                result.Append(reply).Append("\r\n");
            }
        }

        return Encoding.UTF8.GetBytes(result.ToString());
    }
}

using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.RegularExpressions;
using Mail2Sms.Core.Intake;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// Sits between SmtpServer and the socket and puts every reply into the form FORMATS.md gives it:
/// SmtpServer appends ", N retry(ies) remaining." to each custom refusal, and writes a reply on one
/// line; this writer takes the suffix off and turns <see cref="LineSeparator"/> into the lines of a
/// multi-line reply (<c>550-5.1.1 ...</c>, <c>550 5.1.1 ...</c>). SmtpServer's own fixed replies get
/// the enhanced status codes (RFC 3463) the gateway announces with <c>ENHANCEDSTATUSCODES</c>, and
/// the texts a person reading a bounce can act on.
/// </summary>
internal sealed partial class ReplyWriter(Func<PipeWriter> socket, int maxMessageBytes, Action<bool> dataStarted) : PipeWriter
{
    private bool _closed;

    /// <summary>Separates the lines of one reply inside an SmtpServer response message.</summary>
    public const char LineSeparator = '\u001E';

    private readonly ArrayBufferWriter<byte> _pending = new();

    [GeneratedRegex(@", \d+ retry\(ies\) remaining\.$")]
    private static partial Regex RetrySuffix();

    // SmtpServer's greeting names its own version, which tells an attacker what to try.
    [GeneratedRegex(@"^220 (\S+) v[0-9.]+ ESMTP ready$")]
    private static partial Regex VersionedGreeting();

    // SmtpServer's fixed replies, as the gateway gives them.
    private static string? Standard(string reply, int maxMessageBytes) => reply switch
    {
        "250 Ok" => "250 2.0.0 Ok",
        "221 bye" or "221 Goodbye" => "221 2.0.0 Bye",
        "221 Timeout while waiting for input." => "421 4.4.2 Nothing arrived in time: closing the connection.",
        "502 Unrecognized command" => "502 5.5.1 Unrecognized command.",
        "503 bad sequence of commands" => "503 5.5.1 Bad sequence of commands: send EHLO, MAIL FROM, RCPT TO, then DATA.",
        "501 syntax error" => "501 5.5.2 Syntax error.",
        "552 size limit exceeded" => TooLarge(maxMessageBytes),
        "554 no valid recipients given" => "554 5.5.1 No valid recipients: every RCPT TO was refused.",
        "235 go ahead" or "235 authentication successful" => "235 2.7.0 Authentication successful.",
        "535 authentication failed" => "535 5.7.8 Authentication failed: check the user and password.",
        _ => null,
    };

    /// <summary>The reply to an email larger than the gateway accepts, at <c>MAIL FROM ... SIZE=</c> or after its data; made only to go out, so counted here.</summary>
    internal static string TooLarge(int maxMessageBytes)
    {
        var reason = Reasons.Create(ReasonCode.MessageTooLarge, string.Create(CultureInfo.InvariantCulture,
            $"The email is larger than this gateway accepts ({maxMessageBytes:N0} bytes): send a smaller one, or split a CSV file."));
        GatewayMetrics.EmailRefused(reason);
        return reason.ToString();
    }

    public override void Advance(int bytes) => _pending.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => _pending.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _pending.GetSpan(sizeHint);

    public override void CancelPendingFlush() => socket().CancelPendingFlush();

    public override void Complete(Exception? exception = null) => socket().Complete(exception);

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        var output = socket();
        if (_closed)
        {
            // The gateway gave the session's last reply itself; SmtpServer's afterwards would answer nothing the client asked.
            _pending.Clear();
            return new FlushResult(isCanceled: false, isCompleted: true);
        }

        var written = _pending.WrittenMemory;
        var end = written.Span.LastIndexOf((byte)'\n') + 1;
        if (end > 0)
        {
            var text = Encoding.UTF8.GetString(written.Span[..end]);
            output.Write(Rewrite(text, maxMessageBytes));
            var rest = written[end..].ToArray();
            _pending.Clear();
            _pending.Write(rest);
            // The last reply of a pipelined group is the one that tells what comes next: 354 is an email's data.
            var previous = text.Length > 2 ? text.LastIndexOf("\r\n", text.Length - 3, StringComparison.Ordinal) : -1;
            dataStarted(text.AsSpan(previous < 0 ? 0 : previous + 2).StartsWith("354", StringComparison.Ordinal));
        }

        return await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the session's last reply as it is; nothing written after it goes out.</summary>
    public async Task LastReplyAsync(byte[] reply, CancellationToken cancellationToken)
    {
        _closed = true;
        var output = socket();
        output.Write(reply);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rewrites complete reply lines (CRLF-terminated).</summary>
    internal static byte[] Rewrite(string text, int maxMessageBytes)
    {
        var result = new StringBuilder(text.Length);
        foreach (var line in text.Split("\r\n"))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var reply = RetrySuffix().Replace(line, string.Empty);
            if (reply == "250-8BITMIME")
            {
                // In every EHLO reply: the gateway's replies carry enhanced status codes.
                result.Append("250-ENHANCEDSTATUSCODES\r\n");
            }

            reply = Standard(reply, maxMessageBytes) ?? VersionedGreeting().Replace(reply, "220 $1 ESMTP ready");
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

using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>The SMTP commands the gateway knows (RFC 5321, 3207, 4954, and the PROXY protocol's v1 header).</summary>
public enum SmtpVerb
{
    /// <summary>Not a command the gateway knows.</summary>
    Unknown,
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    Rset,
    Noop,
    Quit,
    Vrfy,
    StartTls,
    Auth,
    Proxy,
}

/// <summary>
/// One command line, parsed as a pure function of its bytes (the fuzz harness feeds it millions):
/// the verb, what follows it, and for <c>MAIL FROM</c>/<c>RCPT TO</c> the path and <c>SIZE=</c>.
/// Nothing is allocated but the path's string.
/// </summary>
public readonly struct SmtpCommand
{
    /// <summary>The most octets of a command line, its CRLF included (RFC 5321 4.5.3.1.4).</summary>
    public const int MaxLineOctets = 512;

    /// <summary>The most octets of an AUTH line or an AUTH continuation line (a PLAIN response of long credentials).</summary>
    public const int MaxAuthLineOctets = 12_288;

    /// <summary>The command; <see cref="SmtpVerb.Unknown"/> for anything else (<c>502</c>).</summary>
    public SmtpVerb Verb { get; init; }

    /// <summary>What follows the verb and its spaces (for MAIL and RCPT, what follows the path).</summary>
    public ReadOnlySequence<byte> Argument { get; init; }

    /// <summary>The path of MAIL FROM or RCPT TO without its angle brackets or source route; empty for <c>&lt;&gt;</c>.</summary>
    public string? Address { get; init; }

    /// <summary>The <c>SIZE=</c> parameter of MAIL FROM, when given (RFC 1870).</summary>
    public long? Size { get; init; }

    /// <summary>
    /// Parses <paramref name="line"/> (without its CRLF). False for a known verb with a malformed
    /// argument (<c>501</c>); true with <see cref="SmtpVerb.Unknown"/> for an unknown verb.
    /// </summary>
    public static bool TryParse(ReadOnlySequence<byte> line, out SmtpCommand command)
    {
        Span<byte> head = stackalloc byte[10];
        var headLength = (int)Math.Min(head.Length, line.Length);
        line.Slice(0, headLength).CopyTo(head);
        var verbLength = head[..headLength].IndexOf((byte)' ');
        if (verbLength < 0)
        {
            verbLength = line.Length <= head.Length ? headLength : head.Length;
        }

        var verb = VerbOf(head[..verbLength]);
        var rest = line.Slice(Math.Min(verbLength, line.Length));
        command = new SmtpCommand { Verb = verb, Argument = TrimStart(rest) };
        if (verb == SmtpVerb.Unknown)
        {
            return true;
        }

        if (!rest.IsEmpty && rest.FirstSpan[0] != (byte)' ')
        {
            return false; // "DATAX", "MAILFROM:"
        }

        return verb switch
        {
            SmtpVerb.Mail => TryParsePath(command.Argument, "FROM:"u8, out command),
            SmtpVerb.Rcpt => TryParsePath(command.Argument, "TO:"u8, out command),
            SmtpVerb.Data or SmtpVerb.Rset or SmtpVerb.Quit or SmtpVerb.StartTls => command.Argument.IsEmpty,
            SmtpVerb.Helo or SmtpVerb.Ehlo or SmtpVerb.Auth or SmtpVerb.Proxy => !command.Argument.IsEmpty,
            _ => true,
        };
    }

    private static SmtpVerb VerbOf(ReadOnlySpan<byte> verb) => verb.Length switch
    {
        4 when Ascii.EqualsIgnoreCase(verb, "MAIL"u8) => SmtpVerb.Mail,
        4 when Ascii.EqualsIgnoreCase(verb, "RCPT"u8) => SmtpVerb.Rcpt,
        4 when Ascii.EqualsIgnoreCase(verb, "DATA"u8) => SmtpVerb.Data,
        4 when Ascii.EqualsIgnoreCase(verb, "EHLO"u8) => SmtpVerb.Ehlo,
        4 when Ascii.EqualsIgnoreCase(verb, "HELO"u8) => SmtpVerb.Helo,
        4 when Ascii.EqualsIgnoreCase(verb, "RSET"u8) => SmtpVerb.Rset,
        4 when Ascii.EqualsIgnoreCase(verb, "NOOP"u8) => SmtpVerb.Noop,
        4 when Ascii.EqualsIgnoreCase(verb, "QUIT"u8) => SmtpVerb.Quit,
        4 when Ascii.EqualsIgnoreCase(verb, "VRFY"u8) => SmtpVerb.Vrfy,
        4 when Ascii.EqualsIgnoreCase(verb, "AUTH"u8) => SmtpVerb.Auth,
        5 when verb.SequenceEqual("PROXY"u8) => SmtpVerb.Proxy,
        8 when Ascii.EqualsIgnoreCase(verb, "STARTTLS"u8) => SmtpVerb.StartTls,
        _ => SmtpVerb.Unknown,
    };

    private static ReadOnlySequence<byte> TrimStart(ReadOnlySequence<byte> text)
    {
        var reader = new SequenceReader<byte>(text);
        reader.AdvancePast((byte)' ');
        return reader.UnreadSequence;
    }

    // "FROM:<path> [SIZE=n] [other parameters]", the path as RFC 5321 has it, or bare (as Postfix also takes it).
    private static bool TryParsePath(ReadOnlySequence<byte> argument, ReadOnlySpan<byte> keyword, out SmtpCommand command)
    {
        var verb = keyword[0] == (byte)'F' ? SmtpVerb.Mail : SmtpVerb.Rcpt;
        command = new SmtpCommand { Verb = verb, Argument = argument };
        Span<byte> prefix = stackalloc byte[keyword.Length];
        if (argument.Length < keyword.Length)
        {
            return false;
        }

        argument.Slice(0, keyword.Length).CopyTo(prefix);
        if (!Ascii.EqualsIgnoreCase(prefix, keyword))
        {
            return false;
        }

        var reader = new SequenceReader<byte>(argument.Slice(keyword.Length));
        reader.AdvancePast((byte)' ');
        ReadOnlySequence<byte> path;
        if (reader.IsNext((byte)'<', advancePast: true))
        {
            if (!TryReadBracketedPath(ref reader, out path))
            {
                return false;
            }
        }
        else if (!reader.TryReadTo(out path, (byte)' ', advancePastDelimiter: true))
        {
            path = reader.UnreadSequence;
            reader.AdvanceToEnd();
        }

        // A source route (<@relay,@relay:user@domain>) is ignored, as RFC 5321 4.1.1.3 says servers should.
        var pathReader = new SequenceReader<byte>(path);
        if (pathReader.IsNext((byte)'@') && pathReader.TryAdvanceTo((byte)':'))
        {
            path = pathReader.UnreadSequence;
        }

        if (path.PositionOf((byte)'<') is not null || path.PositionOf((byte)'>') is not null || HasControl(path))
        {
            return false;
        }

        var parameters = reader.UnreadSequence;
        if (!TryReadSize(parameters, out var size))
        {
            return false;
        }

        command = new SmtpCommand { Verb = verb, Argument = TrimStart(parameters), Address = Encoding.UTF8.GetString(path), Size = size };
        return true;
    }

    // Up to the closing '>', a quoted local part's '>' skipped; the reader left past it and the spaces after.
    private static bool TryReadBracketedPath(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> path)
    {
        var start = reader.Position;
        var quoted = false;
        while (reader.TryRead(out var b))
        {
            if (b == (byte)'"')
            {
                quoted = !quoted;
            }
            else if (b == (byte)'\\' && quoted)
            {
                reader.Advance(Math.Min(1, reader.Remaining));
            }
            else if (b == (byte)'>' && !quoted)
            {
                path = reader.Sequence.Slice(start, reader.Sequence.GetPosition(reader.Consumed - 1));
                var afterPath = reader.UnreadSequence;
                if (!afterPath.IsEmpty && afterPath.FirstSpan[0] != (byte)' ')
                {
                    return false;
                }

                reader.AdvancePast((byte)' ');
                return true;
            }
        }

        path = default;
        return false;
    }

    private static bool HasControl(ReadOnlySequence<byte> text)
    {
        foreach (var segment in text)
        {
            foreach (var b in segment.Span)
            {
                if (b is < 0x21 or 0x7F)
                {
                    return true;
                }
            }
        }

        return false;
    }

    // SIZE=digits among space-separated parameters; any other parameter (BODY=8BITMIME, AUTH=<>) is ignored.
    private static bool TryReadSize(ReadOnlySequence<byte> parameters, out long? size)
    {
        size = null;
        var reader = new SequenceReader<byte>(parameters);
        Span<byte> name = stackalloc byte[5];
        Span<byte> value = stackalloc byte[19];
        while (!reader.End)
        {
            reader.AdvancePast((byte)' ');
            if (!reader.TryReadTo(out ReadOnlySequence<byte> parameter, (byte)' ', advancePastDelimiter: true))
            {
                parameter = reader.UnreadSequence;
                reader.AdvanceToEnd();
            }

            if (parameter.Length < name.Length)
            {
                continue;
            }

            parameter.Slice(0, name.Length).CopyTo(name);
            if (!Ascii.EqualsIgnoreCase(name, "SIZE="u8))
            {
                continue;
            }

            var digits = parameter.Slice(name.Length);
            if (digits.IsEmpty || digits.Length > value.Length)
            {
                return false;
            }

            digits.CopyTo(value);
            if (!Utf8Parser.TryParse(value[..(int)digits.Length], out long parsed, out var consumed) || consumed != digits.Length || parsed < 0)
            {
                return false;
            }

            size = parsed;
        }

        return true;
    }
}

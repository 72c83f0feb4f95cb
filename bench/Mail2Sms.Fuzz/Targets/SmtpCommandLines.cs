using System.Buffers;
using System.Text;
using Mail2Sms.Gateway.Smtp;

namespace Mail2Sms.Fuzz;

/// <summary>
/// The <c>smtp-command</c> target: one SMTP command line (without its CRLF, as a session hands it to
/// the parser) mutated from real client lines, fed to <see cref="Parse"/>.
/// </summary>
internal static class SmtpCommandLines
{
    /// <summary>
    /// The command-line parser under test: the gateway's own, the one <c>serve</c> runs. It answers the
    /// command, or null for a line it cannot read (the session then answers <c>501</c>); it must not throw for any line.
    /// </summary>
    public static object? Parse(byte[] line) => SmtpCommand.TryParse(new ReadOnlySequence<byte>(line), out var command) ? command : null;

    private static readonly byte[][] Seeds = [.. new[]
    {
        "EHLO mail.example.com", "HELO mail.example.com", "EHLO [127.0.0.1]", "EHLO [IPv6:2001:db8::1]",
        "MAIL FROM:<jane.citizen@example.com.au>", "MAIL FROM:<> SIZE=1024 BODY=8BITMIME", "MAIL FROM:<jane@example.com> AUTH=<>",
        "MAIL FROM:<@relay.example,@other.example:jane@example.com>", "MAIL FROM:<\"jane citizen\"@example.com> SMTPUTF8",
        "RCPT TO:<61412345678@mail.completesms.net>", "RCPT TO:<postmaster>", "RCPT TO:<bulksms@mail.completesms.net> NOTIFY=NEVER",
        "RCPT TO:<jane@[192.168.0.1]>", "DATA", "RSET", "NOOP", "QUIT", "STARTTLS", "VRFY jane", "HELP",
        "AUTH PLAIN AGphbmVAZXhhbXBsZS5jb20Ac2VjcmV0", "AUTH LOGIN", "AUTH LOGIN amFuZUBleGFtcGxlLmNvbQ==", "AUTH CRAM-MD5",
        "PROXY TCP4 192.168.0.1 192.168.0.11 56324 25", "PROXY TCP6 2001:db8::1 2001:db8::2 56324 25", "PROXY UNKNOWN",
        "BDAT 100 LAST",
    }.Select(Encoding.ASCII.GetBytes)];

    private static readonly byte[][] Tokens = [.. new[]
    {
        "<", ">", "<>", "@", ":", " ", "  ", ",", ".", "\"", "\\", "[", "]", "=", "SIZE=", "BODY=8BITMIME", "AUTH=", "MAIL FROM:", "RCPT TO:",
        "EHLO ", "AUTH ", "PLAIN ", "PROXY ", "TCP4 ", "TCP6 ", "IPv6:", "::", "255.255.255.255", "99999", "-1", "=?utf-8?B?", "\r\n", "\r", "\n",
        "\0", "\t", "é", "日本", "\uFFFD", "+/=", "AAAA",
    }.Select(Encoding.UTF8.GetBytes)];

    /// <summary>The target, with <see cref="Parse"/> as its entry point.</summary>
    public static FuzzTarget Target() => new("smtp-command", Generate, line => Parse(line));

    private static byte[] Generate(Random random)
    {
        var seed = Seeds[random.Next(Seeds.Length)];
        if (random.Next(10) != 0)
        {
            return Mutations.Havoc(random, seed, Seeds, Tokens);
        }

        // An endless command line: a verb and a run far past RFC 5321's 512 octets.
        var verb = seed.AsSpan(0, Math.Max(1, Array.IndexOf(seed, (byte)' ') + 1)).ToArray();
        return [.. verb, .. Mutations.Run(random, Tokens[random.Next(Tokens.Length)])];
    }
}

using System.Text.RegularExpressions;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Mail;

namespace Mail2Sms.Core.Formats;

/// <summary>Whether the body begins with a <c>[SENDER]</c> block.</summary>
public enum SenderBlockState
{
    /// <summary>The body does not begin with <c>[SENDER]</c>.</summary>
    None,
    /// <summary>A block of one <c>ID</c> then one <c>PW</c>.</summary>
    Valid,
    /// <summary>A block that does not have that shape.</summary>
    Malformed,
}

/// <summary>
/// The <c>[SENDER]</c> block at the start of a body: an account ID and a user's password. The
/// password never appears in <see cref="ToString"/>, so it cannot reach a log.
/// </summary>
/// <param name="AccountId">The <c>ID=</c> value.</param>
/// <param name="Password">The <c>PW=</c> value: everything after the first <c>=</c>, trimmed.</param>
public sealed partial record SenderBlock(string AccountId, string Password)
{
    /// <summary>The text every report and log shows in place of a password.</summary>
    public const string Mask = "********";

    /// <inheritdoc />
    public override string ToString() => $"[SENDER] ID={AccountId} PW={Mask}";

    /// <summary>
    /// Reads the block from the first non-blank lines of <paramref name="lines"/>. Keys and the
    /// heading are case-insensitive, lines may be indented, spaces around <c>=</c> are allowed; the
    /// block ends after its <c>PW</c> line, and the blank lines after it are not part of the text.
    /// </summary>
    public static SenderBlockReading Read(string[] lines)
    {
        var i = SkipBlank(lines, 0);
        if (i == lines.Length || !IsHeading(lines[i]))
        {
            return new SenderBlockReading(SenderBlockState.None, null, null, lines);
        }

        string? id = null;
        for (i++; i < lines.Length; i++)
        {
            if (BodyLines.IsBlank(lines[i]))
            {
                continue;
            }

            var (key, value) = SplitKey(lines[i]);
            switch (key)
            {
                case "ID" when id is null && value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c == '='):
                    id = value;
                    break;
                case "ID" when id is null && value.Length > 0:
                    return Malformed(lines, "its ID= holds spaces or '=': put ID= and PW= on lines of their own");
                case "ID" when id is not null:
                    return Malformed(lines, "it holds ID= twice");
                case "PW" when id is null:
                    return Malformed(lines, KeyOfNext(lines, i + 1) == "ID" ? "PW= comes before ID=" : "ID= is missing");
                case "PW" when value.Length > 0:
                    var next = SkipBlank(lines, i + 1);
                    // A second key line would be sent as message text, and it may hold a password.
                    return KeyOfNext(lines, i + 1) switch
                    {
                        "PW" => Malformed(lines, "it holds PW= twice"),
                        "ID" => Malformed(lines, "it holds ID= twice"),
                        _ => new SenderBlockReading(SenderBlockState.Valid, new SenderBlock(id, value), null, lines[next..]),
                    };
                case "ID" or "PW":
                    return Malformed(lines, $"its {key}= is empty");
                default:
                    return Malformed(lines, id is null ? "ID= is missing" : "PW= is missing");
            }
        }

        return Malformed(lines, id is null ? "ID= is missing" : "PW= is missing");
    }

    /// <summary>True when the line is the <c>[SENDER]</c> heading.</summary>
    public static bool IsHeading(string line) => line.Trim().Equals("[SENDER]", StringComparison.OrdinalIgnoreCase);

    // Blanks before PW= stay on its line ([^\S\n]): ^\s* ran on over every following line break, so a body of
    // 250,000 empty lines took 10 s of CPU (found by the fuzzer).
    [GeneratedRegex(@"\[\s*SENDER\s*\]|^[^\S\n]*PW\s*=", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex SenderLine();

    /// <summary>
    /// True when <paramref name="text"/> holds a <c>[SENDER]</c> heading (however spaced) or a line
    /// that begins <c>PW=</c>: text that would carry a password into an SMS.
    /// </summary>
    public static bool Mentions(string text) => SenderLine().IsMatch(text);

    private static (string Key, string Value) SplitKey(string line)
    {
        var equals = line.IndexOf('=', StringComparison.Ordinal);
        return equals < 0
            ? (string.Empty, string.Empty)
            : (line[..equals].Trim().ToUpperInvariant(), line[(equals + 1)..].Trim());
    }

    private static string KeyOfNext(string[] lines, int from)
    {
        var next = SkipBlank(lines, from);
        return next < lines.Length ? SplitKey(lines[next]).Key : string.Empty;
    }

    private static int SkipBlank(string[] lines, int from)
    {
        while (from < lines.Length && BodyLines.IsBlank(lines[from]))
        {
            from++;
        }

        return from;
    }

    private static SenderBlockReading Malformed(string[] lines, string what) => new(
        SenderBlockState.Malformed,
        null,
        Reasons.Create(ReasonCode.SenderBlockMalformed,
            $"The [SENDER] block must be the first lines of the body: [SENDER], then ID=<Account ID>, then PW=<Password>, then a blank line; this one is not, because {what}."),
        lines);
}

/// <summary>What reading the start of a body found.</summary>
/// <param name="State">Whether a block is there, and its shape.</param>
/// <param name="Block">The block, when valid.</param>
/// <param name="Failure">Why a malformed block is refused.</param>
/// <param name="Rest">The body lines after the block and its blank lines (the whole body when there is no valid block).</param>
public sealed record SenderBlockReading(SenderBlockState State, SenderBlock? Block, Reason? Failure, string[] Rest);

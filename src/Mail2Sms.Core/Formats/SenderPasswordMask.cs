using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Mail2Sms.Core.Mail;
using MimeKit;
using MimeKit.Tnef;

namespace Mail2Sms.Core.Formats;

/// <summary>
/// Masks the password of a <c>[SENDER]</c> block wherever a copy of an email is kept or forwarded (FORMATS.md: "a stored
/// copy of an email has it masked"). Every <c>PW=</c> value (any case, indented, spaces around <c>=</c>, also after other
/// text on its line) becomes <see cref="SenderBlock.Mask"/>, in every text/plain, text/html and text/rtf part whatever its
/// transfer encoding and charset, in attached emails, and in Outlook's <c>winmail.dat</c> (replaced by what it holds).
/// A part still holding an unmasked <c>PW=</c> line afterwards (RTF, HTML too odd to follow) is replaced by a notice.
/// </summary>
public static partial class SenderPasswordMask
{
    /// <summary>What a part that could not be masked is replaced by.</summary>
    public const string Notice = "[This part of the email held a [SENDER] password and was removed from this copy.]";

    static SenderPasswordMask()
    {
        // Windows-1252 parts (Outlook) are read and written again in their own charset.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    // A PW key at the start of a line or after white space, its '=' and the spaces after it; the value runs to the line's end.
    [GeneratedRegex(@"(?<=^|\s)(?<key>PW[^\S\r\n]*=[^\S\r\n]*)(?<value>[^\r\n]*)", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordLine();

    // A comment (Outlook's conditional ones hold '>') or a tag.
    [GeneratedRegex(@"<!--.*?-->|<[^>]*>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex HtmlMarkup();

    [GeneratedRegex(@"^</?\s*(?<name>[a-zA-Z][a-zA-Z0-9]*)", RegexOptions.CultureInvariant)]
    private static partial Regex TagName();

    /// <summary>Plain text with every <c>PW=</c> value masked.</summary>
    public static string MaskText(string text) =>
        PasswordLine().Replace(text, m => IsMasked(m.Groups["value"].Value) ? m.Value : m.Groups["key"].Value + SenderBlock.Mask);

    /// <summary>True when <paramref name="text"/> holds a <c>PW=</c> value that is not masked.</summary>
    public static bool HoldsPassword(string text) => PasswordLine().Matches(text).Any(m => !IsMasked(m.Groups["value"].Value));

    /// <summary>
    /// HTML with every <c>PW=</c> value masked, as a reader sees the text: a line ends at a block element or
    /// <c>&lt;br&gt;</c>, so a value split over several elements (<c>&lt;b&gt;PW&lt;/b&gt;=&lt;span&gt;...</c>) is masked whole.
    /// </summary>
    public static string MaskHtml(string html)
    {
        // The HTML as runs of markup and of text; the text runs of each line are read together.
        var runs = new List<(string Source, bool IsText)>();
        var at = 0;
        foreach (Match markup in HtmlMarkup().Matches(html))
        {
            if (markup.Index > at)
            {
                runs.Add((html[at..markup.Index], true));
            }

            runs.Add((markup.Value, false));
            at = markup.Index + markup.Length;
        }

        if (at < html.Length)
        {
            runs.Add((html[at..], true));
        }

        var line = new List<int>();
        for (var i = 0; i <= runs.Count; i++)
        {
            if (i == runs.Count || (!runs[i].IsText && EndsLine(runs[i].Source)))
            {
                MaskLine(runs, line);
                line.Clear();
            }
            else if (runs[i].IsText)
            {
                line.Add(i);
            }
        }

        return string.Concat(runs.Select(r => r.Source));
    }

    /// <summary>A copy of <paramref name="message"/> whose <c>[SENDER]</c> passwords are masked; the message itself is left as it is.</summary>
    public static MimeMessage MaskedCopy(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var stream = new MemoryStream();
        message.WriteTo(FormatOptions.Default, stream);
        stream.Position = 0;
        var copy = MimeMessage.Load(stream);
        copy.Body = Masked(copy.Body);
        return copy;
    }

    private static MimeEntity? Masked(MimeEntity? entity)
    {
        switch (entity)
        {
            case TnefPart tnef:
                // Outlook's rich text cannot be masked in place: what it holds (renderings, attachments) takes its place.
                return Masked(tnef.ConvertToMessage().Body);
            case Multipart multipart:
                for (var i = 0; i < multipart.Count; i++)
                {
                    multipart[i] = Masked(multipart[i])!;
                }

                return multipart;
            case MessagePart { Message: { } attached }:
                attached.Body = Masked(attached.Body);
                return entity;
            case TextPart text when text.IsPlain || text.IsHtml || text.IsRichText:
                var source = text.GetText(out var encoding);
                var masked = text.IsHtml ? MaskHtml(source) : text.IsPlain ? MaskText(source) : source;
                var readable = text.IsHtml ? HtmlToPlainText.Convert(masked) : text.IsRichText ? RtfToPlainText.Convert(masked) : masked;
                text.SetText(encoding, HoldsPassword(readable) ? Notice : masked);
                return text;
            default:
                return entity;
        }
    }

    private static void MaskLine(List<(string Source, bool IsText)> runs, List<int> line)
    {
        if (line.Count == 0)
        {
            return;
        }

        // The line's text as a reader sees it, white space as one line (a raw line break in HTML is a space).
        var decoded = line.Select(i => WebUtility.HtmlDecode(runs[i].Source)).ToList();
        var text = string.Concat(decoded).Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ');
        var match = PasswordLine().Match(text);
        if (!match.Success || IsMasked(match.Groups["value"].Value))
        {
            return;
        }

        // The value is the rest of the line: the run it starts in keeps what comes before it, the runs after it go.
        var start = match.Groups["value"].Index;
        var offset = 0;
        var placed = false;
        for (var k = 0; k < line.Count; k++)
        {
            var end = offset + decoded[k].Length;
            if (end > start)
            {
                runs[line[k]] = (placed ? string.Empty : WebUtility.HtmlEncode(decoded[k][..Math.Max(0, start - offset)]) + SenderBlock.Mask, true);
                placed = true;
            }

            offset = end;
        }
    }

    private static bool EndsLine(string markup) =>
        TagName().Match(markup) is { Success: true } tag && HtmlToPlainText.EndsLine(tag.Groups["name"].Value);

    private static bool IsMasked(string value) => value.Trim() is "" or SenderBlock.Mask;
}

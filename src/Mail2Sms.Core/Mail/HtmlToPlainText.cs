using System.Text;
using MimeKit.Text;

namespace Mail2Sms.Core.Mail;

/// <summary>
/// Turns the HTML that Outlook, Gmail and phones send into the text a person reads: block elements
/// and <c>&lt;br&gt;</c> end a line (so <c>&lt;div&gt;&lt;br&gt;&lt;/div&gt;</c> is a blank line), white space
/// collapses as a browser collapses it, entities are decoded, and <c>head</c>, <c>style</c> and
/// <c>script</c> say nothing. Built on MimeKit's HTML tokenizer.
/// </summary>
public static class HtmlToPlainText
{
    /// <summary>Converts <paramref name="html"/> to plain text with LF line ends and no line end after the last line.</summary>
    public static string Convert(string html)
    {
        using var reader = new StringReader(html);
        var tokenizer = new HtmlTokenizer(reader) { DecodeCharacterReferences = true };
        var writer = new LineWriter();
        var silent = 0;
        var inHead = false;
        var preformatted = 0;
        var startOfPre = false;
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                // </head> is optional in HTML: <body> ends the head too, or the whole body would be lost.
                case HtmlTagToken tag when tag.Id == HtmlTagId.Head:
                    inHead = !tag.IsEndTag && !tag.IsEmptyElement;
                    break;
                case HtmlTagToken { Id: HtmlTagId.Body, IsEndTag: false } tag:
                    inHead = false;
                    Apply(tag, writer);
                    break;
                case HtmlTagToken tag when IsSilent(tag.Id):
                    if (!tag.IsEmptyElement)
                    {
                        silent = Math.Max(0, silent + (tag.IsEndTag ? -1 : 1));
                    }

                    break;
                case HtmlTagToken tag when silent == 0 && !inHead:
                    startOfPre = tag.Id == HtmlTagId.Pre && !tag.IsEndTag && !tag.IsEmptyElement;
                    if (tag.Id == HtmlTagId.Pre && !tag.IsEmptyElement)
                    {
                        preformatted = Math.Max(0, preformatted + (tag.IsEndTag ? -1 : 1));
                    }

                    Apply(tag, writer);
                    break;
                case HtmlDataToken data when silent == 0 && !inHead && data.Kind == HtmlTokenKind.Data:
                    var text = data.Data;
                    if (startOfPre)
                    {
                        // A browser drops the line break that directly follows <pre>.
                        text = text.StartsWith("\r\n", StringComparison.Ordinal) ? text[2..] : text.StartsWith('\n') ? text[1..] : text;
                        startOfPre = false;
                    }

                    writer.Write(text, preformatted > 0);
                    break;
            }
        }

        return writer.ToString();
    }

    /// <summary>True when an element of this name ends a line of text: <c>br</c> and the block elements.</summary>
    internal static bool EndsLine(string tagName) =>
        tagName.Equals("br", StringComparison.OrdinalIgnoreCase) || BlockElements.Contains(tagName);

    private static bool IsSilent(HtmlTagId id) =>
        id is HtmlTagId.Style or HtmlTagId.Script or HtmlTagId.Title or HtmlTagId.NoScript;

    private static void Apply(HtmlTagToken tag, LineWriter writer)
    {
        switch (tag.Id)
        {
            case HtmlTagId.Br when !tag.IsEndTag:
                writer.EndLine();
                break;
            case HtmlTagId.TD or HtmlTagId.TH when tag.IsEndTag:
                writer.Space();
                break;
            default:
                if (BlockElements.Contains(tag.Name))
                {
                    writer.EndLineIfStarted();
                }

                break;
        }
    }

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "dt", "dd",
        "blockquote", "pre", "address", "hr", "form", "center", "body", "html", "section", "article",
        "header", "footer", "nav", "aside", "main", "figure", "figcaption", "fieldset", "caption",
    };

    /// <summary>Collects text line by line, collapsing white space the way a browser does.</summary>
    private sealed class LineWriter
    {
        private readonly StringBuilder _text = new();
        private readonly StringBuilder _line = new();
        private bool _pendingSpace;

        public void Write(string data, bool preformatted)
        {
            if (preformatted)
            {
                var lines = data.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
                for (var i = 0; i < lines.Length; i++)
                {
                    if (i > 0)
                    {
                        EndLine();
                    }

                    _line.Append(lines[i]);
                }

                return;
            }

            foreach (var c in data)
            {
                // A non-breaking space is content (Outlook's empty paragraphs hold one); other white space collapses.
                if (c is ' ' or '\t' or '\r' or '\n' or '\f')
                {
                    _pendingSpace = _line.Length > 0;
                }
                else
                {
                    if (_pendingSpace)
                    {
                        _line.Append(' ');
                        _pendingSpace = false;
                    }

                    _line.Append(c);
                }
            }
        }

        public void Space() => _pendingSpace = _line.Length > 0;

        public void EndLine()
        {
            // "-- <br>" is the signature separator; its space is the one white space that matters at a line's end.
            if (_pendingSpace && _line is ['-', '-'])
            {
                _line.Append(' ');
            }

            _text.Append(_line).Append('\n');
            _line.Clear();
            _pendingSpace = false;
        }

        public void EndLineIfStarted()
        {
            if (_line.Length > 0)
            {
                EndLine();
            }
        }

        /// <summary>The text, without the line ends after its last line (as a person would copy it).</summary>
        public override string ToString()
        {
            EndLineIfStarted();
            return _text.ToString().TrimEnd('\n');
        }
    }
}

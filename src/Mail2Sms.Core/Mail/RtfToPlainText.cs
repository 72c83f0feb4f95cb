using System.Globalization;
using System.Text;

namespace Mail2Sms.Core.Mail;

/// <summary>
/// Turns the RTF body of an Outlook rich-text email (the compressed RTF inside <c>winmail.dat</c>) into
/// plain text: paragraphs and line breaks end lines, <c>\'hh</c> bytes are read in the document's code
/// page, <c>\uN</c> characters are kept, and tables, fonts, pictures and other destinations say nothing.
/// RTF that encapsulates HTML (<c>\fromhtml1</c>) reads the same way, its RTF-only runs skipped.
/// </summary>
public static class RtfToPlainText
{
    private static readonly HashSet<string> SilentDestinations = new(StringComparer.Ordinal)
    {
        "fonttbl", "colortbl", "stylesheet", "info", "pict", "header", "footer", "headerl", "headerr", "footerl",
        "footerr", "object", "themedata", "datastore", "latentstyles", "listtable", "listoverridetable", "rsidtbl",
        "generator", "xmlnstbl", "mmathPr", "fldinst", "filetbl", "revtbl", "pgdsctbl", "colorschememapping",
    };

    private sealed class Group
    {
        public bool Silent { get; init; }
        public int SkipAfterUnicode { get; set; } = 1;
    }

    /// <summary>Converts <paramref name="rtf"/> to plain text with LF line ends.</summary>
    public static string Convert(string rtf)
    {
        var text = new StringBuilder(rtf.Length / 2);
        var bytes = new List<byte>();
        var codePage = Encoding.Latin1;
        var groups = new Stack<Group>();
        var group = new Group();
        var htmlRtfOnly = false;
        var skip = 0;

        void FlushBytes()
        {
            if (bytes.Count > 0)
            {
                text.Append(codePage.GetString(bytes.ToArray()));
                bytes.Clear();
            }
        }

        void Emit(string s)
        {
            if (skip > 0)
            {
                skip--;
                return;
            }

            if (!group.Silent && !htmlRtfOnly)
            {
                FlushBytes();
                text.Append(s);
            }
        }

        for (var i = 0; i < rtf.Length; i++)
        {
            var c = rtf[i];
            switch (c)
            {
                case '{':
                    groups.Push(group);
                    group = new Group { Silent = group.Silent, SkipAfterUnicode = group.SkipAfterUnicode };
                    break;
                case '}':
                    FlushBytes();
                    group = groups.Count > 0 ? groups.Pop() : new Group();
                    break;
                case '\\':
                    i = ReadControl(rtf, i + 1, out var word, out var parameter) - 1;
                    switch (word)
                    {
                        case "*":
                            group = new Group { Silent = true, SkipAfterUnicode = group.SkipAfterUnicode };
                            break;
                        case "'" when parameter is { } hex:
                            if (skip > 0)
                            {
                                skip--;
                            }
                            else if (!group.Silent && !htmlRtfOnly)
                            {
                                bytes.Add((byte)hex);
                            }

                            break;
                        case "par" or "line" or "sect" or "page" or "row":
                            Emit("\n");
                            break;
                        case "tab" or "cell":
                            Emit("\t");
                            break;
                        case "~":
                            Emit("\u00A0");
                            break;
                        case "_":
                            Emit("-");
                            break;
                        case "\\" or "{" or "}":
                            Emit(word);
                            break;
                        case "u" when parameter is { } code:
                            Emit(((char)(code < 0 ? code + 65536 : code)).ToString());
                            skip = group.SkipAfterUnicode;
                            break;
                        case "uc" when parameter is { } count:
                            group.SkipAfterUnicode = count;
                            break;
                        case "ansicpg" when parameter is { } page:
                            codePage = CodePage(page);
                            break;
                        case "htmlrtf":
                            htmlRtfOnly = parameter != 0;
                            break;
                        default:
                            if (SilentDestinations.Contains(word))
                            {
                                group = new Group { Silent = true, SkipAfterUnicode = group.SkipAfterUnicode };
                            }

                            break;
                    }

                    break;
                case '\r' or '\n':
                    break;
                default:
                    Emit(c.ToString());
                    break;
            }
        }

        FlushBytes();
        return text.ToString();
    }

    // Reads a control word (letters, an optional signed number, one optional space) or a control symbol.
    private static int ReadControl(string rtf, int i, out string word, out int? parameter)
    {
        parameter = null;
        if (i >= rtf.Length)
        {
            word = string.Empty;
            return i;
        }

        if (rtf[i] == '\'' && i + 2 < rtf.Length
            && int.TryParse(rtf.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
        {
            word = "'";
            parameter = hex;
            return i + 3;
        }

        if (!char.IsAsciiLetter(rtf[i]))
        {
            word = rtf[i] is '\r' or '\n' ? "par" : rtf[i].ToString();
            return i + 1;
        }

        var start = i;
        while (i < rtf.Length && char.IsAsciiLetter(rtf[i]))
        {
            i++;
        }

        word = rtf[start..i];
        var numberStart = i;
        if (i < rtf.Length && rtf[i] == '-')
        {
            i++;
        }

        while (i < rtf.Length && char.IsAsciiDigit(rtf[i]))
        {
            i++;
        }

        if (i > numberStart && int.TryParse(rtf.AsSpan(numberStart, i - numberStart), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            parameter = number;
        }

        return i < rtf.Length && rtf[i] == ' ' ? i + 1 : i;
    }

    private static Encoding CodePage(int page)
    {
        try
        {
            return Encoding.GetEncoding(page);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return Encoding.Latin1;
        }
    }
}

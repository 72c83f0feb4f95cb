using System.Text.RegularExpressions;

namespace Mail2Sms.Core.Mail;

/// <summary>
/// Line-level rules for a body: what counts as blank, where the signature starts, and where the
/// quoted history of a reply starts.
/// </summary>
public static partial class BodyLines
{
    /// <summary>Splits LF text into lines.</summary>
    public static string[] Split(string text) => text.Split('\n');

    /// <summary>
    /// Text that shows nothing: white space (Outlook's <c>&amp;nbsp;</c> paragraphs included) and the
    /// invisible characters an SMS drops (zero-width spaces and joiners, soft hyphens). The one test of
    /// "blank" for lines and for messages alike.
    /// </summary>
    public static bool IsBlank(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c) && !Text.LookAlikes.IsInvisible(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A multi-line message: lines trimmed at both ends, leading and trailing blank lines dropped, joined with LF.</summary>
    public static string JoinLines(IEnumerable<string> lines)
    {
        var trimmed = lines.Select(l => l.Trim()).ToList();
        var start = trimmed.FindIndex(l => l.Length > 0);
        if (start < 0)
        {
            return string.Empty;
        }

        var end = trimmed.FindLastIndex(l => l.Length > 0);
        return string.Join('\n', trimmed.GetRange(start, end - start + 1));
    }

    /// <summary>
    /// The lines before the standard signature separator: <c>-- </c>, dash dash and one space (a
    /// non-breaking one in HTML mail). A bare <c>--</c> is text, as RFC 3676 has it.
    /// </summary>
    public static ArraySegment<string> WithoutSignature(ArraySegment<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] is "-- " or "--\u00A0")
            {
                return lines[..i];
            }
        }

        return lines;
    }

    [GeneratedRegex(@"^\s*On\s.*\b(wrote|writes)\s*:\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReplyHeader();

    [GeneratedRegex(@"^\s*On\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReplyHeaderStart();

    [GeneratedRegex(@"^.*\b(wrote|writes)\s*:\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReplyHeaderEnd();

    [GeneratedRegex(@"^\s*-{2,}\s*(Original Message|Forwarded message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OriginalMessage();

    [GeneratedRegex(@"^\s*\*?(From|Von|De)\s*:\*?\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OutlookFrom();

    [GeneratedRegex(@"^\s*\*?(Sent|Date|Gesendet|Envoyé)\s*:\*?\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OutlookSent();

    [GeneratedRegex(@"^\s*\*?(Subject|Betreff|Objet)\s*:\*?(\s|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OutlookSubject();

    [GeneratedRegex(@"^\s*(Begin forwarded message:|_{10,})\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForwardMarker();

    /// <summary>
    /// The new text of a reply: lines starting with <c>&gt;</c> dropped, and everything from a reply
    /// header on (<c>On ... wrote:</c>, over one or two lines; <c>-----Original Message-----</c>;
    /// Outlook's <c>From:</c> / <c>Sent:</c> / <c>Subject:</c> block; Outlook's underscore rule) dropped.
    /// </summary>
    public static List<string> WithoutQuotedHistory(IEnumerable<string> lines)
    {
        var all = lines as IReadOnlyList<string> ?? lines.ToList();
        var kept = new List<string>(all.Count);
        for (var i = 0; i < all.Count; i++)
        {
            if (StartsHistory(all, i))
            {
                break;
            }

            if (!all[i].TrimStart().StartsWith('>'))
            {
                kept.Add(all[i]);
            }
        }

        return kept;
    }

    private static bool StartsHistory(IReadOnlyList<string> lines, int i)
    {
        var line = lines[i];
        if (ReplyHeader().IsMatch(line) || OriginalMessage().IsMatch(line) || ForwardMarker().IsMatch(line))
        {
            return true;
        }

        // Gmail and Apple Mail wrap a long "On <date>, <name> <address> wrote:" over two lines.
        if (ReplyHeaderStart().IsMatch(line) && i + 1 < lines.Count && ReplyHeaderEnd().IsMatch(lines[i + 1]))
        {
            return true;
        }

        // Outlook's block is From:, Sent: (Date: on a Mac), To:, Cc:, Subject:. Asking for the Subject: line too
        // keeps an alert whose own text says "From: backup01" and "Date: ..." from being cut away.
        if (OutlookFrom().IsMatch(line))
        {
            var sent = false;
            var subject = false;
            for (var j = i + 1; j < Math.Min(lines.Count, i + 7); j++)
            {
                sent |= OutlookSent().IsMatch(lines[j]);
                subject |= OutlookSubject().IsMatch(lines[j]);
            }

            return sent && subject;
        }

        return false;
    }
}

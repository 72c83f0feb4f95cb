using System.Text;
using Mail2Sms.Smpp;

namespace Mail2Sms.Core.Text;

/// <summary>
/// Replaces the characters that Outlook, Word and phone keyboards put in place of plain ones
/// (curly quotes, dashes, the ellipsis, non-breaking and zero-width spaces) by their GSM
/// equivalents, so that a message stays in the 7-bit alphabet where it can; and drops the control
/// characters no phone shows (NUL, CR, DEL, the C1 block), keeping LF, the line break formats 2-4 keep,
/// and form feed, which GSM 03.38 carries as an extension character.
/// </summary>
public static class LookAlikes
{
    /// <summary>The replacement of <paramref name="c"/>: a string of GSM characters, empty to drop it, or null to keep it.</summary>
    public static string? ReplacementOf(char c) => c switch
    {
        '\u2018' or '\u2019' or '\u201A' or '\u201B' or '\u2032' or '\u00B4' or '\u02BC' => "'",
        '\u201C' or '\u201D' or '\u201E' or '\u201F' or '\u2033' or '\u00AB' or '\u00BB' => "\"",
        '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' => "-",
        '\u2026' => "...",
        '\t' or '\u00A0' or '\u1680' or (>= '\u2000' and <= '\u200A') or '\u202F' or '\u205F' or '\u3000' => " ",
        '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD' => string.Empty,
        (< ' ' and not '\n' and not '\f') or (>= '\u007F' and <= '\u009F') => string.Empty,
        _ => null,
    };

    /// <summary>True for the characters that show nothing and travel as nothing (zero-width ones, the soft hyphen, control characters).</summary>
    public static bool IsInvisible(char c) => ReplacementOf(c) is { Length: 0 };

    /// <summary>
    /// Returns <paramref name="text"/> with every look-alike replaced; the same instance when there is none.
    /// A zero-width joiner or non-joiner between two characters that stay outside GSM (an emoji
    /// sequence such as a family, a Persian or Indic word) is kept: the text is UCS-2 anyway, and
    /// dropping it would change what the recipient sees.
    /// </summary>
    public static string Replace(string text)
    {
        var first = IndexOfLookAlike(text);
        if (first < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        result.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var replacement = IsJoinerInsideNonGsmText(text, i) ? null : ReplacementOf(text[i]);
            if (replacement is null)
            {
                result.Append(text[i]);
            }
            else
            {
                result.Append(replacement);
            }
        }

        return result.ToString();
    }

    private static int IndexOfLookAlike(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (ReplacementOf(text[i]) is not null && !IsJoinerInsideNonGsmText(text, i))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsJoinerInsideNonGsmText(string text, int index) =>
        text[index] is '\u200C' or '\u200D'
        && index > 0 && index + 1 < text.Length
        && StaysOutsideGsm(text[index - 1]) && StaysOutsideGsm(text[index + 1]);

    private static bool StaysOutsideGsm(char c) => ReplacementOf(c) is null && GsmAlphabet.SeptetsOf(c) == 0;
}

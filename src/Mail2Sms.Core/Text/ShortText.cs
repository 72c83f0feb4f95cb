namespace Mail2Sms.Core.Text;

/// <summary>
/// Cuts a value a sender wrote to a length that a report line, a stored column or a page can hold,
/// marking the cut with an ellipsis, so that no single field makes a report or a page grow with it.
/// </summary>
public static class ShortText
{
    /// <summary>The longest subject kept: RFC 5322's line limit of 998 characters, the most a conforming header line holds.</summary>
    public const int MaxSubject = 998;

    /// <summary>The longest name or number kept as written in a report's "where" (<c>[2] Name=…</c>, <c>line 4, number …</c>).</summary>
    public const int MaxWritten = 64;

    /// <summary>
    /// <paramref name="text"/> when it has at most <paramref name="maxCharacters"/> UTF-16 units, else its
    /// beginning and <c>…</c>, <paramref name="maxCharacters"/> units in all, never splitting a surrogate pair.
    /// </summary>
    public static string Cut(string text, int maxCharacters)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCharacters, 1);
        if (text.Length <= maxCharacters)
        {
            return text;
        }

        var keep = maxCharacters - 1;
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), "\u2026");
    }
}

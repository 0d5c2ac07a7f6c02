using System.Globalization;

namespace Newsletter.Digests;

/// <summary>
/// Shortens text for a subject line or an excerpt: on a word where there is one, else between two user-perceived
/// characters (never inside a surrogate pair, an emoji sequence or a letter with its accents), with an ellipsis.
/// Titles come from listings nobody checks: a long word, a run of CJK text or a string of emoji must shorten too.
/// </summary>
public static class ShortText
{
    public const string Ellipsis = "…";

    /// <summary><paramref name="text"/> itself when it has at most <paramref name="maxLength"/> UTF-16 units, else a prefix plus "…" of at most that many.</summary>
    public static string Cut(string text, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, Ellipsis.Length + 1);
        if (text.Length <= maxLength)
        {
            return text;
        }
        var end = BoundaryAtOrBefore(text, maxLength - Ellipsis.Length);
        // a word boundary if one falls in the second half of the room; a cut mid-word only when there is none, or when
        // all before it is space
        var space = LastWhiteSpace(text, end);
        var kept = space > end / 2 ? TrimmedEnd(text, space) : 0;
        if (kept == 0)
        {
            kept = TrimmedEnd(text, end);
        }
        return text[..kept] + Ellipsis;
    }

    /// <summary>
    /// Where <paramref name="text"/> cut at <paramref name="end"/> ends once its trailing whitespace is gone, on a
    /// boundary: a space is not always one (after U+0600 it belongs to the character before), and a prefix that
    /// ends in spaces would put them before the ellipsis.
    /// </summary>
    private static int TrimmedEnd(string text, int end)
    {
        while (true)
        {
            var trimmed = text.AsSpan(0, end).TrimEnd().Length;
            var boundary = BoundaryAtOrBefore(text, trimmed);
            if (boundary == trimmed)
            {
                return trimmed;
            }
            end = boundary;
        }
    }

    /// <summary>The last boundary between user-perceived characters at or before <paramref name="at"/> (0 at worst).</summary>
    public static int BoundaryAtOrBefore(string text, int at)
    {
        if (at >= text.Length)
        {
            return text.Length;
        }
        var boundary = KnownBoundaryAtOrBefore(text, at);
        while (boundary < text.Length)
        {
            var next = boundary + StringInfo.GetNextTextElementLength(text, boundary);
            if (next > at)
            {
                break;
            }
            boundary = next;
        }
        return boundary;
    }

    /// <summary>The first boundary between user-perceived characters at or after <paramref name="at"/> (the length at worst).</summary>
    public static int BoundaryAtOrAfter(string text, int at)
    {
        if (at <= 0)
        {
            return 0;
        }
        var before = BoundaryAtOrBefore(text, at);
        return before == at || before >= text.Length ? before : before + StringInfo.GetNextTextElementLength(text, before);
    }

    /// <summary>
    /// A boundary at or before <paramref name="at"/> known without walking from the start: there is one between any two
    /// printable ASCII characters (none of them extends, joins or prepends). Walking every abstract from its first
    /// character made each excerpt cost as much as the whole abstract.
    /// </summary>
    private static int KnownBoundaryAtOrBefore(string text, int at)
    {
        for (var i = at; i > 0; i--)
        {
            if (text[i] is >= ' ' and <= '~' && text[i - 1] is >= ' ' and <= '~')
            {
                return i;
            }
        }
        return 0;
    }

    private static int LastWhiteSpace(string text, int before)
    {
        for (var i = Math.Min(before, text.Length - 1); i > 0; i--)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                return i;
            }
        }
        return -1;
    }
}

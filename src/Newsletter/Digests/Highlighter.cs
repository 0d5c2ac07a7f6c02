using Newsletter.Matching;
using System.Net;
using System.Text;

namespace Newsletter.Digests;

/// <summary>Escapes text for HTML and wraps matched spans in &lt;mark&gt;: escaping first, then marking, so nothing from a paper can become markup.</summary>
public static class Highlighter
{
    public static string Html(string text, IEnumerable<TextSpan> spans)
    {
        var html = new StringBuilder(text.Length + 32);
        var at = 0;
        foreach (var span in Merge(text, spans))
        {
            html.Append(WebUtility.HtmlEncode(text[at..span.Start]));
            html.Append("<mark>").Append(WebUtility.HtmlEncode(text[span.Start..span.End])).Append("</mark>");
            at = span.End;
        }
        html.Append(WebUtility.HtmlEncode(text[at..]));
        return html.ToString();
    }

    /// <summary>
    /// A window of about <paramref name="maxLength"/> characters of <paramref name="text"/> from the start of the
    /// sentence holding its first highlighted span (or of the clause, see <see cref="ExcerptStart"/>), ending on a word,
    /// marked with ellipses where text is left out, with the spans moved into the window.
    /// </summary>
    public static (string Text, IReadOnlyList<TextSpan> Spans) Excerpt(string text, IReadOnlyList<TextSpan> spans, int maxLength = 320)
    {
        // spans come from the database: one outside the text (a row written for another version of it) is ignored
        var inside = spans.Where(s => s.Length > 0 && s.Start >= 0 && s.End <= text.Length).ToList();
        if (text.Length <= maxLength)
        {
            return (text, inside);
        }
        var first = inside.Count > 0 ? inside.Min(s => s.Start) : 0;
        var start = ExcerptStart(text, first, maxLength);
        var end = Math.Min(text.Length, start + maxLength);
        end = end == text.Length ? end : ShortText.BoundaryAtOrBefore(text, PreviousWordEnd(text, end, start));
        if (end <= start)
        {
            end = ShortText.BoundaryAtOrAfter(text, start + 1); // one character at least, whole
        }
        var prefix = start > 0 ? ShortText.Ellipsis : "";
        var suffix = end < text.Length ? ShortText.Ellipsis : "";
        var moved = inside
            .Where(s => s.Start >= start && s.End <= end)
            .Select(s => new TextSpan(s.Start - start + prefix.Length, s.Length))
            .ToList();
        return (prefix + text[start..end] + suffix, moved);
    }

    /// <summary>
    /// The nearest sentence start before the first match, unless it is more than half the excerpt back (the match would
    /// be pushed to the end or out): then the nearest clause start; failing both, a word start a quarter of the excerpt back.
    /// Moved back, not on, to a boundary between characters: a cluster can run on for the whole text (a string of
    /// combining marks), and moving on would move past the match.
    /// </summary>
    private static int ExcerptStart(string text, int first, int maxLength)
    {
        var floor = Math.Max(0, first - maxLength / 2);
        var clause = -1;
        for (var at = first; at >= Math.Max(floor, 1); at--)
        {
            if (Sentences.StartsAt(text, at))
            {
                return ShortText.BoundaryAtOrBefore(text, at);
            }
            if (clause < 0 && Sentences.ClauseStartsAt(text, at))
            {
                clause = at;
            }
        }
        if (floor == 0)
        {
            return 0; // the match is in the first sentence
        }
        if (clause >= 0)
        {
            return ShortText.BoundaryAtOrBefore(text, clause);
        }
        return ShortText.BoundaryAtOrBefore(text, NextWordStart(text, first - maxLength / 4, first));
    }

    private static IEnumerable<TextSpan> Merge(string text, IEnumerable<TextSpan> spans)
    {
        TextSpan? open = null;
        foreach (var stored in spans.Where(s => s.Length > 0 && s.Start >= 0 && s.End <= text.Length).OrderBy(s => s.Start))
        {
            var span = WholeCharacters(text, stored);
            if (open is { } o && span.Start <= o.End)
            {
                open = new TextSpan(o.Start, Math.Max(o.End, span.End) - o.Start);
                continue;
            }
            if (open is { } done)
            {
                yield return done;
            }
            open = span;
        }
        if (open is { } last)
        {
            yield return last;
        }
    }

    /// <summary>
    /// The span widened to whole surrogate pairs: a stored span may come from another version of the text, and encoding
    /// half a pair on each side of a mark would turn the character into two replacement characters.
    /// </summary>
    private static TextSpan WholeCharacters(string text, TextSpan span)
    {
        var start = span.Start > 0 && char.IsLowSurrogate(text[span.Start]) && char.IsHighSurrogate(text[span.Start - 1]) ? span.Start - 1 : span.Start;
        var end = span.End < text.Length && char.IsLowSurrogate(text[span.End]) && char.IsHighSurrogate(text[span.End - 1]) ? span.End + 1 : span.End;
        return new TextSpan(start, end - start);
    }

    /// <summary>The start of the word after <paramref name="at"/>, unless that passes <paramref name="limit"/> (the first match).</summary>
    private static int NextWordStart(string text, int at, int limit)
    {
        var word = at;
        while (word < text.Length && !char.IsWhiteSpace(text[word - 1]))
        {
            word++;
        }
        return word <= limit ? word : at;
    }

    private static int PreviousWordEnd(string text, int at, int floor)
    {
        var end = at;
        while (end > floor + 1 && !char.IsWhiteSpace(text[end]))
        {
            end--;
        }
        return end > floor + 1 ? end : at;
    }
}

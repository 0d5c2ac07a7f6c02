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
        foreach (var span in Merge(spans, text.Length))
        {
            html.Append(WebUtility.HtmlEncode(text[at..span.Start]));
            html.Append("<mark>").Append(WebUtility.HtmlEncode(text[span.Start..span.End])).Append("</mark>");
            at = span.End;
        }
        html.Append(WebUtility.HtmlEncode(text[at..]));
        return html.ToString();
    }

    /// <summary>
    /// A window of about <paramref name="maxLength"/> characters of <paramref name="text"/> around its first highlighted
    /// span, cut at word boundaries and marked with ellipses, with the spans moved into the window.
    /// </summary>
    public static (string Text, IReadOnlyList<TextSpan> Spans) Excerpt(string text, IReadOnlyList<TextSpan> spans, int maxLength = 320)
    {
        if (text.Length <= maxLength)
        {
            return (text, spans);
        }
        var first = spans.Count > 0 ? spans.Min(s => s.Start) : 0;
        var start = Math.Max(0, first - maxLength / 4);
        start = start == 0 ? 0 : NextWordStart(text, start);
        var end = Math.Min(text.Length, start + maxLength);
        end = end == text.Length ? end : PreviousWordEnd(text, end, start);
        var prefix = start > 0 ? "…" : "";
        var suffix = end < text.Length ? "…" : "";
        var moved = spans
            .Where(s => s.Start >= start && s.End <= end)
            .Select(s => new TextSpan(s.Start - start + prefix.Length, s.Length))
            .ToList();
        return (prefix + text[start..end] + suffix, moved);
    }

    private static IEnumerable<TextSpan> Merge(IEnumerable<TextSpan> spans, int textLength)
    {
        TextSpan? open = null;
        foreach (var span in spans.Where(s => s.Length > 0 && s.Start >= 0 && s.End <= textLength).OrderBy(s => s.Start))
        {
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

    private static int NextWordStart(string text, int at)
    {
        while (at < text.Length && !char.IsWhiteSpace(text[at - 1]))
        {
            at++;
        }
        return at;
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

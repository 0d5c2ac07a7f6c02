using System.Globalization;
using System.Text;

namespace Newsletter.Digests;

/// <summary>
/// A paper block rendered with <see cref="TemplateSet.RankMark"/> for its rank, and where the number goes in it, so
/// that numbering it for a digest writes its pieces and the number instead of copying the whole block once per rank.
/// The text part's lines that held the mark are wrapped once numbered (the number's width counts); the rest were
/// wrapped when the block was rendered, and wrapping is line by line, so the result is what wrapping the whole block
/// gives. The pieces are ranges of the block's own strings: a day's blocks are held once.
/// </summary>
internal sealed class MarkedParts
{
    private readonly string _html;
    private readonly int[] _marks;
    private readonly string _text;
    private readonly Range _textMarked;
    private readonly bool _oneLine;

    public MarkedParts(string html, string text)
    {
        (_html, _text) = (html, text);
        var marks = new List<int>();
        for (var at = html.IndexOf(TemplateSet.RankMark, StringComparison.Ordinal); at >= 0; at = html.IndexOf(TemplateSet.RankMark, at + 1, StringComparison.Ordinal))
        {
            marks.Add(at);
        }
        _marks = [.. marks];
        var first = text.IndexOf(TemplateSet.RankMark, StringComparison.Ordinal);
        if (first < 0)
        {
            _textMarked = text.Length..text.Length;
            return;
        }
        var last = text.LastIndexOf(TemplateSet.RankMark, StringComparison.Ordinal);
        var end = text.IndexOf('\n', last);
        _textMarked = (text.LastIndexOf('\n', first) + 1)..(end < 0 ? text.Length : end);
        _oneLine = first == last && text.AsSpan(_textMarked).IndexOfAny('\n', '\r') < 0;
    }

    public string Html(int rank) => WriteHtml(new StringBuilder(_html.Length + 8), rank).ToString();

    public string Text(int rank) => WriteText(new StringBuilder(_text.Length + 8), rank).ToString();

    public StringBuilder WriteHtml(StringBuilder page, int rank)
    {
        var at = 0;
        foreach (var mark in _marks)
        {
            page.Append(_html, at, mark - at).Append(CultureInfo.InvariantCulture, $"{rank}");
            at = mark + TemplateSet.RankMark.Length;
        }
        return page.Append(_html, at, _html.Length - at);
    }

    public StringBuilder WriteText(StringBuilder page, int rank)
    {
        var (start, length) = _textMarked.GetOffsetAndLength(_text.Length);
        page.Append(_text, 0, start);
        var marked = _text.AsSpan(start, length);
        if (_oneLine && marked.Length <= LineOnStack - 10)
        {
            // the usual block: one line holds the mark (the title's); numbered and wrapped straight into the page
            Span<char> line = stackalloc char[LineOnStack];
            var mark = marked.IndexOf(TemplateSet.RankMark, StringComparison.Ordinal);
            marked[..mark].CopyTo(line);
            rank.TryFormat(line[mark..], out var digits, provider: CultureInfo.InvariantCulture);
            marked[(mark + TemplateSet.RankMark.Length)..].CopyTo(line[(mark + digits)..]);
            var numbered = line[..(marked.Length - TemplateSet.RankMark.Length + digits)];
            if (LinesToWrap.Needs(numbered, PlainText.Width))
            {
                PlainText.WrapLine(page, numbered);
            }
            else
            {
                page.Append(numbered);
            }
        }
        else if (length > 0)
        {
            page.Append(PlainText.Wrap(marked.ToString().Replace(TemplateSet.RankMark, Number(rank), StringComparison.Ordinal)));
        }
        return page.Append(_text, start + length, _text.Length - start - length);
    }

    private const int LineOnStack = 512;

    private static string Number(int rank) => rank.ToString(CultureInfo.InvariantCulture);
}

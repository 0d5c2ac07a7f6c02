using System.Text;

namespace Newsletter.Digests;

/// <summary>
/// Wraps the plain-text part for mail programs that show it as it is, in a fixed-width font: a 320-character line
/// runs off a phone and is hard to read anywhere. Lines are filled on spaces only, so a URL, however long, stays whole
/// (on a line of its own when it does not fit); a wrapped line's continuations keep its indent, and after a list
/// marker ("3. ", "- ") they line up with the text after it.
/// </summary>
public static class PlainText
{
    /// <summary>At most this many columns: a reply quoting it ("> ") still fits RFC 5322's 78.</summary>
    public const int Width = 76;

    /// <summary><paramref name="text"/> with every line longer than <paramref name="width"/> columns wrapped where it has a space; the same instance when none needs it.</summary>
    /// <param name="except">Lines holding it are left as they are (a paper block's line with the rank mark is wrapped once numbered).</param>
    public static string Wrap(string text, int width = Width, string? except = null)
    {
        StringBuilder? wrapped = null;
        var at = LinesToWrap.First(text, width, except);
        while (at <= text.Length)
        {
            var end = text.IndexOf('\n', at);
            var next = end < 0 ? text.Length + 1 : end + 1;
            var line = text.AsSpan(at, (end < 0 ? text.Length : end) - at);
            if (!LinesToWrap.Needs(line, width, except))
            {
                wrapped?.Append(text, at, next - at - (end < 0 ? 1 : 0));
            }
            else
            {
                // copied only once a line needs it: a digest whose lines all fit costs one pass and no allocation
                wrapped ??= new StringBuilder(text.Length + text.Length / 16).Append(text, 0, at);
                WrapLine(wrapped, line, width);
                if (end >= 0)
                {
                    wrapped.Append('\n');
                }
            }
            at = next;
        }
        return wrapped?.ToString() ?? text;
    }

    internal static void WrapLine(StringBuilder output, ReadOnlySpan<char> line, int width = Width)
    {
        var content = line.TrimStart(' ');
        var indent = line.Length - content.Length;
        var hanging = Math.Min(indent + MarkerLength(content), width / 2);
        output.Append(line[..indent]);
        var column = indent;
        var first = true;
        foreach (var range in content.Split(' '))
        {
            var word = content[range];
            if (word.IsEmpty)
            {
                continue;
            }
            var columns = Columns.Of(word);
            if (!first && column + 1 + columns > width)
            {
                output.Append('\n').Append(' ', hanging);
                column = hanging;
            }
            else if (!first)
            {
                output.Append(' ');
                column++;
            }
            output.Append(word);
            column += columns;
            first = false;
        }
    }

    /// <summary>The length of a list marker the line starts with ("12. ", "- ", "* ", "• "), or 0.</summary>
    private static int MarkerLength(ReadOnlySpan<char> content)
    {
        var digits = 0;
        while (digits < content.Length && char.IsAsciiDigit(content[digits]))
        {
            digits++;
        }
        if (digits is > 0 and <= 3 && content.Length > digits + 1 && content[digits] == '.' && content[digits + 1] == ' ')
        {
            return digits + 2;
        }
        return content.Length > 2 && content[0] is '-' or '*' or '•' && content[1] == ' ' ? 2 : 0;
    }
}

using System.Globalization;
using System.Text;

namespace Newsletter.Digests;

/// <summary>
/// How many columns text takes in a fixed-width font, as terminals count them (wcwidth): accents, joiners and other
/// marks none, CJK and emoji two. Titles come in every script, and counting UTF-16 units would let a line of
/// Chinese run to twice the width.
/// </summary>
public static class Columns
{
    /// <summary>
    /// Whether <paramref name="text"/> takes at most <paramref name="width"/> columns, without decoding it where a
    /// vectorised scan can tell: a line with nothing that may be wide takes at most one column a character
    /// (punctuation such as … and ▲ included).
    /// </summary>
    public static bool Fit(ReadOnlySpan<char> text, int width)
    {
        if (text.Length <= width / 2)
        {
            return true; // even all wide, it fits
        }
        if (!MayBeWide(text))
        {
            if (text.Length <= width)
            {
                return true;
            }
            if (Ascii.IsValid(text))
            {
                return false;
            }
        }
        return Of(text) <= width;
    }

    /// <summary>Whether <paramref name="text"/> has a character that may take two columns (a surrogate pair among them); else each takes one at most.</summary>
    public static bool MayBeWide(ReadOnlySpan<char> text) => text.ContainsAnyInRange('\u2E80', '\uFFFF') || text.ContainsAnyInRange('\u1100', '\u115F');

    public static int Of(ReadOnlySpan<char> text)
    {
        if (!text.ContainsAnyExceptInRange(' ', '~'))
        {
            return text.Length; // printable ASCII, most words: no decoding
        }
        var columns = 0;
        while (!text.IsEmpty)
        {
            Rune.DecodeFromUtf16(text, out var rune, out var used); // a lone surrogate decodes as U+FFFD: one column
            columns += Of(rune);
            text = text[used..];
        }
        return columns;
    }

    private static int Of(Rune rune)
    {
        var c = rune.Value;
        if (c < 0x300)
        {
            return c is < 0x20 or (>= 0x7F and < 0xA0) ? 0 : 1;
        }
        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format or UnicodeCategory.Control:
                return 0;
        }
        return IsWide(c) ? 2 : 1;
    }

    private static bool IsWide(int c) => c is
        (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0x303E) or (>= 0x3041 and <= 0x33FF) or (>= 0x3400 and <= 0x4DBF)
        or (>= 0x4E00 and <= 0x9FFF) or (>= 0xA000 and <= 0xA4CF) or (>= 0xAC00 and <= 0xD7A3) or (>= 0xF900 and <= 0xFAFF)
        or (>= 0xFE30 and <= 0xFE4F) or (>= 0xFF00 and <= 0xFF60) or (>= 0xFFE0 and <= 0xFFE6)
        or (>= 0x1F300 and <= 0x1F64F) or (>= 0x1F680 and <= 0x1F6FF) or (>= 0x1F900 and <= 0x1F9FF) or (>= 0x1FA70 and <= 0x1FAFF)
        or (>= 0x20000 and <= 0x3FFFD);
}

using System.Globalization;
using System.Text;

namespace Newsletter.Matching;

/// <summary>
/// How each character reads for matching: NFKD with diacritics dropped (ï → i, ligature ﬁ → fi), every hyphen
/// and dash → '-', curly quotes → straight, every kind of space → ' '. Case is kept (acronyms need it).
/// Computed once per character and cached.
/// </summary>
public static class TextFolding
{
    private static readonly string?[] Table = new string?[char.MaxValue + 1];

    public static string Fold(char c)
    {
        if (c < 128)
        {
            return AsciiStrings[c];
        }
        return Table[c] ??= Compute(c);
    }

    private static readonly string[] AsciiStrings = [.. Enumerable.Range(0, 128).Select(i => ((char)i).ToString())];

    private static string Compute(char c)
    {
        switch (c)
        {
            case '\u00AD': // soft hyphen
            case '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' or '\uFE58' or '\uFE63' or '\uFF0D':
                return "-";
            case '\u2018' or '\u2019' or '\u201A' or '\u201B' or '\u2032':
                return "'";
            case '\u201C' or '\u201D' or '\u201E' or '\u201F' or '\u2033' or '\u00AB' or '\u00BB':
                return "\"";
        }
        if (char.IsWhiteSpace(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.SpaceSeparator)
        {
            return " ";
        }
        if (char.IsSurrogate(c))
        {
            return c.ToString();
        }
        string decomposed;
        try
        {
            decomposed = c.ToString().Normalize(NormalizationForm.FormKD);
        }
        catch (ArgumentException)
        {
            // a noncharacter (U+FFFE) cannot be normalised: it has no other reading, and one in a title must not stop the day
            return c.ToString();
        }
        var kept = new StringBuilder(decomposed.Length);
        foreach (var d in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(d);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                continue;
            }
            kept.Append(d switch
            {
                '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' => '-',
                _ => d,
            });
        }
        return kept.Length == 0 ? "" : kept.ToString();
    }
}

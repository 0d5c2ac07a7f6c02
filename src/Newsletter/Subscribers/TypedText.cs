using System.Text;

namespace Newsletter.Subscribers;

/// <summary>
/// Text a person typed (a name, a keyword), made safe to store and show: control characters (CR/LF would reach
/// a greeting or a header, ESC a terminal) and the bidirectional overrides and isolates that make text read
/// differently from what it is (U+202E) are taken out, whitespace runs become one space.
/// </summary>
public static class TypedText
{
    public static string Clean(string text)
    {
        var clean = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                // a tab or line break is a space; other controls (ESC, NUL, C1) are dropped
                space |= char.IsWhiteSpace(c);
                continue;
            }
            if (IsBidiControl(c) || c == '\uFEFF')
            {
                continue;
            }
            if (space && clean.Length > 0)
            {
                clean.Append(' ');
            }
            space = false;
            clean.Append(c);
        }
        return clean.ToString();
    }

    /// <summary>Embeddings, overrides, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C).</summary>
    public static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';
}

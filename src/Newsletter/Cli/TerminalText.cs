using System.Buffers;
using System.Globalization;
using System.Text;

namespace Newsletter.Cli;

/// <summary>
/// Text from outside (paper titles, keywords, server replies, messages quoting them) made safe to print. An escape
/// sequence or other control character in it would let a listing or a subscriber clear the operator's screen, set
/// the window title or rewrite what a line seems to say; a bidi override would reorder it. Newlines and tabs stay,
/// and a carriage return before a newline (an .eml preview's line ends).
/// </summary>
public static class TerminalText
{
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Where(c => c is not '\n' and not '\t').Select(c => (char)c))
        + string.Concat(Enumerable.Range(0x7F, 0x21).Select(c => (char)c)) // DEL and the C1 controls
        + "\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069"); // bidi marks, embeddings, overrides, isolates

    private const char Escape = '\u001B';
    private const char Bell = '\u0007';
    private const char StringTerminator = '\u009C';

    public static bool IsClean(ReadOnlySpan<char> text) => !text.ContainsAny(Unsafe);

    /// <summary>The text without escape sequences (whole, when they are complete) and without other controls.</summary>
    public static string Clean(string text)
    {
        var first = text.AsSpan().IndexOfAny(Unsafe);
        if (first < 0)
        {
            return text;
        }
        var clean = new StringBuilder(text.Length).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (c == Escape)
            {
                i = EndOfEscape(text, i);
            }
            else if (!Unsafe.Contains(c) || (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n'))
            {
                clean.Append(c);
            }
        }
        return clean.ToString();
    }

    /// <summary>
    /// JSON as System.Text.Json writes it, with the characters its relaxed encoder leaves raw (bidi controls) written
    /// as \u escapes too: JSON carries them only inside strings, where the escape means the same character, so the
    /// data is unchanged and a terminal shows it as it is.
    /// </summary>
    public static string EscapeJson(string json)
    {
        var first = json.AsSpan().IndexOfAny(Unsafe);
        if (first < 0)
        {
            return json;
        }
        var escaped = new StringBuilder(json.Length + 16).Append(json, 0, first);
        foreach (var c in json.AsSpan(first))
        {
            if (Unsafe.Contains(c) && c != '\r')
            {
                escaped.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }

    /// <summary>
    /// Where the escape sequence starting at <paramref name="start"/> ends: a CSI (ESC [ … final), a string command
    /// (OSC, DCS, APC, PM, SOS: up to BEL or ST) or a short ESC sequence. Incomplete: just the ESC.
    /// </summary>
    private static int EndOfEscape(string text, int start)
    {
        if (start + 1 >= text.Length)
        {
            return start;
        }
        var i = start + 2;
        switch (text[start + 1])
        {
            case '[':
                while (i < text.Length && text[i] is >= ' ' and <= '?')
                {
                    i++;
                }
                return i < text.Length && text[i] is >= '@' and <= '~' ? i : start;
            case ']' or 'P' or '_' or '^' or 'X':
                for (; i < text.Length; i++)
                {
                    if (text[i] is Bell or StringTerminator)
                    {
                        return i;
                    }
                    if (text[i] == Escape && i + 1 < text.Length && text[i + 1] == '\\')
                    {
                        return i + 1;
                    }
                }
                return start;
            default:
                i = start + 1;
                while (i < text.Length && text[i] is >= ' ' and <= '/')
                {
                    i++;
                }
                return i < text.Length && text[i] is >= '0' and <= '~' ? i : start;
        }
    }
}

using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace Newsletter.Tests.Support;

/// <summary>
/// Generators of text nobody checked: titles from listings, keywords and addresses people type. FsCheck's own
/// strings are mostly ASCII and short, so they almost never reach what breaks text code: surrogate pairs and lone
/// halves, combining marks, emoji sequences, CJK, right-to-left text and bidi controls, controls, characters that
/// fold into several (ﬁ, ﷺ), the keyword language's own syntax, and very long runs.
/// </summary>
public static class HostileText
{
    private static readonly string[] Words =
    [
        "graph", "neural", "network", "Graph", "LoRA", "RL", "MoE", "LLMs", "SAM", "ViT", "fine-tuning", "finetuning",
        "transformer", "transformers", "transformation", "diffusion", "model", "x", "a", "GPT-4", "3D", "2024", "0", "9", "Z",
    ];

    private static readonly string[] Syntax =
    [
        "\"", "\"", "(", "(", ")", ")", " AND ", " OR ", " NOT ", "AND", "OR", "NOT", "-", " ", "  ",
        "\u201C", "\u201D", "\u00AB", "\u00BB", "\uFF02", "\uFF08", "\u2033",
    ];

    private static readonly string[] Specials =
    [
        // emoji: plain, ZWJ sequences, flag, skin tone, keycap, variation selector
        "\U0001F600", "\U0001F469\u200D\U0001F4BB", "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466",
        "\U0001F3F3\uFE0F\u200D\U0001F308", "\U0001F1E9\U0001F1EA", "\U0001F44D\U0001F3FD", "1\uFE0F\u20E3", "\u2764\uFE0F",
        // supplementary letters (mathematical bold folds to ASCII; CJK extension B)
        "\U0001D400\U0001D408", "\U00020000", "\U0001D7CE",
        // combining marks: after a letter, stacked, alone, spacing, enclosing; Devanagari; Hangul jamo
        "e\u0301", "a\u0308\u0304", "\u0301", "\u0489", "\u0903", "\u093F", "\u0939\u093F\u0928\u094D\u0926\u0940",
        "\u1100\u1161\u11A8", "\uD55C\uAD6D\uC5B4",
        // CJK, kana, half-width, squared and long compatibility forms
        "\u4E2D\u6587", "\u65E5\u672C\u8A9E", "\u30AB\u30BF\u30AB\u30CA", "\uFF76\uFF80\uFF76\uFF85", "\u3300", "\uFDFA",
        // right-to-left text, prepended concatenation marks, bidi controls
        "\u05E2\u05D1\u05E8\u05D9\u05EA", "\u0627\u0644\u0639\u0631\u0628\u064A\u0629", "\u0600", "\u0601 ", "\u06DD",
        "\u070F", "\u202E", "\u202B", "\u200F", "\u2066", "\u061C",
        // invisible and format characters, line and paragraph separators
        "\u200B", "\u200C", "\u200D", "\uFEFF", "\u00AD", "\u2028", "\u2029",
        // controls
        "\0", "\t", "\n", "\r", "\r\n", "\u0085", "\u001B", "\u007F", "\u0007", "\u009B",
        // spaces
        "\u00A0", "\u3000", "\u2003", "\u1680", "\u202F",
        // letters that fold, change length or case oddly
        "\uFB01", "\uFB00", "\uFF2C\uFF2C\uFF2D", "\uFF32", "\u212B", "\u00DF", "\u0130", "\u0131", "\u01C5", "\u03A3",
        "\u03C2", "\u212A", "\u017F", "\u00B2", "\u00BD", "\u0663", "\u216B", "\u00FC", "\u00DC",
        // dashes
        "\u2010", "\u2011", "\u2013", "\u2014", "\u2212", "\uFE63",
        // markup and entities
        "&", "<", ">", "&amp;", "<mark>", "</mark>", "'", "&#x1F600;", "\\",
        // replacement, noncharacters, private use
        "\uFFFD", "\uFFFE", "\uFFFF", "\uE000", "\U000F0000",
    ];

    private static Gen<string> Char(int from, int to) => Gen.Choose(from, to).Select(c => ((char)c).ToString());

    private static Gen<string> Fragment(bool loneSurrogates)
    {
        var anyBmp = Gen.Choose(0, 0xFFFF).Select(c => (char)c).Where(c => loneSurrogates || !char.IsSurrogate(c)).Select(c => c.ToString());
        var supplementary = Gen.Choose(0x10000, 0x10FFFF).Select(char.ConvertFromUtf32);
        var fragments = new List<(int, Gen<string>)>
        {
            (8, Gen.Elements(Words)),
            (5, Gen.Elements(Syntax)),
            (10, Gen.Elements(Specials)),
            (4, anyBmp),
            (2, supplementary),
            (2, Char(0x0300, 0x036F)),
            (2, Char(0x4E00, 0x9FFF)),
            (3, Char('A', 'Z')),
            (3, Char('a', 'z')),
            (2, Char('0', '9')),
        };
        if (loneSurrogates)
        {
            fragments.Add((2, Char(0xD800, 0xDFFF)));
        }
        return Gen.Frequency(fragments);
    }

    /// <summary>A concatenation of up to <paramref name="maxFragments"/> fragments (scaled by FsCheck's size), sometimes thousands.</summary>
    public static Gen<string> Text(bool loneSurrogates = true, int maxFragments = 60, bool veryLong = true)
    {
        var fragment = Fragment(loneSurrogates);
        var ordinary = Gen.Sized(size => Gen.Choose(0, Math.Max(1, Math.Min(size, maxFragments)))
            .SelectMany(n => fragment.ArrayOf(n)).Select(string.Concat));
        if (!veryLong)
        {
            return ordinary;
        }
        // one piece repeated: a 20,000-character title, a word with no space to cut at, a wall of emoji
        var repeated = ordinary.SelectMany(piece => Gen.Choose(50, 4_000).Select(times => string.Concat(Enumerable.Repeat(piece, times))));
        return Gen.Frequency((30, ordinary), (1, repeated), (1, Gen.Constant(""))).Select(Bounded);
    }

    /// <summary>At most 40,000 characters, never ending in half a surrogate pair the text did not have.</summary>
    private static string Bounded(string text) =>
        text.Length <= 40_000 ? text : text[..(char.IsHighSurrogate(text[39_999]) && char.IsLowSurrogate(text[40_000]) ? 39_999 : 40_000)];

    /// <summary>Text shrunk by whole text elements, so a counterexample gets short without changing its kind (no new lone surrogates).</summary>
    public static Arbitrary<string> Arbitrary(Gen<string> gen) => Arb.From(gen, Shrink);

    public static IEnumerable<string> Shrink(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }
        var elements = Elements(text);
        if (elements.Count > 1)
        {
            yield return string.Concat(elements.Take(elements.Count / 2));
            yield return string.Concat(elements.Skip(elements.Count / 2));
        }
        if (elements.Count <= 64)
        {
            for (var i = 0; i < elements.Count; i++)
            {
                yield return string.Concat(elements.Take(i).Concat(elements.Skip(i + 1)));
            }
        }
    }

    public static List<string> Elements(string text)
    {
        var elements = new List<string>();
        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext())
        {
            elements.Add(e.GetTextElement());
        }
        return elements;
    }

    /// <summary>Start offsets of the text elements (user-perceived characters), plus the length: every place a cut may fall.</summary>
    public static HashSet<int> Boundaries(string text)
    {
        var boundaries = new HashSet<int> { 0, text.Length };
        for (var at = 0; at < text.Length; at += StringInfo.GetNextTextElementLength(text, at))
        {
            boundaries.Add(at);
        }
        return boundaries;
    }

    /// <summary>True when <paramref name="at"/> falls between the two halves of a surrogate pair.</summary>
    public static bool SplitsSurrogatePair(string text, int at) =>
        at > 0 && at < text.Length && char.IsHighSurrogate(text[at - 1]) && char.IsLowSurrogate(text[at]);

    public static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Fails with the message only when the condition does not hold: building it for every token of a long text costs minutes.</summary>
    public static void Expect(bool condition, Func<string> message)
    {
        if (!condition)
        {
            Assert.Fail(message());
        }
    }

    /// <summary>Shows a counterexample with every character that is not plain printable ASCII as \uXXXX.</summary>
    public static string Show(string? text) => text is null ? "null" :
        string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}"));
}

namespace Newsletter.Digests;

/// <summary>
/// Where sentences and clauses of an abstract start, well enough to begin an excerpt there: abstracts are English
/// prose with abbreviations (e.g., et al., Fig.) and decimals, so a full stop alone is not an end.
/// </summary>
public static class Sentences
{
    // with the full stop, these are abbreviations in abstracts far more often than sentence ends
    private static readonly string[] Abbreviations = ["al", "cf", "vs", "viz", "approx", "resp", "fig", "figs", "eq", "eqs", "sec", "ref", "no", "dr", "prof"];

    /// <summary>
    /// Whether a sentence starts at <paramref name="at"/>: after ".", "!" or "?" (and any closing quotes or brackets)
    /// and a space, with no lower-case letter next (a cheap guard against abbreviations the list does not know); or
    /// right after an ideographic full stop, which takes no space.
    /// </summary>
    public static bool StartsAt(string text, int at)
    {
        if (at <= 0 || at >= text.Length || char.IsWhiteSpace(text[at]))
        {
            return false;
        }
        if (text[at - 1] is '。' or '！' or '？')
        {
            return true;
        }
        if (!char.IsWhiteSpace(text[at - 1]) || char.IsLower(text[at]))
        {
            return false;
        }
        var end = LastBefore(text, at);
        while (end >= 0 && IsClosing(text[end]))
        {
            end--;
        }
        if (end < 0 || text[end] is not ('.' or '!' or '?'))
        {
            return false;
        }
        return text[end] != '.' || !IsAbbreviation(text, end);
    }

    /// <summary>Whether a clause starts at <paramref name="at"/>: after a comma, semicolon, colon or dash and a space (a CJK comma takes none).</summary>
    public static bool ClauseStartsAt(string text, int at)
    {
        if (at <= 0 || at >= text.Length || char.IsWhiteSpace(text[at]))
        {
            return false;
        }
        if (text[at - 1] is '，' or '；' or '：' or '、')
        {
            return true;
        }
        if (!char.IsWhiteSpace(text[at - 1]))
        {
            return false;
        }
        var end = LastBefore(text, at);
        return end >= 0 && text[end] is ',' or ';' or ':' or '—' or '–';
    }

    /// <summary>The last character before the whitespace that ends at <paramref name="at"/>, or -1.</summary>
    private static int LastBefore(string text, int at)
    {
        var end = at - 1;
        while (end >= 0 && char.IsWhiteSpace(text[end]))
        {
            end--;
        }
        return end;
    }

    private static bool IsClosing(char c) => c is '"' or '\'' or ')' or ']' or '”' or '’' or '»';

    /// <summary>
    /// The word before the full stop at <paramref name="stop"/> is letters with stops ("e.g.", "U.S.") or a known
    /// abbreviation. A number is not ("by 3.5." ends a sentence), nor a single capital: "in Appendix A." ends one far
    /// more often in an abstract than an author's initial stands there.
    /// </summary>
    private static bool IsAbbreviation(string text, int stop)
    {
        var word = stop;
        while (word > 0 && !char.IsWhiteSpace(text[word - 1]) && text[word - 1] != '(')
        {
            word--;
        }
        var before = text.AsSpan(word, stop - word);
        if (before.Contains('.') && !before.ContainsAnyExcept(LettersAndStops))
        {
            return true;
        }
        foreach (var abbreviation in Abbreviations)
        {
            if (before.Equals(abbreviation, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static readonly System.Buffers.SearchValues<char> LettersAndStops =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.");
}

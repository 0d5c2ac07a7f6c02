namespace Newsletter.Matching;

/// <summary>Turns the words of a term into what the index looks up: one unit per word, plus the joined forms.</summary>
public static class TermCompiler
{
    /// <summary>Phrases longer than this are matched as written, without trying every joined form.</summary>
    private const int MaxJoinableWords = 6;

    public static TermNode Compile(string text, IReadOnlyList<Token> tokens)
    {
        var words = tokens.Select(t => t.Text).ToList();
        var variants = new List<IReadOnlyList<Unit>> { words.Select(UnitOf).ToList() };
        if (words.Count is > 1 and <= MaxJoinableWords)
        {
            // every way of closing the gaps between neighbouring ordinary words: fine-tuning ~ finetuning
            var gaps = words.Count - 1;
            for (var mask = 1; mask < 1 << gaps; mask++)
            {
                var units = new List<Unit>();
                var current = words[0];
                var joinable = true;
                for (var g = 0; g < gaps; g++)
                {
                    if ((mask & (1 << g)) != 0)
                    {
                        if (WordKeys.IsAcronym(current) || WordKeys.IsAcronym(words[g + 1]))
                        {
                            joinable = false;
                            break;
                        }
                        current += words[g + 1];
                    }
                    else
                    {
                        units.Add(UnitOf(current));
                        current = words[g + 1];
                    }
                }
                if (joinable)
                {
                    units.Add(UnitOf(current));
                    variants.Add(units);
                }
            }
        }
        return new TermNode(text, variants);
    }

    public static Unit UnitOf(string word) =>
        WordKeys.IsAcronym(word) ? new Unit(WordKeys.AcronymBase(word), true) : new Unit(WordKeys.Key(word.ToLowerInvariant()), false);
}

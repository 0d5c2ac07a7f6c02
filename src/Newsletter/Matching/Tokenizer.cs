namespace Newsletter.Matching;

/// <summary>
/// A word of a title, abstract or keyword: its folded text (case kept), where it is in the original string, and
/// whether only a space or hyphen separates it from the word before (so a phrase may run across the gap).
/// </summary>
public readonly record struct Token(Word Word, int Start, int End, bool JoinsPrevious)
{
    public string Text => Word.Text;
}

public static class Tokenizer
{
    private const int MaxInterned = 200_000;

    // Words repeat across abstracts and days: one Word per distinct spelling, looked up by span, saves most of the
    // allocations (and garbage collections) of indexing a day, and carries the word's lower-cased and stemmed forms.
    [ThreadStatic]
    private static Dictionary<string, Word>? _interned;

    [ThreadStatic]
    private static char[]? _buffer;

    /// <summary>
    /// Splits text into runs of letters and digits after folding. A space or hyphen between two words keeps them
    /// adjacent; any other punctuation (comma, period, slash, parenthesis…) breaks a phrase.
    /// </summary>
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>(text.Length / 6);
        Tokenize(text, tokens);
        return tokens;
    }

    /// <summary>As <see cref="Tokenize(string)"/>, appending to <paramref name="tokens"/> (cleared first).</summary>
    public static void Tokenize(string text, List<Token> tokens)
    {
        tokens.Clear();
        var word = _buffer ??= new char[256];
        var length = 0;
        var wordStart = -1;
        var soft = false;           // only spaces and hyphens since the last word
        var seenWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var folded = TextFolding.Fold(text[i]);
            var isWordChar = folded.Length > 0 && char.IsLetterOrDigit(folded[0]);
            if (isWordChar)
            {
                if (wordStart < 0)
                {
                    wordStart = i;
                }
                foreach (var f in folded)
                {
                    if (char.IsLetterOrDigit(f))
                    {
                        if (length == word.Length)
                        {
                            Array.Resize(ref _buffer, word.Length * 2);
                            word = _buffer!;
                        }
                        word[length++] = f;
                    }
                }
                continue;
            }
            if (folded.Length == 0 && wordStart >= 0)
            {
                // a combining mark folds to nothing but belongs to the letter before it: "nai\u0308ve" is one word, as
                // "naïve" is, and the token's span keeps the mark with its letter
                continue;
            }
            if (wordStart >= 0)
            {
                tokens.Add(new Token(Intern(word.AsSpan(0, length)), wordStart, i, seenWord && soft));
                length = 0;
                wordStart = -1;
                seenWord = true;
                soft = true;
            }
            if (folded.Length == 0)
            {
                continue; // a combining mark with no letter before it: part of nothing
            }
            if (folded is not (" " or "-"))
            {
                soft = false;
            }
        }
        if (wordStart >= 0)
        {
            tokens.Add(new Token(Intern(word.AsSpan(0, length)), wordStart, text.Length, seenWord && soft));
        }
    }

    private static Word Intern(ReadOnlySpan<char> word)
    {
        var interned = _interned ??= new Dictionary<string, Word>(StringComparer.Ordinal);
        var lookup = interned.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(word, out var known))
        {
            return known;
        }
        if (interned.Count >= MaxInterned)
        {
            interned.Clear();
        }
        var text = word.ToString();
        return interned[text] = new Word(text);
    }
}

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

    // What an ASCII character is to the tokenizer (folding leaves ASCII as it is): most of a day's text is ASCII, and
    // one table look-up per character is much cheaper than the general path through the folding table.
    private const byte Other = 0, WordChar = 1, Soft = 2;
    private static readonly byte[] Ascii = AsciiKinds();

    // Words repeat across abstracts and days: one Word per distinct spelling, looked up by span, saves most of the
    // allocations (and garbage collections) of indexing a day, and carries the word's lower-cased and stemmed forms.
    [ThreadStatic]
    private static WordTable? _interned;

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
        var interned = _interned ??= new WordTable();
        var word = _buffer ??= new char[256];
        var ascii = Ascii;
        var length = 0;
        var wordStart = -1;
        var soft = false;           // only spaces and hyphens since the last word
        var seenWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 128)
            {
                var kind = ascii[c];
                if (kind == WordChar)
                {
                    if (wordStart < 0)
                    {
                        wordStart = i;
                    }
                    if (length == word.Length)
                    {
                        Array.Resize(ref _buffer, word.Length * 2);
                        word = _buffer!;
                    }
                    word[length++] = c;
                    continue;
                }
                if (wordStart >= 0)
                {
                    tokens.Add(new Token(interned.Intern(word.AsSpan(0, length)), wordStart, i, seenWord && soft));
                    length = 0;
                    wordStart = -1;
                    seenWord = true;
                    soft = true;
                }
                if (kind != Soft)
                {
                    soft = false;
                }
                continue;
            }
            var folded = TextFolding.Fold(c);
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
                tokens.Add(new Token(interned.Intern(word.AsSpan(0, length)), wordStart, i, seenWord && soft));
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
            tokens.Add(new Token(interned.Intern(word.AsSpan(0, length)), wordStart, text.Length, seenWord && soft));
        }
    }

    private static byte[] AsciiKinds()
    {
        var kinds = new byte[128];
        for (var c = 0; c < kinds.Length; c++)
        {
            // as the general path reads them: an ASCII character folds to itself
            kinds[c] = char.IsLetterOrDigit((char)c) ? WordChar : c is ' ' or '-' ? Soft : Other;
        }
        return kinds;
    }

    /// <summary>
    /// The interned words of one thread: an open-addressing table looked up by the characters themselves, so a word
    /// seen before costs a hash and a comparison, and neither a string nor a generic collection's comparer calls.
    /// </summary>
    private sealed class WordTable
    {
        private Word?[] _words = new Word?[1 << 14];
        private int[] _hashes = new int[1 << 14];
        private int _count;

        public Word Intern(ReadOnlySpan<char> text)
        {
            var hash = Hash(text);
            var mask = _words.Length - 1;
            var i = hash & mask;
            for (var known = _words[i]; known is not null; known = _words[i])
            {
                if (_hashes[i] == hash && text.SequenceEqual(known.Text))
                {
                    return known;
                }
                i = (i + 1) & mask;
            }
            if (_count >= MaxInterned)
            {
                Array.Clear(_words);
                _count = 0;
                i = hash & mask;
            }
            else if ((_count + 1) * 2 > _words.Length)
            {
                Grow();
                mask = _words.Length - 1;
                for (i = hash & mask; _words[i] is not null; i = (i + 1) & mask)
                {
                }
            }
            var word = new Word(text.ToString());
            _words[i] = word;
            _hashes[i] = hash;
            _count++;
            return word;
        }

        private void Grow()
        {
            var words = new Word?[_words.Length * 2];
            var hashes = new int[words.Length];
            var mask = words.Length - 1;
            for (var j = 0; j < _words.Length; j++)
            {
                if (_words[j] is { } word)
                {
                    var i = _hashes[j] & mask;
                    while (words[i] is not null)
                    {
                        i = (i + 1) & mask;
                    }
                    words[i] = word;
                    hashes[i] = _hashes[j];
                }
            }
            _words = words;
            _hashes = hashes;
        }

        /// <summary>FNV-1a, with the high bits folded down: the table index is the low bits.</summary>
        private static int Hash(ReadOnlySpan<char> text)
        {
            var hash = 2166136261;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619;
            }
            return (int)(hash ^ (hash >> 15));
        }
    }
}

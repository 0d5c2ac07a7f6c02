namespace Newsletter.Matching;

/// <summary>
/// A word of a title, abstract or keyword: its folded text (case kept), where it is in the original string, and
/// whether only a space or hyphen separates it from the word before (so a phrase may run across the gap).
/// </summary>
public readonly record struct Token(string Text, int Start, int End, bool JoinsPrevious);

public static class Tokenizer
{
    /// <summary>
    /// Splits text into runs of letters and digits after folding. A space or hyphen between two words keeps them
    /// adjacent; any other punctuation (comma, period, slash, parenthesis…) breaks a phrase.
    /// </summary>
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>(text.Length / 6);
        var word = new System.Text.StringBuilder(24);
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
                        word.Append(f);
                    }
                }
                continue;
            }
            if (wordStart >= 0)
            {
                tokens.Add(new Token(word.ToString(), wordStart, i, seenWord && soft));
                word.Clear();
                wordStart = -1;
                seenWord = true;
                soft = true;
            }
            if (folded.Length == 0)
            {
                continue; // a lone combining mark: part of nothing
            }
            if (folded is not (" " or "-"))
            {
                soft = false;
            }
        }
        if (wordStart >= 0)
        {
            tokens.Add(new Token(word.ToString(), wordStart, text.Length, seenWord && soft));
        }
        return tokens;
    }
}

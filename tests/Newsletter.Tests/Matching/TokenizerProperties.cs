using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Newsletter.Matching;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Matching;

/// <summary>
/// Token positions become highlight spans in emails and the match command's output: they must be places in the
/// original string, and whole characters of it, whatever a listing puts in a title.
/// </summary>
public sealed class TokenizerProperties
{
    private static Arbitrary<string> AnyText => HostileText.Arbitrary(HostileText.Text());

    private static Arbitrary<string> WellFormedText => HostileText.Arbitrary(HostileText.Text(loneSurrogates: false));

    [Property(MaxTest = 1_000)]
    public Property Tokens_lie_inside_the_text_in_order_and_never_split_a_surrogate_pair_or_a_letter_from_its_marks() => Prop.ForAll(AnyText, text =>
    {
        var tokens = Tokenizer.Tokenize(text);
        var previousEnd = 0;
        foreach (var token in tokens)
        {
            HostileText.Expect(token.Start >= previousEnd && token.Start < token.End && token.End <= text.Length,
                () => $"token [{token.Start}, {token.End}) out of place in {HostileText.Show(text)}");
            HostileText.Expect(!HostileText.SplitsSurrogatePair(text, token.Start) && !HostileText.SplitsSurrogatePair(text, token.End),
                () => $"token [{token.Start}, {token.End}) splits a surrogate pair in {HostileText.Show(text)}");
            HostileText.Expect(token.End == text.Length || !IsCombiningMark(text[token.End]),
                () => $"token [{token.Start}, {token.End}) leaves the combining mark after it behind in {HostileText.Show(text)}");
            HostileText.Expect(token.Text.Length > 0 && token.Text.All(char.IsLetterOrDigit), () => $"token '{HostileText.Show(token.Text)}' is not a word");
            previousEnd = token.End;
        }
    });

    [Property(MaxTest = 1_000)]
    public Property Folding_any_character_never_fails_and_drops_its_combining_marks() => Prop.ForAll(AnyText, text =>
    {
        foreach (var c in text)
        {
            var folded = TextFolding.Fold(c);
            HostileText.Expect(!folded.Any(IsCombiningMark), () => $"'{HostileText.Show(c.ToString())}' folds to a combining mark");
        }
    });

    /// <summary>
    /// Listings and people write "naïve" precomposed or as i + U+0308: folding is NFKD, so both must read as the same
    /// words (or a keyword typed one way would miss an abstract written the other).
    /// </summary>
    [Property(MaxTest = 1_000)]
    public Property Composed_and_decomposed_text_read_as_the_same_words() => Prop.ForAll(WellFormedText, text =>
    {
        if (text.Contains('\uFFFE'))
        {
            return; // the one character .NET refuses to normalise: nothing to compare
        }
        var composed = Tokenizer.Tokenize(text.Normalize(NormalizationForm.FormC)).Select(t => (t.Text, t.JoinsPrevious));
        var decomposed = Tokenizer.Tokenize(text.Normalize(NormalizationForm.FormD)).Select(t => (t.Text, t.JoinsPrevious));
        Assert.Equal(composed, decomposed);
    });

    private static bool IsCombiningMark(char c) => CharUnicodeInfo.GetUnicodeCategory(c)
        is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
}

using Newsletter.Matching;
using Newsletter.Digests;

namespace Newsletter.Tests.Digests;

/// <summary>An excerpt that starts mid-sentence ("…compensation problem: Given…") reads as a fragment; one that starts a sentence reads.</summary>
public sealed class ExcerptTests
{
    private static readonly string EoRA = DigestFixtures.CorpusDay("2026-03-11").Single(p => p.Id == "9912.00020").Summary;

    private static (string Excerpt, string Marked) Excerpt(string text, string match)
    {
        var at = text.IndexOf(match, StringComparison.Ordinal);
        var (excerpt, spans) = Highlighter.Excerpt(text, [new TextSpan(at, match.Length)]);
        var span = Assert.Single(spans);
        return (excerpt, excerpt.Substring(span.Start, span.Length));
    }

    [Fact]
    public void An_excerpt_starts_at_the_beginning_of_the_sentence_holding_the_first_match()
    {
        var (excerpt, marked) = Excerpt(EoRA, "eigenspace of input activations");

        Assert.StartsWith("…EoRA projects compression errors into the eigenspace of input activations, leveraging", excerpt);
        Assert.EndsWith("…", excerpt);
        Assert.Equal("eigenspace of input activations", marked);
    }

    [Fact]
    public void An_excerpt_starts_at_the_clause_holding_the_first_match_when_its_sentence_starts_too_far_back()
    {
        // the sentence starts 377 characters before the match: more than half the excerpt
        var (excerpt, marked) = Excerpt(EoRA, "specific compression formats");

        Assert.StartsWith("…resulting in greater flexibility in adjusting overall capacity without being constrained by specific", excerpt);
        Assert.Equal("specific compression formats", marked);
    }

    [Fact]
    public void An_excerpt_of_a_match_in_the_first_sentence_starts_with_the_abstract()
    {
        var (excerpt, _) = Excerpt(EoRA, "model compression problem");

        Assert.StartsWith("In this work, we re-formulate", excerpt);
    }

    [Fact]
    public void An_abbreviation_does_not_end_a_sentence_but_a_number_does()
    {
        var padding = string.Join(' ', Enumerable.Repeat("padding", 40));
        var text = $"The first sentence ends at 3.5. We compare encoders, e.g. BERT and, as Smith et al. Show, the U.S. Census data and its successors. {padding}.";

        var (excerpt, marked) = Excerpt(text, "successors");

        Assert.StartsWith("…We compare encoders, e.g. BERT", excerpt);
        Assert.Equal("successors", marked);
    }

    [Fact]
    public void A_sentence_ending_in_a_quote_or_bracket_still_ends_there()
    {
        var text = string.Join(' ', Enumerable.Repeat("Padding words here.", 20)) + " It is called \"robust.\" Then the match comes, far from the start. " +
                   string.Join(' ', Enumerable.Repeat("More padding.", 30));
        var (excerpt, _) = Excerpt(text, "match comes");

        Assert.StartsWith("…Then the match comes", excerpt);
    }

    [Fact]
    public void An_excerpt_inside_one_long_cluster_is_still_a_piece_of_the_abstract()
    {
        // U+0600 joins what follows it: 400 of them are one user-perceived character, so the start cannot move on to
        // a boundary without passing the match (it used to give "…" alone)
        var text = new string('\u0600', 400);

        var (excerpt, _) = Highlighter.Excerpt(text, [new TextSpan(100, 5)], maxLength: 60);

        Assert.Equal(text, excerpt);
    }
}

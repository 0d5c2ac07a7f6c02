using Newsletter.Matching;
using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Newsletter.Digests;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

/// <summary>
/// Highlighting puts paper text into the HTML part of every digest, with spans read back from the database (which
/// may belong to another version of the text): the text must come through unchanged and unable to become markup,
/// and an excerpt must be a real piece of the abstract whatever the spans say.
/// </summary>
public sealed class HighlighterProperties
{
    /// <summary>Text with spans: mostly inside it, some running past either end, empty or negative.</summary>
    private static Gen<(string Text, TextSpan[] Spans)> Highlighted(bool loneSurrogates) =>
        from text in HostileText.Text(loneSurrogates)
        from spans in (
            from start in Gen.Frequency((8, Gen.Choose(0, Math.Max(0, text.Length - 1))), (1, Gen.Choose(-20, text.Length + 20)))
            from length in Gen.Frequency((8, Gen.Choose(1, 40)), (1, Gen.Choose(-5, text.Length + 5)))
            select new TextSpan(start, length)).ArrayOf()
        select (text, spans);

    [Property(MaxTest = 1_000)]
    public Property Highlighted_html_without_its_marks_decodes_to_the_original_text() => Prop.ForAll(Highlighted(loneSurrogates: false).ToArbitrary(), c =>
    {
        var html = Highlighter.Html(c.Text, c.Spans);

        Assert.Equal(c.Text, WebUtility.HtmlDecode(html.Replace("<mark>", "").Replace("</mark>", "")));
        Assert.DoesNotContain('<', html.Replace("<mark>", "").Replace("</mark>", ""));
        AssertMarksAlternate(html);
    });

    [Property(MaxTest = 1_000)]
    public Property Highlighting_never_fails_and_its_marks_never_nest() => Prop.ForAll(Highlighted(loneSurrogates: true).ToArbitrary(), c =>
    {
        var html = Highlighter.Html(c.Text, c.Spans);

        Assert.DoesNotContain('<', html.Replace("<mark>", "").Replace("</mark>", ""));
        AssertMarksAlternate(html);
    });

    [Property(MaxTest = 1_000)]
    public Property An_excerpt_is_a_piece_of_the_text_with_its_spans_inside_it() => Prop.ForAll(
        Highlighted(loneSurrogates: true).ToArbitrary(),
        Gen.Frequency((3, Gen.Choose(10, 60)), (2, Gen.Choose(10, 400)), (1, Gen.Choose(10, 50_000))).ToArbitrary(),
        (c, maxLength) =>
        {
            var (excerpt, spans) = Highlighter.Excerpt(c.Text, c.Spans, maxLength);

            Assert.All(spans, s => HostileText.Expect(s.Start >= 0 && s.Length > 0 && s.End <= excerpt.Length,
                () => $"span [{s.Start}, {s.End}) outside the excerpt '{HostileText.Show(excerpt)}'"));
            if (c.Text.Length <= maxLength)
            {
                Assert.Equal(c.Text, excerpt);
                return;
            }
            // the ellipses are the excerpt's own unless the abstract itself has one there: either reading may hold
            HostileText.Expect(Cores(excerpt).Any(core => core.Length > 0 && c.Text.Contains(core, StringComparison.Ordinal)),
                () => $"'{HostileText.Show(excerpt)}' is not a piece of '{HostileText.Show(c.Text)}'");
        });

    [Property(MaxTest = 1_000)]
    public Property An_excerpts_marks_cover_the_same_text_as_in_the_abstract() => Prop.ForAll(
        Highlighted(loneSurrogates: true).ToArbitrary(),
        Gen.Frequency((3, Gen.Choose(10, 60)), (2, Gen.Choose(10, 400))).ToArbitrary(),
        (c, maxLength) =>
        {
            var (excerpt, spans) = Highlighter.Excerpt(c.Text, c.Spans, maxLength);
            if (spans.Count == 0)
            {
                return;
            }
            // one shift moves every span: the excerpt's offset in the abstract, less its leading ellipsis
            var valid = c.Spans.Where(s => s.Length > 0 && s.Start >= 0 && s.End <= c.Text.Length).ToList();
            var shifts = valid.Where(o => o.Length == spans[0].Length).Select(o => spans[0].Start - o.Start).Distinct();
            HostileText.Expect(shifts.Any(shift => spans.All(m => valid.Contains(new TextSpan(m.Start - shift, m.Length))
                    && string.CompareOrdinal(excerpt, m.Start, c.Text, m.Start - shift, m.Length) == 0)),
                () => $"the marks of '{HostileText.Show(excerpt)}' are not the abstract's marks moved by one offset");
        });

    [Property(MaxTest = 1_000)]
    public Property An_excerpt_of_prose_starts_at_the_sentence_holding_the_first_match_or_at_its_clause() => Prop.ForAll(Prose.ToArbitrary(), p =>
    {
        const int maxLength = 320;
        var (excerpt, spans) = Highlighter.Excerpt(p.Text, [p.Match], maxLength);
        if (p.Text.Length <= maxLength)
        {
            Assert.Equal(p.Text, excerpt);
            return;
        }
        var moved = Assert.Single(spans);
        var prefix = excerpt.StartsWith(ShortText.Ellipsis, StringComparison.Ordinal) ? ShortText.Ellipsis.Length : 0;
        var start = p.Match.Start - (moved.Start - prefix);
        Assert.Equal(p.Text.Substring(p.Match.Start, p.Match.Length), excerpt.Substring(moved.Start, moved.Length));
        Assert.Equal(start > 0, prefix > 0);
        var sentence = p.Sentences.Last(s => s <= p.Match.Start);
        var clause = p.Clauses.Where(s => s <= p.Match.Start).DefaultIfEmpty(0).Max();
        var expected = p.Match.Start - sentence <= maxLength / 2 ? sentence : Math.Max(sentence, clause);
        HostileText.Expect(start == expected,
            () => $"starts at {start} ('{p.Text[start..Math.Min(p.Text.Length, start + 30)]}'), not at {expected} ('{p.Text[expected..Math.Min(p.Text.Length, expected + 30)]}')");
    });

    /// <summary>
    /// Sentences of clauses of words, with the abbreviations and decimals abstracts have, where each sentence
    /// and clause starts (clauses of at most 12 words: never more than half an excerpt), and a match on one word.
    /// </summary>
    private static Gen<(string Text, TextSpan Match, int[] Sentences, int[] Clauses)> Prose =>
        from sentences in (
            from clauses in (
                from words in Gen.Elements(ProseWords).ArrayOf().Select(w => w.Length == 0 ? ["model"] : w.Take(12).ToArray())
                select string.Join(' ', words)).ArrayOf().Select(c => c.Length == 0 ? ["we study models"] : c.Take(6).ToArray())
            select clauses).ArrayOf().Select(s => s.Length == 0 ? [["we study models"]] : s.Take(15).ToArray())
        from ends in Gen.Elements(".", ".", "!", "?", ".)", ".\"").ArrayOf(sentences.Length)
        from pick in Gen.Choose(0, int.MaxValue)
        select Build(sentences, ends, pick);

    private static readonly string[] ProseWords =
    [
        "we", "propose", "a", "model", "that", "learns", "graph", "neural", "networks", "with", "fewer", "parameters", "and", "BERT",
        "e.g. BERT", "i.e. the", "Fig. 3", "Eq. 2", "et al. propose", "3.5", "(RL)", "U.S. Census", "state-of-the-art", "LLMs",
    ];

    private static (string, TextSpan, int[], int[]) Build(string[][] sentences, string[] ends, int pick)
    {
        var text = new System.Text.StringBuilder();
        var sentenceStarts = new List<int>();
        var clauseStarts = new List<int>();
        var wordStarts = new List<(int Start, int Length)>();
        for (var s = 0; s < sentences.Length; s++)
        {
            if (s > 0)
            {
                text.Append(' ');
            }
            sentenceStarts.Add(text.Length);
            for (var c = 0; c < sentences[s].Length; c++)
            {
                if (c > 0)
                {
                    text.Append(", ");
                    clauseStarts.Add(text.Length);
                }
                var clause = sentences[s][c];
                if (c == 0)
                {
                    clause = char.ToUpperInvariant(clause[0]) + clause[1..];
                }
                foreach (var word in clause.Split(' '))
                {
                    wordStarts.Add((text.Length, word.Length));
                    text.Append(word).Append(' ');
                }
                text.Length--;
            }
            text.Append(ends[s]);
        }
        var (start, length) = wordStarts[pick % wordStarts.Count];
        return (text.ToString(), new TextSpan(start, length), [.. sentenceStarts], [.. clauseStarts]);
    }

    private static IEnumerable<string> Cores(string excerpt)
    {
        var e = ShortText.Ellipsis;
        yield return excerpt;
        if (excerpt.StartsWith(e, StringComparison.Ordinal))
        {
            yield return excerpt[e.Length..];
        }
        if (excerpt.EndsWith(e, StringComparison.Ordinal))
        {
            yield return excerpt[..^e.Length];
        }
        if (excerpt.Length >= 2 * e.Length && excerpt.StartsWith(e, StringComparison.Ordinal) && excerpt.EndsWith(e, StringComparison.Ordinal))
        {
            yield return excerpt[e.Length..^e.Length];
        }
    }

    private static void AssertMarksAlternate(string html)
    {
        var open = false;
        for (var at = html.IndexOf('<'); at >= 0; at = html.IndexOf('<', at + 1))
        {
            var tag = html.AsSpan(at).StartsWith("<mark>") ? true : html.AsSpan(at).StartsWith("</mark>") ? false : (bool?)null;
            HostileText.Expect(tag is { } t && t != open, () => $"mark tags out of order in {HostileText.Show(html)}");
            open = !open;
        }
        Assert.False(open, "a <mark> is never closed");
    }
}

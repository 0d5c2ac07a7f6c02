using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Newsletter.Digests;
using Newsletter.Matching;
using Newsletter.Papers;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Matching;

/// <summary>
/// The spans a match reports are stored and later cut out of titles and abstracts for highlighting: whatever the
/// papers say, they must be places in the original strings and whole characters of them.
/// </summary>
public sealed class MatchSpanProperties
{
    private static Gen<Paper[]> DayGen =>
        from count in Gen.Choose(1, 4)
        from texts in HostileText.Text(maxFragments: 80).Two().ArrayOf(count)
        select texts.Select((t, i) => Paper.Of($"2601.{i:D5}", t.Item1, t.Item2)).ToArray();

    private static Gen<string> ExtraKeywordGen => HostileText.Text(maxFragments: 8, veryLong: false);

    [Property(MaxTest = 300)]
    public Property Matched_spans_lie_inside_title_and_abstract_and_never_split_a_character() => Prop.ForAll(
        DayGen.ToArbitrary(),
        ExtraKeywordGen.ToArbitrary(),
        (papers, extra) =>
        {
            var keywords = KeywordsFrom(papers).Append(extra).Where(Parses).Distinct().Take(Profile.MaxKeywords).ToList();
            if (keywords.Count == 0)
            {
                return;
            }
            var matcher = new ProfileMatcher(PaperIndex.Build(papers));
            var profile = Profile.Compile("p", keywords);
            foreach (var match in matcher.Match(profile))
            {
                var paper = papers[match.Paper];
                var why = matcher.Explain(profile, match);
                AssertWhole(paper.Title, why.TitleSpans);
                AssertWhole(paper.Summary, why.SummarySpans);
            }
        });

    /// <summary>
    /// A word a subscriber copies from a title finds that paper, and the copy it was taken from is highlighted: folding,
    /// stemming and acronyms must read the word the same way in a keyword as in the text around it.
    /// </summary>
    [Property(MaxTest = 500)]
    public Property A_word_copied_from_a_paper_matches_it_and_is_highlighted_where_it_was_copied() => Prop.ForAll(
        DayGen.ToArbitrary(),
        Gen.Choose(0, 1_000).ToArbitrary(),
        (papers, pick) =>
        {
            var p = pick % papers.Length;
            var field = pick % 2 == 0 ? papers[p].Title : papers[p].Summary;
            var tokens = Tokenizer.Tokenize(field);
            if (tokens.Count == 0)
            {
                return;
            }
            var token = tokens[pick % tokens.Count];
            var word = field[token.Start..token.End];
            if (!Parses(word) || QueryParser.Parse(word) is not TermNode)
            {
                return; // AND, OR and NOT are operators, not words
            }
            var matcher = new ProfileMatcher(PaperIndex.Build(papers));
            var profile = Profile.Compile("p", [word]);

            var match = matcher.Match(profile).Where(m => m.Paper == p).ToList();

            HostileText.Expect(match.Count == 1, () => $"'{HostileText.Show(word)}' does not find the paper it was copied from: {HostileText.Show(field)}");
            var why = matcher.Explain(profile, match[0]);
            var spans = pick % 2 == 0 ? why.TitleSpans : why.SummarySpans;
            HostileText.Expect(spans.Any(s => s.Start <= token.Start && s.End >= token.End),
                () => $"'{HostileText.Show(word)}' at [{token.Start}, {token.End}) is not highlighted in {HostileText.Show(field)}");
        });

    /// <summary>Words and two-word phrases as the papers write them, so that most cases match something.</summary>
    private static IEnumerable<string> KeywordsFrom(IEnumerable<Paper> papers)
    {
        foreach (var text in papers.SelectMany(p => new[] { p.Title, p.Summary }))
        {
            var tokens = Tokenizer.Tokenize(text);
            for (var i = 0; i < tokens.Count; i += 3)
            {
                yield return text[tokens[i].Start..tokens[i].End];
                if (i + 1 < tokens.Count)
                {
                    yield return text[tokens[i].Start..tokens[i + 1].End];
                }
            }
        }
    }

    private static bool Parses(string keyword)
    {
        try
        {
            QueryParser.Parse(keyword);
            return true;
        }
        catch (QuerySyntaxException)
        {
            return false;
        }
    }

    private static void AssertWhole(string text, IReadOnlyList<TextSpan> spans)
    {
        foreach (var span in spans)
        {
            HostileText.Expect(span.Start >= 0 && span.Length > 0 && span.End <= text.Length,
                () => $"span [{span.Start}, {span.End}) outside {HostileText.Show(text)}");
            HostileText.Expect(!HostileText.SplitsSurrogatePair(text, span.Start) && !HostileText.SplitsSurrogatePair(text, span.End),
                () => $"span [{span.Start}, {span.End}) splits a surrogate pair in {HostileText.Show(text)}");
        }
    }
}

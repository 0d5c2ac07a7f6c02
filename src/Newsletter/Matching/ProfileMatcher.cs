
namespace Newsletter.Matching;

/// <summary>
/// Runs profiles against a day's <see cref="PaperIndex"/>: keywords and exclusions as paper sets, then a score for
/// each matching paper. Score: for each keyword the paper matches, 2 (so more distinct keywords win), plus 1.5 when
/// it occurs in the title and 0.5 when in the abstract; upvotes break ties.
/// </summary>
public sealed class ProfileMatcher
{
    /// <summary>Upvotes by paper position: ties are broken in the hot loop without going through the papers.</summary>
    private readonly int[] _upvotes;

    public ProfileMatcher(PaperIndex index)
    {
        Index = index;
        _upvotes = [.. index.Papers.Select(p => p.Upvotes)];
    }

    public const double PerKeyword = 2.0;
    public const double TitleHit = 1.5;
    public const double AbstractHit = 0.5;

    public PaperIndex Index { get; }

    /// <summary>Every paper the profile matches (minus those already received), best first; not capped.</summary>
    public List<PaperMatch> Match(Profile profile, IReadOnlySet<string>? alreadyReceived = null) =>
        Best(profile, alreadyReceived, int.MaxValue, minScore: null);

    /// <summary>What goes in the digest: the best matches, at or above the profile's minimum score, capped.</summary>
    public List<PaperMatch> Select(Profile profile, IReadOnlySet<string>? alreadyReceived = null) =>
        Best(profile, alreadyReceived, profile.MaxPapers, profile.MinScore);

    /// <summary>
    /// The <paramref name="limit"/> best matches, best first. Only those are kept while scanning (insertion into a
    /// short sorted list), so a broad keyword matching hundreds of papers costs no list of hundreds and no sort.
    /// </summary>
    private List<PaperMatch> Best(Profile profile, IReadOnlySet<string>? alreadyReceived, int limit, double? minScore)
    {
        var words = Index.Words;
        var keywordCount = profile.Keywords.Count;
        var results = _results ??= new KeywordResult[Profile.MaxKeywords];
        Span<ulong> chosen = stackalloc ulong[words];
        chosen.Clear();
        for (var k = 0; k < keywordCount; k++)
        {
            results[k] = ResultOf(profile.Keywords[k]);
            Or(chosen, results[k].Match);
        }
        if (!AnySet(chosen))
        {
            return [];
        }
        foreach (var exclusion in profile.Exclusions)
        {
            AndNot(chosen, ResultOf(exclusion).Match);
        }
        var matches = new List<PaperMatch>(Math.Min(limit, 16));
        for (var w = 0; w < words; w++)
        {
            var word = chosen[w];
            while (word != 0)
            {
                var paper = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word);
                word &= word - 1;
                if (alreadyReceived is not null && alreadyReceived.Contains(Index.Papers[paper].Id))
                {
                    continue;
                }
                var score = 0.0;
                var keywordsHit = 0UL;
                for (var k = 0; k < keywordCount; k++)
                {
                    var result = results[k];
                    if (!Has(result.Match, paper))
                    {
                        continue;
                    }
                    keywordsHit |= 1UL << k;
                    score += PerKeyword + (Has(result.Title, paper) ? TitleHit : 0) + (Has(result.Summary, paper) ? AbstractHit : 0);
                }
                if (score < minScore)
                {
                    continue;
                }
                Keep(matches, new PaperMatch(paper, score, keywordsHit), limit);
            }
        }
        return matches;
    }

    [ThreadStatic]
    private static KeywordResult[]? _results;

    /// <summary>A keyword's papers in this index, worked out on its first use and kept on the (shared) keyword.</summary>
    private KeywordResult ResultOf(CompiledKeyword keyword)
    {
        if (keyword.LastResult is { } last && ReferenceEquals(last.Index, Index))
        {
            return last;
        }
        var words = Index.Words;
        var match = new ulong[words];
        var title = new ulong[words];
        var summary = new ulong[words];
        Evaluate(keyword.Query, match);
        foreach (var term in keyword.PositiveTerms)
        {
            var hits = Index.Resolve(term);
            Or(title, hits.Title);
            Or(summary, hits.Summary);
        }
        var result = new KeywordResult(Index, match, title, summary);
        keyword.LastResult = result;
        return result;
    }

    private void Keep(List<PaperMatch> best, PaperMatch candidate, int limit)
    {
        if (best.Count == limit)
        {
            if (Best(candidate, best[^1]) >= 0)
            {
                return;
            }
            best.RemoveAt(best.Count - 1);
        }
        var at = best.Count;
        while (at > 0 && Best(candidate, best[at - 1]) < 0)
        {
            at--;
        }
        best.Insert(at, candidate);
    }

    /// <summary>Why a paper matched: the keywords as written, and the spans to highlight in title and abstract.</summary>
    public MatchExplanation Explain(Profile profile, PaperMatch match)
    {
        var keywords = new List<string>();
        var title = new List<TextSpan>();
        var summary = new List<TextSpan>();
        for (var k = 0; k < profile.Keywords.Count; k++)
        {
            if ((match.Keywords & (1UL << k)) == 0)
            {
                continue;
            }
            keywords.Add(profile.Keywords[k].Text);
            foreach (var term in profile.Keywords[k].PositiveTerms)
            {
                foreach (var (field, start, end) in Index.Resolve(term).SpansIn(match.Paper))
                {
                    (field == PaperIndex.Title ? title : summary).Add(new TextSpan(start, end - start));
                }
            }
        }
        return new MatchExplanation(keywords, Normalise(title), Normalise(summary));
    }

    private void Evaluate(QueryNode node, Span<ulong> into)
    {
        switch (node)
        {
            case TermNode term:
                Index.Resolve(term).Any.CopyTo(into);
                break;
            case AndNode and:
                Evaluate(and.Children[0], into);
                Span<ulong> andTemp = stackalloc ulong[into.Length];
                for (var i = 1; i < and.Children.Count; i++)
                {
                    Evaluate(and.Children[i], andTemp);
                    for (var w = 0; w < into.Length; w++)
                    {
                        into[w] &= andTemp[w];
                    }
                }
                break;
            case OrNode or:
                Evaluate(or.Children[0], into);
                Span<ulong> orTemp = stackalloc ulong[into.Length];
                for (var i = 1; i < or.Children.Count; i++)
                {
                    Evaluate(or.Children[i], orTemp);
                    Or(into, orTemp);
                }
                break;
            case NotNode not:
                Evaluate(not.Child, into);
                for (var w = 0; w < into.Length; w++)
                {
                    into[w] = ~into[w];
                }
                var tail = Index.Papers.Count & 63;
                if (tail != 0)
                {
                    into[^1] &= (1UL << tail) - 1; // no phantom papers past the end
                }
                break;
        }
    }

    private int Best(PaperMatch a, PaperMatch b)
    {
        var byScore = b.Score.CompareTo(a.Score);
        if (byScore != 0)
        {
            return byScore;
        }
        var byUpvotes = _upvotes[b.Paper].CompareTo(_upvotes[a.Paper]);
        return byUpvotes != 0 ? byUpvotes : a.Paper.CompareTo(b.Paper);
    }

    private static List<TextSpan> Normalise(List<TextSpan> spans)
    {
        spans.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var merged = new List<TextSpan>(spans.Count);
        foreach (var span in spans)
        {
            if (merged.Count > 0 && span.Start < merged[^1].End)
            {
                var last = merged[^1];
                merged[^1] = new TextSpan(last.Start, Math.Max(last.End, span.End) - last.Start);
            }
            else
            {
                merged.Add(span);
            }
        }
        return merged;
    }

    private static void Or(Span<ulong> into, ReadOnlySpan<ulong> other)
    {
        for (var w = 0; w < into.Length; w++)
        {
            into[w] |= other[w];
        }
    }

    private static void AndNot(Span<ulong> into, ReadOnlySpan<ulong> other)
    {
        for (var w = 0; w < into.Length; w++)
        {
            into[w] &= ~other[w];
        }
    }

    private static bool AnySet(ReadOnlySpan<ulong> bits)
    {
        foreach (var w in bits)
        {
            if (w != 0)
            {
                return true;
            }
        }
        return false;
    }

    private static bool Has(ReadOnlySpan<ulong> bits, int i) => (bits[i >> 6] & (1UL << (i & 63))) != 0;
}

/// <param name="Paper">Position in the index's papers.</param>
/// <param name="Keywords">Bit k set: keyword k matched.</param>
public readonly record struct PaperMatch(int Paper, double Score, ulong Keywords);

public sealed record MatchExplanation(IReadOnlyList<string> Keywords, IReadOnlyList<TextSpan> TitleSpans, IReadOnlyList<TextSpan> SummarySpans);


namespace Newsletter.Matching;

/// <summary>
/// Runs profiles against a day's <see cref="PaperIndex"/>: keywords and exclusions as paper sets, then a score for
/// each matching paper. Score: for each keyword the paper matches, 2 (so more distinct keywords win), plus 1.5 when
/// it occurs in the title and 0.5 when in the abstract; upvotes break ties. A focused profile keeps only papers some
/// keyword is central to (<see cref="ProfileFocus"/>) and ranks them by centrality before the score.
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
        var focused = profile.Focus == ProfileFocus.Focused;
        Span<ulong> chosen = stackalloc ulong[words];
        chosen.Clear();
        for (var k = 0; k < keywordCount; k++)
        {
            results[k] = ResultOf(profile.Keywords[k]);
            Or(chosen, results[k].Match);
            if (focused)
            {
                results[k].Central ??= CentralityOf(profile.Keywords[k], results[k]);
            }
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
                var centrality = 0;
                for (var k = 0; k < keywordCount; k++)
                {
                    var result = results[k];
                    if (!Has(result.Match, paper))
                    {
                        continue;
                    }
                    keywordsHit |= 1UL << k;
                    score += PerKeyword + (Has(result.Title, paper) ? TitleHit : 0) + (Has(result.Summary, paper) ? AbstractHit : 0);
                    if (focused)
                    {
                        centrality += Has(result.Central!.Leading, paper) ? LeadingMention : Has(result.Central.Repeated, paper) ? RepeatedMention : 0;
                    }
                }
                if (score < minScore || (focused && centrality == 0))
                {
                    continue;
                }
                Keep(matches, new PaperMatch(paper, score, keywordsHit) { Centrality = centrality }, limit);
            }
        }
        return matches;
    }

    [ThreadStatic]
    private static KeywordResult[]? _results;

    /// <summary>Centrality a keyword adds to a paper for a focused profile: in the title (or a listing qualifier), or twice in the abstract.</summary>
    public const int LeadingMention = 2;
    public const int RepeatedMention = 1;

    /// <summary>Where a keyword is central, for focused profiles: worked out once per keyword and day, on first use.</summary>
    private KeywordCentrality CentralityOf(CompiledKeyword keyword, KeywordResult result)
    {
        var words = Index.Words;
        var leading = new ulong[words];
        var repeated = new ulong[words];
        Or(leading, result.Title);
        foreach (var field in keyword.PositiveFields)
        {
            Or(leading, FieldIndex.Resolve(Index, field).Papers);
        }
        for (var w = 0; w < words; w++)
        {
            leading[w] &= result.Match[w];
            var word = result.Match[w] & ~leading[w] & result.Summary[w];
            while (word != 0)
            {
                var paper = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word);
                word &= word - 1;
                if (AbstractMentions(keyword, paper) >= 2)
                {
                    Bits.Set(repeated, paper);
                }
            }
        }
        return new KeywordCentrality(leading, repeated);
    }

    /// <summary>
    /// How often a keyword's terms occur in a paper's abstract: overlapping matches are one mention, so a phrase and
    /// its joined form ("fine-tuning" as fine-tuning and finetuning) count once per occurrence.
    /// </summary>
    public int AbstractMentions(CompiledKeyword keyword, int paper)
    {
        var spans = new List<TextSpan>();
        foreach (var term in keyword.PositiveTerms)
        {
            if (term.Scope == TextScope.Title)
            {
                continue;
            }
            foreach (var (field, start, end) in Index.Resolve(term).SpansIn(paper))
            {
                if (field == PaperIndex.Summary)
                {
                    spans.Add(new TextSpan(start, end - start));
                }
            }
        }
        return Normalise(spans).Count;
    }

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
            if (term.Scope != TextScope.Abstract)
            {
                Or(title, hits.Title);
            }
            if (term.Scope != TextScope.Title)
            {
                Or(summary, hits.Summary);
            }
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
            keywords.Add(WhyMatched(profile.Keywords[k], match.Paper));
            foreach (var term in profile.Keywords[k].PositiveTerms)
            {
                foreach (var (field, start, end) in Index.Resolve(term).SpansIn(match.Paper))
                {
                    if (InScope(term.Scope, field))
                    {
                        (field == PaperIndex.Title ? title : summary).Add(new TextSpan(start, end - start));
                    }
                }
            }
        }
        return new MatchExplanation(keywords, Normalise(title), Normalise(summary));
    }

    /// <summary>
    /// A keyword as the why-matched line shows it: as written, or, when it matched by a listing qualifier, what the
    /// paper lists that matched (<c>author: Geoffrey Hinton</c>), after the keyword when it says more than that.
    /// </summary>
    private string WhyMatched(CompiledKeyword keyword, int paper)
    {
        if (keyword.PositiveFields.Length == 0)
        {
            return keyword.Text;
        }
        var listed = keyword.PositiveFields
            .SelectMany(f => FieldIndex.Resolve(Index, f).ListedIn(paper).Select(name => $"{f.Label}: {name}"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (listed.Count == 0)
        {
            return keyword.Text;
        }
        var named = string.Join("; ", listed);
        return keyword.Query is FieldNode ? named : $"{keyword.Text} ({named})";
    }

    private static bool InScope(TextScope scope, int field) =>
        scope == TextScope.Anywhere || (scope == TextScope.Title) == (field == PaperIndex.Title);

    private void Evaluate(QueryNode node, Span<ulong> into)
    {
        switch (node)
        {
            case TermNode term:
                var hits = Index.Resolve(term);
                (term.Scope switch { TextScope.Title => hits.Title, TextScope.Abstract => hits.Summary, _ => hits.Any }).CopyTo(into);
                break;
            case FieldNode field:
                FieldIndex.Resolve(Index, field).Papers.CopyTo(into);
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
        var byCentrality = b.Centrality.CompareTo(a.Centrality); // 0 for broad profiles
        if (byCentrality != 0)
        {
            return byCentrality;
        }
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
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)] // Centrality packs beside Paper: 24 bytes, as before it
public readonly record struct PaperMatch(int Paper, double Score, ulong Keywords)
{
    /// <summary>For a focused profile: 2 per keyword in the title (or matched by a listing qualifier), 1 per keyword only twice in the abstract.</summary>
    public int Centrality { get; init; }
}

public sealed record MatchExplanation(IReadOnlyList<string> Keywords, IReadOnlyList<TextSpan> TitleSpans, IReadOnlyList<TextSpan> SummarySpans);

namespace Newsletter.Matching;

/// <summary>A keyword as written and as compiled, with the terms that count as hits for highlighting and scoring.</summary>
public sealed class CompiledKeyword
{
    public CompiledKeyword(string text, QueryNode query)
    {
        Text = text;
        Query = query;
        PositiveTerms = [.. Positive(query)];
        PositiveFields = [.. PositiveField(query)];
    }

    public string Text { get; }

    public QueryNode Query { get; }

    /// <summary>The terms not under a NOT: where these occur is what the digest highlights.</summary>
    public TermNode[] PositiveTerms { get; }

    /// <summary>The <c>author:</c>, <c>category:</c> and <c>source:</c> terms not under a NOT: the why-matched line names what they matched.</summary>
    public FieldNode[] PositiveFields { get; }

    /// <summary>
    /// This keyword's answer for the last index it was matched against. Keywords are shared by every profile that
    /// has them, so on a send day each distinct keyword is evaluated once, not once per subscriber.
    /// </summary>
    internal KeywordResult? LastResult { get; set; }

    private static IEnumerable<TermNode> Positive(QueryNode node) => node switch
    {
        TermNode term => [term],
        AndNode and => and.Children.SelectMany(Positive),
        OrNode or => or.Children.SelectMany(Positive),
        _ => [],
    };

    private static IEnumerable<FieldNode> PositiveField(QueryNode node) => node switch
    {
        FieldNode field => [field],
        AndNode and => and.Children.SelectMany(PositiveField),
        OrNode or => or.Children.SelectMany(PositiveField),
        _ => [],
    };
}

/// <summary>
/// A keyword's papers in one index: where it matches, where its positive terms occur in titles and abstracts, and
/// (worked out only when a focused profile asks) where it is central to the paper.
/// </summary>
internal sealed record KeywordResult(PaperIndex Index, ulong[] Match, ulong[] Title, ulong[] Summary)
{
    /// <summary>Set by the matcher on first use; a reference written whole, so threads may race to set it.</summary>
    public KeywordCentrality? Central { get; set; }
}

/// <summary>
/// Where a keyword is central to a paper (papers it matches only): in the title or by a listing qualifier
/// (<paramref name="Leading"/>), or not there but mentioned at least twice in the abstract (<paramref name="Repeated"/>).
/// </summary>
internal sealed record KeywordCentrality(ulong[] Leading, ulong[] Repeated);

/// <summary>A subscriber's interests, compiled once when saved: keywords (any may match) and exclusions (any vetoes).</summary>
public sealed class Profile
{
    public const int DefaultMaxPapers = 10;
    public const int MaxKeywords = 50;
    public const int MaxMaxPapers = 100;

    private Profile(string id, IReadOnlyList<CompiledKeyword> keywords, IReadOnlyList<CompiledKeyword> exclusions, int maxPapers, double? minScore, ProfileFocus focus)
    {
        Focus = focus;
        Id = id;
        Keywords = keywords;
        Exclusions = exclusions;
        MaxPapers = maxPapers;
        MinScore = minScore;
    }

    public string Id { get; }
    public IReadOnlyList<CompiledKeyword> Keywords { get; }
    public IReadOnlyList<CompiledKeyword> Exclusions { get; }
    public int MaxPapers { get; }
    public double? MinScore { get; }

    /// <summary>Broad (any mention) or focused (central mentions only, ranked by centrality first).</summary>
    public ProfileFocus Focus { get; }

    /// <exception cref="ProfileValidationException">The first problem, naming the keyword, the reason and the column.</exception>
    public static Profile Compile(string id, IReadOnlyList<string> keywords, IReadOnlyList<string>? exclusions = null, int maxPapers = DefaultMaxPapers, double? minScore = null,
        ProfileFocus focus = ProfileFocus.Broad)
    {
        exclusions ??= [];
        if (keywords.Count == 0)
        {
            throw Invalid("keyword", 0, null, "", "a profile needs at least one keyword");
        }
        if (keywords.Count > MaxKeywords || exclusions.Count > MaxKeywords)
        {
            throw Invalid(keywords.Count > MaxKeywords ? "keyword" : "exclusion", MaxKeywords + 1, null, "", $"a profile holds at most {MaxKeywords} keywords and {MaxKeywords} exclusions");
        }
        if (maxPapers is < 1 or > MaxMaxPapers)
        {
            throw Invalid("keyword", 0, null, "", $"the maximum number of papers must be between 1 and {MaxMaxPapers} (was {maxPapers})");
        }
        if (minScore is { } score && (!double.IsFinite(score) || score < 0))
        {
            throw Invalid("keyword", 0, null, "", $"the minimum score must not be negative (was {minScore})");
        }
        return new Profile(id, Compile("keyword", keywords), Compile("exclusion", exclusions), maxPapers, minScore, focus);
    }

    /// <summary>
    /// Every distinct keyword text compiled so far: subscribers share most of their keywords, so parsing each text
    /// once makes loading 100,000 profiles cheap, and lets the matcher evaluate each distinct keyword once per day.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CompiledKeyword> Compiled = new(StringComparer.Ordinal);
    private const int MaxCompiled = 1_000_000;

    private static List<CompiledKeyword> Compile(string kind, IReadOnlyList<string> texts)
    {
        var compiled = new List<CompiledKeyword>(texts.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            var text = texts[i] ?? "";
            if (Compiled.TryGetValue(text, out var known))
            {
                compiled.Add(known);
                continue;
            }
            try
            {
                var keyword = new CompiledKeyword(text.Trim(), QueryParser.Parse(text));
                if (Compiled.Count >= MaxCompiled)
                {
                    Compiled.Clear();
                }
                compiled.Add(Compiled.GetOrAdd(text, keyword));
            }
            catch (QuerySyntaxException e)
            {
                throw Invalid(kind, i + 1, e.Column, text, e.Reason);
            }
        }
        return compiled;
    }

    private static ProfileValidationException Invalid(string kind, int index, int? column, string text, string reason)
    {
        var where = index == 0 ? "" : column is { } c ? $" at column {c} in {kind} {index}" : $" in {kind} {index}";
        var shown = text.Length == 0 ? "" : $": \"{(text.Length > 60 ? text[..57] + "…" : text)}\"";
        return new ProfileValidationException(reason + where + shown, kind, index, column, text, reason);
    }
}

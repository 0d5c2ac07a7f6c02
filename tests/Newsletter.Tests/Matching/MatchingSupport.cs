using Newsletter.Matching;
using Newsletter.Papers;
using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Matching;

public static class MatchingSupport
{
    private static readonly Lazy<IReadOnlyList<Paper>> AllPapers = new(() =>
        ListingParser.Parse(File.ReadAllText(Corpus.PapersJson), "papers.json").Papers);

    public static IReadOnlyList<Paper> CorpusPapers => AllPapers.Value;

    public static Paper CorpusPaper(string id) => CorpusPapers.Single(p => p.Id == id);

    /// <summary>Whether a profile of these keywords and exclusions matches a paper with this abstract.</summary>
    public static bool Matches(string keyword, string text, params string[] exclusions) =>
        MatchesPaper(Paper.Of("2401.00001", "An unrelated title", text), [keyword], exclusions);

    public static bool MatchesPaper(Paper paper, string[] keywords, string[]? exclusions = null)
    {
        var matcher = new ProfileMatcher(PaperIndex.Build([paper]));
        return matcher.Match(Profile.Compile("p", keywords, exclusions ?? [])).Count == 1;
    }

    /// <summary>The text an abstract's matched spans cover, for checking highlights.</summary>
    public static List<string> Highlighted(string keyword, Paper paper)
    {
        var matcher = new ProfileMatcher(PaperIndex.Build([paper]));
        var profile = Profile.Compile("p", [keyword]);
        var match = Assert.Single(matcher.Match(profile));
        var why = matcher.Explain(profile, match);
        return [.. why.TitleSpans.Select(s => paper.Title.Substring(s.Start, s.Length)).Concat(why.SummarySpans.Select(s => paper.Summary.Substring(s.Start, s.Length)))];
    }
}

using Newsletter.Matching;
using Newsletter.Papers;

namespace Newsletter.Web.Pages;

/// <summary>
/// "Papers that would have matched in the last 7 days" for the preferences page: the keywords being edited against
/// the recent listings, at most as many as one email holds. The index over those papers is built once and kept until a newer day is ingested.
/// </summary>
public sealed class RecentPapersPreview(PaperStore papers, TimeProvider clock)
{
    public const int Days = 7;
    /// <summary>The longest list, for a subscriber whose emails hold more: the preview is a page to read at a glance.</summary>
    public const int Shown = 20;
    private static readonly TimeSpan Freshness = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _building = new(1, 1);
    private (ProfileMatcher Matcher, DateOnly? Latest, DateTimeOffset BuiltAt)? _current;

    /// <param name="focus">The focus being chosen: a focused subscriber sees the papers a focused digest would bring.</param>
    /// <param name="papersPerEmail">The subscriber's cap: a preview longer than their digest would promise papers it never brings.</param>
    /// <exception cref="ProfileValidationException">The keywords do not parse.</exception>
    public async Task<PreviewResult> MatchAsync(IReadOnlyList<string> keywords, IReadOnlyList<string> exclusions, int papersPerEmail, ProfileFocus focus,
        CancellationToken cancellationToken)
    {
        var profile = Profile.Compile("preview", keywords, exclusions, Profile.MaxMaxPapers, focus: focus);
        var (matcher, latest) = await MatcherAsync(cancellationToken);
        if (matcher is null)
        {
            return new PreviewResult(latest, 0, papersPerEmail, []);
        }
        var matches = matcher.Match(profile);
        return new PreviewResult(latest, matches.Count, papersPerEmail, [.. matches.Take(Math.Min(papersPerEmail, Shown)).Select(m =>
        {
            var why = matcher.Explain(profile, m);
            return new PreviewPaper(matcher.Index.Papers[m.Paper], m.Score, why.Keywords);
        })]);
    }

    private async Task<(ProfileMatcher? Matcher, DateOnly? Latest)> MatcherAsync(CancellationToken cancellationToken)
    {
        if (_current is { } fresh && clock.GetUtcNow() - fresh.BuiltAt < Freshness)
        {
            return (fresh.Matcher, fresh.Latest);
        }
        await _building.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } built && clock.GetUtcNow() - built.BuiltAt < Freshness)
            {
                return (built.Matcher, built.Latest);
            }
            var (latest, recent) = await papers.PapersOfRecentDaysAsync(Days, cancellationToken);
            if (recent.Count == 0)
            {
                return (null, latest);
            }
            var matcher = new ProfileMatcher(PaperIndex.Build(recent));
            _current = (matcher, latest, clock.GetUtcNow());
            return (matcher, latest);
        }
        finally
        {
            _building.Release();
        }
    }
}

public sealed record PreviewResult(DateOnly? LatestDay, int Total, int PapersPerEmail, IReadOnlyList<PreviewPaper> Papers);

public sealed record PreviewPaper(Paper Paper, double Score, IReadOnlyList<string> Matched);

using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Newsletter.Papers;

namespace Newsletter.Sources;

/// <summary>
/// Ingests one listing day: fetches every configured source once (Sources:Feeds, or the one Sources:DailyUrl), parses
/// each, unites them (a paper listed by several sources is one paper, with every source recorded), then stores the
/// union in one transaction (or only compares, for a dry run). A source that fails does not stop the others: the day is
/// stored with what was fetched and the failure is recorded with the source's name. Only when every source due that
/// day fails does the ingest fail (the day then stays due).
/// </summary>
public sealed partial class Ingestor(
    ListingFetcher fetcher,
    PaperStore store,
    ArxivPacing arxivPacing,
    IOptions<SourcesOptions> options,
    TimeProvider clock,
    Common.NewsletterMetrics metrics,
    ILogger<Ingestor> logger)
{
    public async Task<IngestReport> IngestAsync(IngestRequest request, CancellationToken cancellationToken)
    {
        var feeds = options.Value.EffectiveFeeds();
        if (request.SourceName is { } only && !feeds.Any(f => f.Name.Equals(only, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"there is no source named '{only}'; the configured sources are: {string.Join(", ", feeds.Select(f => f.Name))}.");
        }
        var outcomes = request.From is { } from
            ? [await FetchAsync(FeedOfFile(feeds, request.SourceName), from, request.Format, cancellationToken)]
            : await FetchDueAsync(feeds, request, cancellationToken);
        var listed = outcomes.Where(o => o.Listing is not null).ToList();
        var failed = outcomes.Where(o => o.Error is not null).ToList();
        var firstUrl = outcomes.FirstOrDefault(o => o.Url is not null)?.Url;
        var day = request.Date ?? listed.Select(o => o.Listing!.Date).FirstOrDefault(d => d is not null) ?? (firstUrl is null ? null : DateInAddress(firstUrl)) ?? Today();
        // a feed that serves only its latest listing may hold another day's (arXiv's RSS the next announcement): it goes to that day
        var otherDay = request.From is null ? listed.Where(o => o.Feed.LatestOnly && o.Listing!.Date is { } named && named != day).ToList() : [];
        var fetched = listed.Except(otherDay).ToList();
        var warnings = listed.SelectMany(o => o.Listing!.Warnings).ToList();
        foreach (var elsewhere in otherDay)
        {
            await SaveOnItsOwnDayAsync(feeds, elsewhere, request.DryRun, cancellationToken);
        }
        if (fetched.Count == 0 && otherDay.Count == 0 && failed.Count > 0)
        {
            // a file or URL given by hand is not a configured source failing
            await RecordFailuresAsync(day, failed, request.DryRun || request.From is not null, cancellationToken);
            // one source: its own error, as before there were several
            throw failed.Count == 1
                ? failed[0].Error!
                : new ListingException($"every source failed for {day:yyyy-MM-dd}: {string.Join("; ", failed.Select(f => $"{f.Feed.Name}: {f.Error!.Message}"))}")
                {
                    SourceUnreachable = failed.Any(f => f.Error!.SourceUnreachable),
                };
        }
        foreach (var warning in warnings)
        {
            LogWarning(warning);
        }
        foreach (var failure in failed)
        {
            LogSourceFailed(failure.Feed.Name, Day(day), failure.Error!.Message);
            warnings.Add($"source {failure.Feed.Name} failed: {failure.Error!.Message}");
        }
        // what a source not fetched for this day (--source, a failure, a latest-only feed) stored for it earlier stays in the day
        var stored = request.From is null && feeds.Any(f => !fetched.Any(o => o.Feed == f)) ? await store.PapersOnAsync(day, cancellationToken) : [];
        var papers = Unite(feeds, fetched, stored);
        foreach (var missed in otherDay.Where(o => o.Feed.PublishesOn(day) && !stored.Any(p => p.Sources.Contains(o.Feed.Name, StringComparer.Ordinal))))
        {
            var warning = $"source {missed.Feed.Name} now carries the listing of {missed.Listing!.Date:yyyy-MM-dd}, not of {day:yyyy-MM-dd} " +
                $"(it keeps only its latest, stored under {missed.Listing.Date:yyyy-MM-dd}); {day:yyyy-MM-dd} has none from it.";
            LogWarning(warning);
            warnings.Add(warning);
        }
        var source = string.Join(", ", fetched.Select(o => o.Url));
        var format = fetched.Count > 0 ? fetched[0].Listing!.Format : ListingFormat.Auto;
        var toStore = new ListingToStore(day, source, format.Name(), papers)
        {
            Parts = [.. fetched.Select(o => new ListingPart(o.Url!, o.Listing!.Format.Name(), o.Listing.Papers.Count))],
            FetchedSources = [.. fetched.Select(o => o.Feed.Name)],
            FailedSources = failed.ToDictionary(f => f.Feed.Name, f => f.Error!.Message),
        };
        var changes = fetched.Count == 0 && failed.Count == 0
            ? new ListingChanges(0, 0, 0) // no source published for that day: nothing to store, and nothing failed
            : request.DryRun
                ? await store.PreviewListingAsync(toStore, cancellationToken)
                : await store.SaveListingAsync(toStore, cancellationToken);
        if (!request.DryRun)
        {
            metrics.PapersIngested.Add(changes.New, new KeyValuePair<string, object?>("change", "new"));
            metrics.PapersIngested.Add(changes.Updated, new KeyValuePair<string, object?>("change", "updated"));
        }
        if (papers.Count == 0)
        {
            LogEmptyDay(Day(day), source.Length > 0 ? source : "any source (none publishes that day)");
        }
        else
        {
            LogIngested(papers.Count, Day(day), source, changes.New, changes.Updated, request.DryRun);
        }
        return new IngestReport(source, format, day, request.DryRun, papers, changes, warnings)
        {
            Sources = [.. outcomes.Select(o => o.Report(papers, otherDay.Contains(o)))],
        };
    }

    /// <summary>The source a listing read with --from stands for: the one named, else the first configured.</summary>
    private static Feed FeedOfFile(IReadOnlyList<Feed> feeds, string? name) =>
        name is null ? feeds[0] : feeds.First(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Each source that publishes on the day (or the one asked for), once, in configured order.</summary>
    private async Task<List<SourceOutcome>> FetchDueAsync(IReadOnlyList<Feed> feeds, IngestRequest request, CancellationToken cancellationToken)
    {
        var day = request.Date ?? Today();
        var outcomes = new List<SourceOutcome>();
        foreach (var feed in feeds)
        {
            if (request.SourceName is { } only && !feed.Name.Equals(only, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            // a latest-only feed is fetched whatever the day: what it holds now may be a day it publishes on (Monday's announcement while Sunday is ingested)
            if (!feed.LatestOnly && !feed.PublishesOn(day))
            {
                outcomes.Add(new SourceOutcome(feed, null, null, null, Scheduled: false));
                continue;
            }
            if (feed.Kind == FeedKinds.Arxiv)
            {
                await arxivPacing.WaitTurnAsync(cancellationToken);
            }
            outcomes.Add(await FetchAsync(feed, feed.UrlFor(day), request.Format, cancellationToken));
        }
        return outcomes;
    }

    private async Task<SourceOutcome> FetchAsync(Feed feed, string from, ListingFormat format, CancellationToken cancellationToken)
    {
        try
        {
            var fetched = await fetcher.FetchAsync(from, cancellationToken);
            var listing = ListingParser.Parse(fetched.Content, fetched.Source, format);
            return new SourceOutcome(feed, fetched.Source, listing, null);
        }
        catch (ListingException e)
        {
            return new SourceOutcome(feed, from, null, e);
        }
    }

    /// <summary>
    /// One paper per arXiv id, in the order of the sources as configured (the first source's order first, then what
    /// only later ones listed). Where sources disagree, the one configured first wins for title, abstract, authors and
    /// organization, a field it left empty comes from the next; upvotes are the highest; categories are the union, the
    /// first source's (primary first) leading. Sources not fetched this time (with --source) keep what is stored.
    /// </summary>
    private static List<Paper> Unite(IReadOnlyList<Feed> feeds, IReadOnlyList<SourceOutcome> fetched, IReadOnlyList<Paper> stored)
    {
        var united = new Dictionary<string, Paper>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var feed in feeds)
        {
            var papers = fetched.FirstOrDefault(o => o.Feed == feed)?.Listing!.Papers
                ?? stored.Where(p => p.Sources.Contains(feed.Name, StringComparer.Ordinal));
            foreach (var paper in papers)
            {
                if (united.TryGetValue(paper.Id, out var first))
                {
                    united[paper.Id] = Merge(first, paper, feed.Name);
                }
                else
                {
                    united[paper.Id] = paper with { Sources = [feed.Name] };
                    order.Add(paper.Id);
                }
            }
        }
        return [.. order.Select(id => united[id])];
    }

    /// <summary>
    /// Stores a latest-only feed's listing under the day it names, united with what that day already holds. It writes no
    /// listings row: that day counts as ingested only once its own ingest has run (and then this source is not fetched twice for it).
    /// </summary>
    private async Task SaveOnItsOwnDayAsync(IReadOnlyList<Feed> feeds, SourceOutcome outcome, bool dryRun, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            return;
        }
        var day = outcome.Listing!.Date!.Value;
        var papers = Unite(feeds, [outcome], await store.PapersOnAsync(day, cancellationToken));
        await store.SaveListingAsync(new ListingToStore(day, outcome.Url!, outcome.Listing.Format.Name(), papers)
        {
            Parts = [],
            FetchedSources = [outcome.Feed.Name],
        }, cancellationToken);
    }

    private static Paper Merge(Paper first, Paper later, string source) => first with
    {
        Title = first.Title.Length > 0 ? first.Title : later.Title,
        Summary = first.Summary.Length > 0 ? first.Summary : later.Summary,
        Upvotes = Math.Max(first.Upvotes, later.Upvotes),
        PublishedAt = first.PublishedAt ?? later.PublishedAt,
        Authors = first.Authors.Count > 0 ? first.Authors : later.Authors,
        Organization = first.Organization ?? later.Organization,
        Categories = [.. first.Categories.Concat(later.Categories).Distinct(StringComparer.Ordinal)],
        Sources = [.. first.Sources.Append(source).Distinct(StringComparer.Ordinal)],
    };

    /// <summary>Records why every source failed (the exception on its way out tells the caller).</summary>
    private async Task RecordFailuresAsync(DateOnly day, List<SourceOutcome> failed, bool dryRun, CancellationToken cancellationToken)
    {
        if (!dryRun)
        {
            await store.RecordSourceFailuresAsync(day, failed.ToDictionary(f => f.Feed.Name, f => f.Error!.Message), cancellationToken);
        }
    }

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly? DateInAddress(string from)
    {
        var match = DatePattern().Match(from);
        return match.Success && DateOnly.TryParseExact(match.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    }

    /// <summary>What became of one source for the day: fetched (with its listing), failed, or not due that day.</summary>
    private sealed record SourceOutcome(Feed Feed, string? Url, ParsedListing? Listing, ListingException? Error, bool Scheduled = true)
    {
        public SourceReport Report(IReadOnlyList<Paper> united, bool otherDay) => new(
            Feed.Name, Feed.Kind, Url,
            !Scheduled ? SourceStatus.NotScheduled : Error is not null ? SourceStatus.Failed : otherDay ? SourceStatus.OtherDay : SourceStatus.Fetched,
            Listing?.Papers.Count ?? 0,
            Listing is null || otherDay ? 0 : united.Count(p => p.Sources.Count == 1 && p.Sources[0] == Feed.Name),
            Error?.Message)
        {
            ListedDay = Listing?.Date,
        };
    }

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")]
    private static partial Regex DatePattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private partial void LogWarning(string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {Source} failed for {Day}: {Reason}")]
    private partial void LogSourceFailed(string source, string day, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "No papers listed for {Day} in {Source}; nothing to store")]
    private partial void LogEmptyDay(string day, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Count} papers for {Day} from {Source}: {New} new, {Updated} updated (dry run: {DryRun})")]
    private partial void LogIngested(int count, string day, string source, int @new, int updated, bool dryRun);
}

/// <param name="SourceName">Only this configured source (Sources:Feeds name); with <paramref name="From"/>, the source that listing stands for.</param>
public sealed record IngestRequest(string? From, ListingFormat Format = ListingFormat.Auto, DateOnly? Date = null, bool DryRun = false, string? SourceName = null);

public sealed record IngestReport(
    string Source,
    ListingFormat Format,
    DateOnly Date,
    bool DryRun,
    IReadOnlyList<Paper> Papers,
    ListingChanges Changes,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Each configured source: fetched (how many papers, how many only it listed), failed (why) or not due that day.</summary>
    public IReadOnlyList<SourceReport> Sources { get; init; } = [];

    /// <summary>The sources that failed while the day went on with the others, for the run history; null when none did.</summary>
    public string? SourceFailures => Sources.Any(s => s.Status == SourceStatus.Failed)
        ? string.Join("; ", Sources.Where(s => s.Status == SourceStatus.Failed).Select(s => $"source {s.Name} failed: {s.Error}"))
        : null;
}

public enum SourceStatus
{
    Fetched,
    Failed,
    NotScheduled,

    /// <summary>Fetched, but it held another day's listing (a latest-only feed), stored under that day.</summary>
    OtherDay,
}

public sealed record SourceReport(string Name, string Kind, string? Url, SourceStatus Status, int Listed, int OnlyHere, string? Error)
{
    /// <summary>The day the source's listing names, when it names one.</summary>
    public DateOnly? ListedDay { get; init; }

    public string StatusName => Status switch
    {
        SourceStatus.Fetched => "fetched",
        SourceStatus.Failed => "failed",
        SourceStatus.OtherDay => "other-day",
        _ => "not-scheduled",
    };
}

using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Newsletter.Papers;

namespace Newsletter.Sources;

/// <summary>Ingests one listing: fetch, parse, then store it in one transaction (or only compare, for a dry run).</summary>
public sealed partial class Ingestor(
    ListingFetcher fetcher,
    PaperStore store,
    IOptions<SourcesOptions> options,
    TimeProvider clock,
    Common.NewsletterMetrics metrics,
    ILogger<Ingestor> logger)
{
    public async Task<IngestReport> IngestAsync(IngestRequest request, CancellationToken cancellationToken)
    {
        var from = request.From ?? options.Value.DailyUrlFor(request.Date ?? Today());
        var fetched = await fetcher.FetchAsync(from, cancellationToken);
        var listing = ListingParser.Parse(fetched.Content, fetched.Source, request.Format);
        foreach (var warning in listing.Warnings)
        {
            LogWarning(warning);
        }
        var day = request.Date ?? listing.Date ?? DateInAddress(from) ?? Today();
        var toStore = new ListingToStore(day, fetched.Source, listing.Format.Name(), listing.Papers);
        var changes = request.DryRun
            ? await store.PreviewListingAsync(toStore, cancellationToken)
            : await store.SaveListingAsync(toStore, cancellationToken);
        if (!request.DryRun)
        {
            metrics.PapersIngested.Add(changes.New, new KeyValuePair<string, object?>("change", "new"));
            metrics.PapersIngested.Add(changes.Updated, new KeyValuePair<string, object?>("change", "updated"));
        }
        if (listing.Papers.Count == 0)
        {
            LogEmptyDay(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), fetched.Source);
        }
        else
        {
            LogIngested(listing.Papers.Count, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), fetched.Source, changes.New, changes.Updated, request.DryRun);
        }
        return new IngestReport(fetched.Source, listing.Format, day, request.DryRun, listing.Papers, changes, listing.Warnings);
    }

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    private static DateOnly? DateInAddress(string from)
    {
        var match = DatePattern().Match(from);
        return match.Success && DateOnly.TryParseExact(match.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    }

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")]
    private static partial Regex DatePattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private partial void LogWarning(string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "No papers listed for {Day} in {Source}; nothing to store")]
    private partial void LogEmptyDay(string day, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Count} papers for {Day} from {Source}: {New} new, {Updated} updated (dry run: {DryRun})")]
    private partial void LogIngested(int count, string day, string source, int @new, int updated, bool dryRun);
}

public sealed record IngestRequest(string? From, ListingFormat Format = ListingFormat.Auto, DateOnly? Date = null, bool DryRun = false);

public sealed record IngestReport(
    string Source,
    ListingFormat Format,
    DateOnly Date,
    bool DryRun,
    IReadOnlyList<Paper> Papers,
    ListingChanges Changes,
    IReadOnlyList<string> Warnings);

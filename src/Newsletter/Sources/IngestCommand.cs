using System.CommandLine;
using Newsletter.Cli;

namespace Newsletter.Sources;

public static class IngestCommand
{
    public static Command Create(CliContext context)
    {
        var from = new Option<string?>("--from")
        {
            Description = "A listing file path or http(s) URL. Default: Sources:DailyUrl for --date (or today).",
            HelpName = "url-or-path",
        };
        var format = new Option<string>("--format")
        {
            Description = "The listing's format; auto tells it from the content.",
            DefaultValueFactory = _ => "auto",
        };
        format.AcceptOnlyFromAmong(ListingFormats.Names);
        var date = CliOptions.Date("The day the listing is for. Default: the day the listing names, else today (UTC).");
        var dryRun = new Option<bool>("--dry-run") { Description = "Parse and report what would change; write nothing." };
        var since = CliOptions.Date("Fetch every day from this one (to --until, default yesterday) from Sources:DailyUrl.", "--since");
        var until = CliOptions.Date("With --since: the last day to fetch.", "--until");
        var json = CliOptions.Json();
        var source = new Option<string?>("--source")
        {
            Description = "Only this source of Sources:Feeds (by name, e.g. arxiv); with --from, the source that listing stands for. Default: every source.",
            HelpName = "name",
        };

        var command = new Command("ingest", "Read one daily listing (or, with --since, each day of a range) and store its papers.") { from, format, date, since, until, dryRun, json, source };
        command.Validators.Add(result =>
        {
            if (result.GetValue(since) is null && result.GetValue(until) is not null)
            {
                result.AddError("--until needs --since.");
            }
            if (result.GetValue(since) is not null && (result.GetValue(from) is not null || result.GetValue(date) is not null))
            {
                result.AddError("--since fetches each day from Sources:DailyUrl; it cannot be combined with --from or --date.");
            }
        });
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var sourceName = KnownSource(services, result.GetValue(source));
            if (result.GetValue(since) is { } first)
            {
                var last = result.GetValue(until) ?? DateOnly.FromDateTime(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime).AddDays(-1);
                if (last < first)
                {
                    throw new UsageException($"--until {last:yyyy-MM-dd} is before --since {first:yyyy-MM-dd}.");
                }
                return await IngestRangeAsync(context, services, first, last, ListingFormats.Parse(result.GetValue(format)!), result.GetValue(dryRun), result.GetValue(json), sourceName, ct);
            }
            var request = new IngestRequest(result.GetValue(from), ListingFormats.Parse(result.GetValue(format)!), result.GetValue(date), result.GetValue(dryRun), sourceName);
            var report = await services.GetRequiredService<Ingestor>().IngestAsync(request, ct);
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(new
                {
                    source = report.Source,
                    format = report.Format.Name(),
                    date = report.Date,
                    dryRun = report.DryRun,
                    fetched = report.Papers.Count,
                    @new = report.Changes.New,
                    updated = report.Changes.Updated,
                    changed = report.Changes.Changed,
                    skipped = report.Warnings.Count(w => w.StartsWith("skipped", StringComparison.Ordinal)),
                    warnings = report.Warnings,
                    papers = report.Papers.Select(p => new { id = p.Id, title = p.Title, upvotes = p.Upvotes, publishedAt = p.PublishedAt }),
                    sources = report.Sources.Select(s => new { name = s.Name, kind = s.Kind, url = s.Url, status = s.StatusName, listedDay = s.ListedDay, listed = s.Listed, onlyHere = s.OnlyHere, error = s.Error }),
                });
            }
            else
            {
                var verb = report.DryRun ? "Would store" : "Stored";
                var origin = report.Source.Length > 0 ? $"{report.Source} ({report.Format.Name()})" : "no source (none had a listing for that day)";
                await context.Output.WriteLineAsync(
                    $"{verb} {report.Papers.Count} papers for {report.Date:yyyy-MM-dd} from {origin}: " +
                    $"{report.Changes.New} new, {report.Changes.Updated} updated ({report.Changes.Changed} changed).");
                if (report.Sources.Count > 1)
                {
                    foreach (var s in report.Sources)
                    {
                        await context.Output.WriteLineAsync(s.Status switch
                        {
                            SourceStatus.Fetched => $"  {s.Name,-12} {s.Listed,5} papers ({s.OnlyHere} only there)",
                            SourceStatus.Failed => $"  {s.Name,-12} failed",
                            SourceStatus.OtherDay => $"  {s.Name,-12} {s.Listed,5} papers, the listing of {s.ListedDay:yyyy-MM-dd} (stored under that day)",
                            _ => $"  {s.Name,-12} does not publish on {report.Date:dddd}",
                        });
                    }
                }
                foreach (var warning in report.Warnings)
                {
                    await context.Error.WriteLineAsync($"warning: {warning}");
                }
            }
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    /// <summary>The configured source of that name (as configured), or a usage error listing the names.</summary>
    private static string? KnownSource(IServiceProvider services, string? name)
    {
        if (name is null)
        {
            return null;
        }
        var feeds = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SourcesOptions>>().Value.EffectiveFeeds();
        return feeds.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Name
            ?? throw new UsageException($"--source {name}: there is no such source; the configured sources (Sources:Feeds) are: {string.Join(", ", feeds.Select(f => f.Name))}.");
    }

    /// <summary>Each day in turn; a day that fails is reported and the rest go on.</summary>
    private static async Task<int> IngestRangeAsync(
        CliContext context, IServiceProvider services, DateOnly first, DateOnly last, ListingFormat format, bool dryRun, bool json, string? sourceName, CancellationToken cancellationToken)
    {
        var ingestor = services.GetRequiredService<Ingestor>();
        var days = new List<DayResult>();
        await ProgressDisplay.RunAsync(context, json, async progress =>
        {
            using var phase = progress.Begin("ingest", last.DayNumber - first.DayNumber + 1);
            for (var day = first; day <= last; day = day.AddDays(1))
            {
                try
                {
                    var report = await ingestor.IngestAsync(new IngestRequest(null, format, day, dryRun, sourceName), cancellationToken);
                    days.Add(new DayResult(day, report.Papers.Count, report.Changes.New, report.Changes.Updated, null));
                }
                catch (ListingException e)
                {
                    days.Add(new DayResult(day, 0, 0, 0, e.Message));
                }
                phase.Advance();
            }
            phase.Complete($"{days.Sum(d => d.Fetched)} papers from {days.Count} days, {days.Count(d => d.Error is not null)} failed");
            return days;
        });
        var failed = days.Count(d => d.Error is not null);
        if (json)
        {
            await context.WriteJsonAsync(new
            {
                since = first, until = last, dryRun, fetched = days.Sum(d => d.Fetched), @new = days.Sum(d => d.New), updated = days.Sum(d => d.Updated), failed,
                days = days.Select(d => new { date = d.Date, fetched = d.Fetched, @new = d.New, updated = d.Updated, error = d.Error }),
            });
        }
        else
        {
            foreach (var d in days)
            {
                await context.Output.WriteLineAsync(d.Error is null ? $"{d.Date:yyyy-MM-dd}  {d.Fetched,4} papers  {d.New,4} new  {d.Updated,4} updated" : $"{d.Date:yyyy-MM-dd}  failed: {d.Error}");
            }
            await ProgressDisplay.WriteSummaryAsync(context, $"{(dryRun ? "Would store" : "Stored")} {first:yyyy-MM-dd} to {last:yyyy-MM-dd}",
            [
                ("days", days.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("papers fetched", days.Sum(d => d.Fetched).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("new", days.Sum(d => d.New).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("updated", days.Sum(d => d.Updated).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("days failed", failed.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ]);
        }
        return failed > 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private sealed record DayResult(DateOnly Date, int Fetched, int New, int Updated, string? Error);
}

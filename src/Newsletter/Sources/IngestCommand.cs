using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
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
        var json = CliOptions.Json();

        var command = new Command("ingest", "Read one daily listing and store its papers.") { from, format, date, dryRun, json };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async (services, ct) =>
        {
            var request = new IngestRequest(result.GetValue(from), ListingFormats.Parse(result.GetValue(format)!), result.GetValue(date), result.GetValue(dryRun));
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
                });
            }
            else
            {
                var verb = report.DryRun ? "Would store" : "Stored";
                await context.Output.WriteLineAsync(
                    $"{verb} {report.Papers.Count} papers for {report.Date:yyyy-MM-dd} from {report.Source} ({report.Format.Name()}): " +
                    $"{report.Changes.New} new, {report.Changes.Updated} updated ({report.Changes.Changed} changed).");
                foreach (var warning in report.Warnings)
                {
                    await context.Error.WriteLineAsync($"warning: {warning}");
                }
            }
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}

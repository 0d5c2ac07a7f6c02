using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Cli;
using Newsletter.Hosting;
using Newsletter.Papers;

namespace Newsletter.Sources;

/// <summary>The first thing a new user runs: ingest the bundled sample day and show what was stored.</summary>
public static class DemoCommand
{
    public const string SampleName = "daily-papers-2026-03-11.json";

    public static Command Create(CliContext context)
    {
        var command = new Command("demo", "Ingest the bundled sample day (no network needed) and list the stored papers.");
        command.SetAction((_, cancellationToken) => CommandRunner.RunAsync(context, async (services, ct) =>
        {
            var home = services.GetRequiredService<NewsletterHome>();
            var samplePath = home.Resolve(Path.Combine("data", "sample", SampleName));
            await ExtractSampleAsync(samplePath, ct);
            var report = await services.GetRequiredService<Ingestor>().IngestAsync(new IngestRequest(samplePath), ct);
            var stored = await services.GetRequiredService<PaperStore>().ListAsync(report.Date, ct);
            await context.Output.WriteLineAsync($"Ingested the sample listing for {report.Date:yyyy-MM-dd}: {report.Papers.Count} papers ({report.Changes.New} new, {report.Changes.Updated} already stored).");
            await context.Output.WriteLineAsync($"Database: {services.GetRequiredService<Data.Database>().FilePath}");
            await context.Output.WriteLineAsync();
            foreach (var paper in stored)
            {
                await context.Output.WriteLineAsync($"  {paper.Id}  {paper.Title}");
            }
            await context.Output.WriteLineAsync();
            await context.Output.WriteLineAsync("Next: './newsletter papers list --json', or './newsletter ingest --from <url-or-file>' for a real day.");
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static async Task ExtractSampleAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var resource = typeof(DemoCommand).Assembly.GetManifestResourceStream("sample/" + SampleName)
            ?? throw new InvalidOperationException("the bundled sample listing is missing from this build.");
        await using var file = File.Create(path);
        await resource.CopyToAsync(file, cancellationToken);
    }
}

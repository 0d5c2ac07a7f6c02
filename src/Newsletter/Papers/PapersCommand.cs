using System.CommandLine;
using Newsletter.Cli;

namespace Newsletter.Papers;

public static class PapersCommand
{
    public static Command Create(CliContext context)
    {
        var date = CliOptions.Date("Only papers listed on this day, in listed order.");
        var json = CliOptions.Json();
        var list = new Command("list", "List stored papers.") { date, json };
        list.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var papers = await services.GetRequiredService<PaperStore>().ListAsync(result.GetValue(date), ct);
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(papers.Select(p => new
                {
                    id = p.Id,
                    title = p.Title,
                    summary = p.Summary,
                    upvotes = p.Upvotes,
                    publishedAt = p.PublishedAt,
                    firstSeen = p.FirstSeen,
                    days = p.Days,
                    sources = p.Sources,
                    categories = p.Categories,
                }));
            }
            else
            {
                await WriteTableAsync(context.Output, papers);
            }
            return ExitCodes.Ok;
        }, cancellationToken));
        return new Command("papers", "Stored papers.") { list };
    }

    private static async Task WriteTableAsync(TextWriter output, IReadOnlyList<StoredPaper> papers)
    {
        foreach (var p in papers)
        {
            var title = p.Title.Length > 80 ? p.Title[..79] + "…" : p.Title;
            await output.WriteLineAsync($"{p.Id,-12} {p.Upvotes,6}  {string.Join(',', p.Days),-22} {title}");
        }
        await output.WriteLineAsync($"{papers.Count} papers.");
    }
}

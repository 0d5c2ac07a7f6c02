using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Papers;
using Newsletter.Sources;

namespace Newsletter.Bench;

/// <summary>Listing parsing (MB/s, pages/s, papers/s) and batched storage of 100,000 papers.</summary>
public static class IngestBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var storeCount = args.Length > 0 ? int.Parse(args[0]) : 100_000;

        Console.WriteLine($"## Ingest ({BenchSupport.Machine()})");
        Console.WriteLine();
        Console.WriteLine("| what | input | time per run | throughput | target |");
        Console.WriteLine("|---|---|---|---|---|");
        Parse("HF HTML pages (AngleSharp + embedded JSON)", "hf-html", ".html", ListingFormat.HfHtml, "≥ 50 MB/s");
        Parse("HF HTML pages, card fallback only", "hf-html", ".html", ListingFormat.HfHtml, "", stripJson: true);
        Parse("HF API JSON", "hf-api", ".json", ListingFormat.HfJson, "");
        await StoreAsync(storeCount, noSummary: false);
        await StoreAsync(storeCount, noSummary: true);
        return 0;
    }

    private static void Parse(string what, string folder, string extension, ListingFormat format, string target, bool stripJson = false)
    {
        var pages = Directory.GetFiles(BenchSupport.Corpus(folder), "*" + extension).Order().Select(File.ReadAllText).ToArray();
        if (stripJson)
        {
            pages = [.. pages.Select(p => System.Text.RegularExpressions.Regex.Replace(p, "<div class=\"SVELTE_HYDRATER[^>]*>", "<div>"))];
        }
        var bytes = pages.Sum(p => (long)System.Text.Encoding.UTF8.GetByteCount(p));
        var papers = 0;
        var seconds = BenchSupport.SecondsPerRun(() =>
        {
            papers = 0;
            foreach (var page in pages)
            {
                papers += ListingParser.Parse(page, "bench", format).Papers.Count;
            }
        }, TimeSpan.FromSeconds(3));
        Console.WriteLine($"| parse {what} | {pages.Length} pages, {bytes / 1e6:0.00} MB, {papers} papers | {seconds * 1000:0.0} ms | " +
            $"{bytes / 1e6 / seconds:0} MB/s, {pages.Length / seconds:0} pages/s, {papers / seconds:N0} papers/s | {target} |");
        if (target != "")
        {
            BenchReport.Key("ingest", $"parse {what}", $"{bytes / 1e6 / seconds:0} MB/s", target, bytes / 1e6 / seconds >= 50);
        }
    }

    private static string Kind(bool noSummary) => noSummary ? " (titles only, no abstracts)" : " (with abstracts, ~1.3 KB each)";

    private static async Task StoreAsync(int count, bool noSummary)
    {
        var corpus = ListingParser.Parse(File.ReadAllText(BenchSupport.Corpus("papers.json")), "papers.json").Papers;
        var papers = Enumerable.Range(0, count)
            // each with the source it came from, as ingest records it (a paper_sources row each)
            .Select(i => corpus[i % corpus.Count] with { Id = $"{9000 + i / 100_000}.{i % 100_000:D5}", Upvotes = i % 97, Summary = noSummary ? "" : corpus[i % corpus.Count].Summary, Sources = ["hf"] })
            .ToList();
        var dir = Path.Combine(Path.GetTempPath(), "newsletter-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var database = new Database(Options.Create(new DatabaseOptions { ConnectionString = $"Data Source={Path.Combine(dir, "bench.db")}" }), new NewsletterHome(dir, ""));
            await new Migrator(database, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
            var store = new PaperStore(database, TimeProvider.System);

            var clock = Stopwatch.StartNew();
            await store.PreviewListingAsync(new ListingToStore(new DateOnly(2026, 1, 1), "bench", "hf-json", papers), CancellationToken.None);
            Console.WriteLine($"| dry run{Kind(noSummary)}: the same writes, rolled back (empty database) | {count:N0} papers | {clock.Elapsed.TotalMilliseconds:0} ms | {count / clock.Elapsed.TotalSeconds:N0} papers/s | |");
            clock.Restart();
            var inserted = await store.SaveListingAsync(new ListingToStore(new DateOnly(2026, 1, 1), "bench", "hf-json", papers), CancellationToken.None);
            var insertSeconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"| store new papers{Kind(noSummary)}, one listing = one transaction | {count:N0} papers | {insertSeconds * 1000:0} ms | {count / insertSeconds:N0} papers/s | ≥ 100,000 papers/s |");
            BenchReport.Key("ingest", $"store {count:N0} new papers{Kind(noSummary)}, batched", $"{count / insertSeconds:N0} papers/s", "≥ 100,000 papers/s", count / insertSeconds >= 100_000);

            clock.Restart();
            var again = await store.SaveListingAsync(new ListingToStore(new DateOnly(2026, 1, 1), "bench", "hf-json", papers), CancellationToken.None);
            var upsertSeconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"| re-store the same papers{Kind(noSummary)} (upsert, all existing) | {count:N0} papers | {upsertSeconds * 1000:0} ms | {count / upsertSeconds:N0} papers/s | ≥ 100,000 papers/s |");

            var days = papers.Chunk(1_000).ToList();
            clock.Restart();
            var day = new DateOnly(2026, 2, 1);
            foreach (var chunk in days)
            {
                await store.SaveListingAsync(new ListingToStore(day, "bench", "hf-json", chunk), CancellationToken.None);
                day = day.AddDays(1);
            }
            var chunkedSeconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"| store{Kind(noSummary)} in {days.Count} listings of 1,000 (one transaction each) | {count:N0} papers | {chunkedSeconds * 1000:0} ms | {count / chunkedSeconds:N0} papers/s | |");
            if (inserted.New != count || again.Updated != count)
            {
                throw new InvalidOperationException($"store counted {inserted.New} new / {again.Updated} updated, expected {count}");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}

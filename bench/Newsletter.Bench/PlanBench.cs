using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Digests;
using Newsletter.Hosting;
using Newsletter.Scheduling;
using Newsletter.Papers;
using Newsletter.Sources;

namespace Newsletter.Bench;

/// <summary>
/// The day's match phase alone, on a SQLite file: N generated subscribers against one recorded day, first decided
/// without recording (pages read, profiles loaded, matched), then planned and recorded as the daily run does. A
/// quicker loop than `e2e` for work on planning (a million in about four minutes instead of eleven).
/// </summary>
public static class PlanBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var subscribers = args.Length > 0 && int.TryParse(args[0], out var count) ? count : 100_000;
        var scheduled = args.Contains("--scheduled");
        var folder = Directory.CreateTempSubdirectory("newsletter-plan-").FullName;
        try
        {
            string[] settings = [$"--Database:ConnectionString=Data Source={Path.Combine(folder, "newsletter.db")}", "--Logging:LogLevel:Default=Warning",
                "--Smtp:From=digest@papers.example.org", "--Site:SigningKey=bench-signing-key-0123456789abcdef0123"];
            using var host = AppHost.BuildForCommand(ConfigSwitches.Extract(settings));
            await host.Services.PrepareAsync(migrate: true, CancellationToken.None);
            var date = new DateOnly(2026, 3, 11);
            await host.Services.GetRequiredService<Ingestor>().IngestAsync(new IngestRequest(BenchSupport.Corpus("hf-api", "2026-03-11.json")), CancellationToken.None);
            var papers = await host.Services.GetRequiredService<PaperStore>().PapersOnAsync(date, CancellationToken.None);
            await SubscriberGenerator.AddAsync(host.Services.GetRequiredService<Database>(), subscribers, "e", CancellationToken.None);
            var planner = host.Services.GetRequiredService<DigestPlanner>();
            if (scheduled)
            {
                await ScheduledAsync(host.Services, planner, date, papers, subscribers);
                return 0;
            }

            Console.WriteLine($"## The match phase alone ({BenchSupport.Machine()}; a SQLite file)");
            Console.WriteLine();
            Console.WriteLine($"Run on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC at commit {BenchSupport.Commit()}: `dotnet run -c Release --project bench/Newsletter.Bench -- plan {subscribers}`; " +
                              $"{subscribers:N0} subscribers, one day of {papers.Count} papers.");
            Console.WriteLine();
            Console.WriteLine("| step | digests | time | per digest | working set after |");
            Console.WriteLine("|---|---|---|---|---|");
            var clock = Stopwatch.StartNew();
            var decided = await planner.PlanAsync(date, papers, null, record: false, CancellationToken.None);
            Row("decide (pages read, profiles loaded, matched; nothing recorded)", decided.Count, clock.Elapsed);
            clock.Restart();
            var planned = await planner.PlanAsync(date, papers, null, record: true, CancellationToken.None);
            Row("plan (the same, with every digest and its papers recorded, pages taken, subscribers marked)", planned.Count, clock.Elapsed);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Console.WriteLine();
            Console.WriteLine($"Database file afterwards: {new FileInfo(Path.Combine(folder, "newsletter.db")).Length / 1e6:N0} MB.");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }

        // serve's wake-up: who is due (DailyRun.DueAsync), then their digests planned over the days they cover
        static async Task ScheduledAsync(IServiceProvider services, DigestPlanner planner, DateOnly date, IReadOnlyList<Paper> papers, int subscribers)
        {
            Console.WriteLine($"## The scheduled wake-up's planning ({BenchSupport.Machine()}; a SQLite file)");
            Console.WriteLine();
            Console.WriteLine($"Run on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC at commit {BenchSupport.Commit()}: `dotnet run -c Release --project bench/Newsletter.Bench -- plan {subscribers} --scheduled`; " +
                              $"{subscribers:N0} subscribers (send hour 8, UTC), woken at {date.AddDays(1):yyyy-MM-dd} 09:00 UTC, one day of {papers.Count} papers.");
            Console.WriteLine();
            Console.WriteLine("| step | digests | time | per digest | working set after | peak working set so far | allocated |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            var clock = Stopwatch.StartNew();
            var allocated = GC.GetTotalAllocatedBytes();
            var due = await services.GetRequiredService<DailyRun>().DueAsync(new DateTimeOffset(date.AddDays(1).ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero), CancellationToken.None);
            ScheduledRow("who is due (DailyRun.DueAsync)", due.Values.Sum(d => d.Count), clock.Elapsed, allocated);
            clock.Restart();
            allocated = GC.GetTotalAllocatedBytes();
            var planned = 0;
            foreach (var day in due.Values)
            {
                foreach (var (first, count) in day.CountsByFirstDay)
                {
                    planned += (await planner.PlanCoveringAsync(first, day.Date, papers, day.CoveringFrom(first), count, record: true, CancellationToken.None)).Count;
                }
            }
            ScheduledRow("their digests planned and recorded (DigestPlanner.PlanCoveringAsync)", planned, clock.Elapsed, allocated);
        }

        static void ScheduledRow(string step, int digests, TimeSpan time, long allocatedBefore)
        {
            using var process = Process.GetCurrentProcess();
            Console.WriteLine($"| {step} | {digests:N0} | {time.TotalSeconds:0.0} s | {time.TotalMilliseconds * 1000 / Math.Max(1, digests):0} µs | " +
                              $"{process.WorkingSet64 / 1e6:0} MB | {process.PeakWorkingSet64 / 1e6:0} MB | {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1e6:N0} MB |");
        }

        static void Row(string step, int digests, TimeSpan time) =>
            Console.WriteLine($"| {step} | {digests:N0} | {time.TotalSeconds:0.0} s | {time.TotalMilliseconds * 1000 / Math.Max(1, digests):0} µs | {Environment.WorkingSet / 1e6:0} MB |");
    }
}

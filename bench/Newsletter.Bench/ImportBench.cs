using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Admin;
using Newsletter.Common;
using Newsletter.Hosting;
using Newsletter.Subscribers;

namespace Newsletter.Bench;

/// <summary>CSV import of many subscribers into an empty SQLite file: read, check every row like the form, write in batches.</summary>
public static class ImportBench
{
    private static readonly string[] Topics =
        ["reinforcement learning", "\"graph neural\" NOT survey", "diffusion AND video", "quantization", "retrieval augmented", "speech recognition"];

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0]) : 100_000;
        var folder = Directory.CreateTempSubdirectory("newsletter-import-").FullName;
        try
        {
            var csv = new StringBuilder("email,name,keywords,exclusions,maxPapers,sendHour,timeZone\n");
            for (var i = 0; i < count; i++)
            {
                var keywords = $"{Topics[i % Topics.Length]} | {Topics[(i / 7) % Topics.Length]}".Replace("\"", "\"\"", StringComparison.Ordinal);
                csv.Append($"reader{i:D7}@example.org,Reader {i},\"{keywords}\",survey,{5 + i % 10},{i % 24},Europe/Berlin\n");
            }
            string[] settings =
            [
                $"--Database:ConnectionString=Data Source={Path.Combine(folder, "newsletter.db")}", "--Logging:LogLevel:Default=Warning",
                "--Site:SigningKey=bench-signing-key-0123456789abcdef0123",
            ];
            using var host = AppHost.BuildForCommand(ConfigSwitches.Extract(settings));
            await host.Services.PrepareAsync(migrate: true, CancellationToken.None);
            var import = host.Services.GetRequiredService<SubscriberImport>();

            Console.WriteLine($"## CSV import ({BenchSupport.Machine()})");
            Console.WriteLine();
            Console.WriteLine("| what | rows | time | rows/s | target |");
            Console.WriteLine("|---|---|---|---|---|");
            var clock = Stopwatch.StartNew();
            var (rows, errors) = await SubscriberCsv.ReadAsync(new StringReader(csv.ToString()), CancellationToken.None);
            var read = clock.Elapsed;
            Console.WriteLine($"| read the CSV ({csv.Length / 1e6:0.0} MB) | {rows.Count:N0} | {read.TotalMilliseconds:0} ms | {rows.Count / read.TotalSeconds:N0} | |");
            clock.Restart();
            var dry = await import.ImportAsync(rows, confirmed: true, dryRun: true, CancellationToken.None);
            Console.WriteLine($"| dry run: every row checked, nothing written | {rows.Count:N0} | {clock.Elapsed.TotalMilliseconds:0} ms | {rows.Count / clock.Elapsed.TotalSeconds:N0} | |");
            clock.Restart();
            var real = await import.ImportAsync(rows, confirmed: true, dryRun: false, CancellationToken.None);
            var total = read + clock.Elapsed;
            Console.WriteLine($"| import into an empty SQLite file, read included | {real.Added:N0} added, {real.Failed + errors.Count} failed | {total.TotalSeconds:0.0} s | {count / total.TotalSeconds:N0} | < 30 s |");
            BenchReport.Key("admin", $"CSV import of {count:N0} subscribers into SQLite", $"{total.TotalSeconds:0.0} s", "< 30 s", total.TotalSeconds < 30);
            if (dry.Added != count || real.Added != count)
            {
                Console.Error.WriteLine($"expected {count} added, got dry {dry.Added}, real {real.Added}");
                return 1;
            }
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

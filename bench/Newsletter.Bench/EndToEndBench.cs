using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Hosting;
using Newsletter.Scheduling;

namespace Newsletter.Bench;

/// <summary>
/// One daily run as the service does it, on the embedded default (a SQLite file): N active subscribers with 3–5
/// keywords, one day of papers, ingest → match → render → send into the aiosmtpd sink over 4 connections; the
/// phase times come from the run history the run writes.
/// </summary>
public static class EndToEndBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var subscribers = args.Length > 0 ? int.Parse(args[0]) : 10_000;
        var folder = Directory.CreateTempSubdirectory("newsletter-e2e-").FullName;
        using var sink = await DiscardingSink.StartAsync("aiosmtpd");
        var sinkPort = sink.Port;
        // the day's listing over loopback HTTP, so ingest runs the real HTTP client as it would against the site
        var sourcePort = SendBench.FreePort();
        using var source = new System.Net.HttpListener();
        source.Prefixes.Add($"http://127.0.0.1:{sourcePort}/");
        source.Start();
        var serving = ServeListingAsync(source);
        try
        {
            string[] settings =
            [
                $"--Database:ConnectionString=Data Source={Path.Combine(folder, "newsletter.db")}", "--Smtp:Host=127.0.0.1", $"--Smtp:Port={sinkPort}",
                "--Smtp:Security=None", "--Smtp:MaxPerSecond=0", "--Smtp:Connections=4", "--Smtp:From=digest@papers.example.org",
                "--Site:SigningKey=bench-signing-key-0123456789abcdef0123", "--Logging:LogLevel:Default=Warning",
                $"--Sources:DailyUrl=http://127.0.0.1:{sourcePort}/api/daily_papers?date={{date}}",
            ];
            using var host = AppHost.BuildForCommand(ConfigSwitches.Extract(settings));
            await host.Services.PrepareAsync(migrate: true, CancellationToken.None);
            await AddSubscribersAsync(host.Services.GetRequiredService<Database>(), subscribers);

            var clock = Stopwatch.StartNew();
            var report = await host.Services.GetRequiredService<DailyRun>().RunAsync(new RunRequest(new DateOnly(2026, 3, 11), "bench"), CancellationToken.None);
            var total = clock.Elapsed;
            var run = (await host.Services.GetRequiredService<RunLog>().FindAsync(report.RunId, CancellationToken.None))!;

            Console.WriteLine($"## End to end ({BenchSupport.Machine()}; SQLite file, aiosmtpd sink on the same cores)");
            Console.WriteLine();
            Console.WriteLine($"{subscribers:N0} active subscribers with 3–5 keywords; one day ({report.Papers} papers); {report.Planned.Count:N0} digests planned " +
                              $"({run.Matches:N0} matches), {report.Sent.Sent:N0} accepted by the sink.");
            Console.WriteLine();
            Console.WriteLine("| phase | items | time | per item |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var phase in run.Phases)
            {
                var note = phase.Phase == "render" ? " (summed per digest; overlaps send)" : "";
                Console.WriteLine($"| {phase.Phase}{note} | {phase.Items:N0} | {phase.DurationMs:N0} ms | {(phase.Items == 0 ? "" : $"{phase.DurationMs * 1000.0 / phase.Items:0} µs")} |");
            }
            Console.WriteLine($"| whole run | {report.Sent.Sent:N0} digests | {total.TotalMilliseconds:N0} ms | {report.Sent.Sent / total.TotalSeconds:N0} digests/s |");
            BenchReport.Key("end to end", $"daily run for {subscribers:N0} subscribers on SQLite: ingest → match → render → send (4 connections)",
                $"{total.TotalSeconds:0.0} s ({report.Sent.Sent / total.TotalSeconds:N0} digests/s)", "");
            if (report.Sent.Sent != report.Planned.Count)
            {
                throw new InvalidOperationException($"only {report.Sent.Sent} of {report.Planned.Count} digests were accepted");
            }
        }
        finally
        {
            source.Stop();
            await serving;
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    private static async Task ServeListingAsync(System.Net.HttpListener listener)
    {
        var listing = await File.ReadAllBytesAsync(BenchSupport.Corpus("hf-api", "2026-03-11.json"));
        while (listener.IsListening)
        {
            System.Net.HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(listing);
            context.Response.Close();
        }
    }

    /// <summary>Subscribers written straight into the tables, as an import would: this is set-up, not what is measured.</summary>
    private static async Task AddSubscribersAsync(Database database, int count)
    {
        var random = new Random(42);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        for (var i = 0; i < count; i++)
        {
            var keywords = Enumerable.Range(0, random.Next(3, 6)).Select(_ => MatchBench.Vocabulary[random.Next(MatchBench.Vocabulary.Length)]);
            await connection.ExecuteAsync(
                """
                INSERT INTO subscribers (id, email, status, send_hour, time_zone, secret, created_at, updated_at)
                VALUES (@Id, @Email, 'active', 8, 'UTC', 'secret', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z');
                INSERT INTO profiles (subscriber_id, keywords, exclusions, max_papers, updated_at)
                VALUES (@Id, @Keywords, '[]', 10, '2026-03-01T00:00:00Z');
                """,
                new { Id = $"e{i:D7}", Email = $"reader{i:D7}@example.org", Keywords = System.Text.Json.JsonSerializer.Serialize(keywords) }, transaction);
        }
        await transaction.CommitAsync();
    }
}

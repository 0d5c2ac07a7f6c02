using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Digests;
using Newsletter.Hosting;
using Newsletter.Papers;
using Newsletter.Sources;
using Npgsql;

namespace Newsletter.Bench;

/// <summary>
/// Issue 7's load figures: N subscribers with 3–5 keywords on one PostgreSQL, one day of papers, a discarding sink;
/// the match phase (plan and record every digest), the render phase, and the send phase by 1 and by 3 sender
/// processes (`newsletter digest run`, sharing the outbox through claims), with each process's peak memory.
/// </summary>
public static class NodesBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var subscribers = args.Length > 0 ? int.Parse(args[0]) : 100_000;
        var nodeCounts = args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToArray() : [1, 3];
        await using var postgres = await ThrowawayPostgres.StartAsync(Statements ? "-c shared_preload_libraries=pg_stat_statements" : "");
        using var sink = await DiscardingSink.StartAsync(args.Length > 2 ? args[2] : "smtp-sink");
        var sinkPort = sink.Port;
        var connectionString = postgres.ConnectionString;
        string[] settings =
        [
            "--Database:Provider=postgres", $"--Database:ConnectionString={connectionString}", "--Smtp:Host=127.0.0.1", $"--Smtp:Port={sinkPort}",
            "--Smtp:Security=None", "--Smtp:MaxPerSecond=0", "--Smtp:Connections=4", "--Smtp:From=digest@papers.example.org",
            "--Site:SigningKey=bench-signing-key-0123456789abcdef0123", "--Logging:LogLevel:Default=Warning",
        ];
        using var host = AppHost.BuildForCommand(ConfigSwitches.Extract(settings));
        await host.Services.PrepareAsync(migrate: true, CancellationToken.None);
        var date = new DateOnly(2026, 3, 11);
        await host.Services.GetRequiredService<Ingestor>().IngestAsync(new IngestRequest(BenchSupport.Corpus("hf-api", "2026-03-11.json")), CancellationToken.None);
        var papers = await host.Services.GetRequiredService<PaperStore>().PapersOnAsync(date, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        await SubscriberGenerator.AddAsync(host.Services.GetRequiredService<Database>(), subscribers, "n", CancellationToken.None);
        var loading = clock.Elapsed;

        Console.WriteLine($"## Several nodes ({BenchSupport.Machine()}; PostgreSQL 15 and the {sink.Name} on the same 2 cores)");
        Console.WriteLine();
        Console.WriteLine($"Run on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC at commit {BenchSupport.Commit()}: `dotnet run -c Release --project bench/Newsletter.Bench -- nodes {string.Join(' ', args)}`.");
        Console.WriteLine();
        Console.WriteLine($"{subscribers:N0} active subscribers with 3–5 keywords each (loaded with COPY in {loading.TotalSeconds:0.0} s); one day of {papers.Count} papers.");
        Console.WriteLine();
        Console.WriteLine("| phase | nodes | time | per digest | peak memory per node | target |");
        Console.WriteLine("|---|---|---|---|---|---|");
        clock.Restart();
        var decided = await host.Services.GetRequiredService<DigestPlanner>().PlanAsync(date, papers, null, record: false, CancellationToken.None);
        var decide = clock.Elapsed;
        clock.Restart();
        var planned = await host.Services.GetRequiredService<DigestPlanner>().PlanAsync(date, papers, null, record: true, CancellationToken.None, keep: true);
        var match = clock.Elapsed;
        Console.WriteLine($"| match only (load and compile profiles, match, why-matched; nothing recorded) | 1 (all cores) | {decide.TotalSeconds:0.0} s | {decide.TotalMilliseconds * 1000 / Math.Max(1, decided.Count):0} µs | | |");
        Console.WriteLine($"| match: every profile against the day, capped, why-matched, {planned.Count:N0} digests recorded as owed | 1 (all cores) | {match.TotalSeconds:0.0} s | {match.TotalMilliseconds * 1000 / planned.Count:0} µs | {Environment.WorkingSet / 1e6:0} MB (this process) | |");
        var composer = host.Services.GetRequiredService<DigestComposer>();
        clock.Restart();
        Parallel.ForEach(planned.Digests, digest => composer.Render(composer.Model(new DigestRecipient(digest.SubscriberId, digest.SubscriberId + "@example.org", null, "s"), date, digest.Papers)));
        var render = clock.Elapsed;
        Console.WriteLine($"| render HTML + text of every digest | 1 (all cores) | {render.TotalSeconds:0.0} s | {render.TotalMilliseconds * 1000 / planned.Count:0} µs | | match + render < 10 s: {(decide + render).TotalSeconds:0.0} s; with the plan recorded, {(match + render).TotalSeconds:0.0} s |");

        var program = Path.Combine(AppContext.BaseDirectory, "newsletter.dll");
        foreach (var nodes in nodeCounts)
        {
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.ExecuteAsync("UPDATE deliveries SET status = 'pending', claimed_by = NULL, claimed_until = NULL, sent_at = NULL, attempts = 0");
            }
            clock.Restart();
            var processes = Enumerable.Range(0, nodes).Select(_ => Process.Start(new ProcessStartInfo("dotnet",
                [program, "digest", "run", "--date", "2026-03-11", "--skip-ingest", .. settings]) { RedirectStandardOutput = true, RedirectStandardError = true })!).ToList();
            var peaks = new long[nodes];
            var outputs = processes.Select(p => (p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync())).ToList();
            while (processes.Any(p => !p.HasExited))
            {
                for (var i = 0; i < nodes; i++)
                {
                    peaks[i] = Math.Max(peaks[i], Rss(processes[i]));
                }
                await Task.Delay(200);
            }
            var send = clock.Elapsed;
            if (Statements)
            {
                await PrintStatementsAsync(connectionString);
            }
            long sent;
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                sent = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM deliveries WHERE status = 'sent'");
            }
            var errors = 0;
            foreach (var (stdout, stderr) in outputs)
            {
                if ((await stderr).Contains("error", StringComparison.OrdinalIgnoreCase))
                {
                    errors++;
                    Console.Error.WriteLine(await stderr);
                }
            }
            Console.WriteLine($"| send (render + MIME + SMTP), {sent:N0} of {planned.Count:N0} accepted by the sink{(errors > 0 ? $", {errors} nodes reported errors" : "")} | {nodes} | {send.TotalSeconds:0.0} s | {sent / send.TotalSeconds:N0}/s | " +
                              $"{string.Join(" / ", peaks.Select(p => $"{p / 1e6:0} MB"))} | {(nodes == 3 ? $"< 2 min with the match: {(match + send).TotalSeconds:0} s" : "")} |");
        }
        return 0;
    }

    /// <summary>NEWSLETTER_BENCH_STATEMENTS=1: after each send, the statements PostgreSQL spent the most time on (pg_stat_statements).</summary>
    private static bool Statements => Environment.GetEnvironmentVariable("NEWSLETTER_BENCH_STATEMENTS") == "1";

    private static async Task PrintStatementsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        foreach (var row in await connection.QueryAsync<(string Query, long Calls, double Total, long Rows)>(
                     "SELECT query, calls, total_exec_time, rows FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12"))
        {
            Console.Error.WriteLine($"{row.Total,10:0} ms {row.Calls,8} calls {row.Rows,9} rows  {string.Join(' ', row.Query.Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries))[..Math.Min(160, row.Query.Length)]}");
        }
        await connection.ExecuteAsync("SELECT pg_stat_statements_reset()");
    }

    private static long Rss(Process process) => AppProcess.Memory(process.Id, "VmRSS");
}

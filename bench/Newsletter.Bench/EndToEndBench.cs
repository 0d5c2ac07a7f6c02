using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Hosting;
using Newsletter.Scheduling;

namespace Newsletter.Bench;

/// <summary>
/// One daily run as the service does it: N active subscribers with 3–5 keywords, one day of papers, ingest → match →
/// render → send into a discarding sink, by the built app as child processes (<c>newsletter digest run</c>, the code
/// <c>serve</c> runs), so each process's peak working set is its own. With several nodes (PostgreSQL) the day is
/// ingested first and the nodes share the send through claims. Phase times come from the run history; the sink's own
/// ceiling is measured in the same run with pre-serialised digests of the same size.
/// </summary>
public static class EndToEndBench
{
    private const string Day = "2026-03-11";

    private const int ConnectionsPerNode = 4;

    /// <summary>The ceiling is measured with this many messages at most (or as many as there are subscribers).</summary>
    private const int CeilingMessages = 20_000;

    public static async Task<int> RunAsync(string[] args)
    {
        EndToEndOptions options;
        try
        {
            options = EndToEndOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        var loadBefore = LoadAverage();
        using var sink = await DiscardingSink.StartAsync(options.Sink);
        await using var database = await BenchDatabase.CreateAsync(options.Postgres);
        using var source = new System.Net.HttpListener();
        var sourcePort = SendBench.FreePort();
        source.Prefixes.Add($"http://127.0.0.1:{sourcePort}/");
        source.Start();
        var serving = ServeListingAsync(source);
        try
        {
            string[] settings = [.. database.Settings, .. AppSettings(sink.Port, sourcePort)];
            Console.WriteLine($"## End to end ({BenchSupport.Machine()}; {database.Name}, {sink.Name} on the same cores)");
            Console.WriteLine();
            Console.WriteLine($"Run on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC at commit {BenchSupport.Commit()}: " +
                              $"`dotnet run -c Release --project bench/Newsletter.Bench -- e2e {string.Join(' ', args)}` (sink: {options.Sink}; load average before: {loadBefore}).");
            Console.WriteLine();
            await GenerateAsync(settings, options, database.Name);
            if (!options.GenerateOnly)
            {
                await RunDayAsync(settings, options, sink.Port, loadBefore);
            }
        }
        finally
        {
            source.Stop();
            await serving;
        }
        return 0;
    }

    private static string[] AppSettings(int sinkPort, int sourcePort) =>
    [
        "--Smtp:Host=127.0.0.1", $"--Smtp:Port={sinkPort}", "--Smtp:Security=None", "--Smtp:MaxPerSecond=0", $"--Smtp:Connections={ConnectionsPerNode}",
        "--Smtp:From=digest@papers.example.org", "--Site:SigningKey=bench-signing-key-0123456789abcdef0123", "--Logging:LogLevel:Default=Warning",
        $"--Sources:DailyUrl=http://127.0.0.1:{sourcePort}/api/daily_papers?date={{date}}",
    ];

    /// <summary>Migrates the empty database and fills it with subscribers, in this process: set-up, timed on its own.</summary>
    private static async Task GenerateAsync(string[] settings, EndToEndOptions options, string databaseName)
    {
        using var host = AppHost.BuildForCommand(ConfigSwitches.Extract(settings));
        await host.Services.PrepareAsync(migrate: true, CancellationToken.None);
        await SubscriberGenerator.AddTimedAsync(host.Services.GetRequiredService<Database>(), options.Subscribers, databaseName, CancellationToken.None);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private static async Task RunDayAsync(string[] settings, EndToEndOptions options, int sinkPort, string loadBefore)
    {
        var clock = Stopwatch.StartNew();
        AppProcess? ingest = null;
        if (options.Nodes > 1)
        {
            // the nodes would each fetch the day; one process stores it first, as a deployment's ingest would
            ingest = AppProcess.Start(["ingest", "--since", Day, "--until", Day, .. settings]);
            await AppProcess.WaitAllAsync([ingest]);
        }
        var ingestTime = clock.Elapsed;
        string[] run = ["digest", "run", "--date", Day, .. options.Nodes > 1 ? ["--skip-ingest"] : Array.Empty<string>(), .. settings];
        var nodes = Enumerable.Range(0, options.Nodes).Select(_ => AppProcess.Start(run)).ToList();
        await AppProcess.WaitAllAsync(nodes);
        var wall = clock.Elapsed;
        var loadAfter = LoadAverage();

        using var host = AppHost.BuildForCommand(ConfigSwitches.Extract(settings));
        var runs = await RunsOfAsync(host.Services.GetRequiredService<RunLog>(), nodes);
        var statuses = await DeliveryStatusesAsync(host.Services.GetRequiredService<Database>());
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var sent = runs.Sum(r => r.Run.Sent);
        var papersPerDigest = (int)Math.Round(runs.Sum(r => r.Run.Matches) / (double)Math.Max(1, runs.Sum(r => r.Run.Planned)));
        var ceiling = await SinkCeiling.MeasureAsync(sinkPort, ConnectionsPerNode * options.Nodes, papersPerDigest, Math.Min(options.Subscribers, CeilingMessages));
        var sendRate = sent / SendWindow(runs).TotalSeconds;

        Console.WriteLine($"{options.Subscribers:N0} active subscribers; one day ({runs[0].Run.Papers} papers); {options.Nodes} node{(options.Nodes == 1 ? "" : "s")} " +
                          $"× {ConnectionsPerNode} SMTP connections; deliveries afterwards: {statuses}.");
        Console.WriteLine();
        PrintTable(runs, ingest, ingestTime);
        Console.WriteLine();
        Console.WriteLine($"- whole day, first process started to last one done: {wall.TotalSeconds:0.0} s for {sent:N0} digests, **{sent / wall.TotalSeconds:N0} digests/s end to end**");
        Console.WriteLine($"- the send phase (first start to last end): {SendWindow(runs).TotalSeconds:0.0} s, {sendRate:N0} digests/s");
        Console.WriteLine($"- the sink's ceiling, same run: {ceiling.Rate:N0} messages/s ({ceiling.Messages:N0} pre-serialised digests of {papersPerDigest} papers, " +
                          $"{ceiling.AverageBytes / 1024:0.0} KiB on average, over {ConnectionsPerNode * options.Nodes} connections); **send rate / ceiling = {sendRate / ceiling.Rate:P0}**");
        Console.WriteLine($"- load average (1, 5, 15 min) before: {loadBefore}; after the run: {loadAfter}");
        BenchReport.Key("end to end", $"daily run for {options.Subscribers:N0} subscribers on {(options.Postgres ? "PostgreSQL" : "SQLite")}, {options.Nodes} node(s), {options.Sink}",
            $"{wall.TotalSeconds:0.0} s ({sent / wall.TotalSeconds:N0} digests/s; send {sendRate / ceiling.Rate:P0} of the sink's ceiling)", "");
    }

    private static void PrintTable(IReadOnlyList<(AppProcess Process, RunRecord Run)> runs, AppProcess? ingest, TimeSpan ingestTime)
    {
        Console.WriteLine("| process | ingest | match | send | render (summed per digest, inside send) | run | digests sent | digests/s | peak working set |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        if (ingest is not null)
        {
            Console.WriteLine($"| `ingest` (before the nodes) | {ingestTime.TotalMilliseconds:N0} ms (whole process) | | | | | | | {ingest.PeakBytes / 1e6:N0} MB |");
        }
        for (var i = 0; i < runs.Count; i++)
        {
            var (process, run) = runs[i];
            var seconds = (run.DurationMs ?? 0) / 1000.0;
            Console.WriteLine($"| node {i + 1} (`digest run`) | {Phase(run, "ingest")} | {Phase(run, "match")} | {Phase(run, "send")} | {Phase(run, "render")} | " +
                              $"{seconds:0.0} s | {run.Sent:N0} | {run.Sent / Math.Max(seconds, 0.001):N0} | {process.PeakBytes / 1e6:N0} MB |");
        }
    }

    private static string Phase(RunRecord run, string name) =>
        run.Phases.FirstOrDefault(p => p.Phase == name) is { } phase ? $"{phase.DurationMs:N0} ms ({phase.Items:N0})" : "";

    /// <summary>From the first node's send starting to the last one's ending.</summary>
    private static TimeSpan SendWindow(IReadOnlyList<(AppProcess Process, RunRecord Run)> runs)
    {
        var sends = runs.SelectMany(r => r.Run.Phases).Where(p => p.Phase == "send").Select(p =>
        {
            var start = DateTimeOffset.Parse(p.StartedAt, CultureInfo.InvariantCulture);
            return (Start: start, End: start.AddMilliseconds(p.DurationMs));
        }).ToList();
        return sends.Count == 0 ? TimeSpan.FromMilliseconds(1) : sends.Max(s => s.End) - sends.Min(s => s.Start);
    }

    /// <summary>Each process's run, found by the node the run history records (machine/pid).</summary>
    private static async Task<List<(AppProcess Process, RunRecord Run)>> RunsOfAsync(RunLog log, IReadOnlyList<AppProcess> processes)
    {
        var runs = await log.ListAsync(processes.Count + 10, CancellationToken.None);
        return [.. processes.Select(p => (p, runs.FirstOrDefault(r => r.Node.EndsWith($"/{p.Pid}", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no run in the history for process {p.Pid}")))];
    }

    private static async Task<string> DeliveryStatusesAsync(Database database)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var rows = await connection.QueryAsync<(string Status, long Count)>("SELECT status, count(*) FROM deliveries GROUP BY status ORDER BY status");
        return string.Join(", ", rows.Select(r => $"{r.Count:N0} {r.Status}"));
    }

    private static string LoadAverage() => string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

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
}

using System.Diagnostics;
using System.Globalization;

namespace Newsletter.Bench;

/// <summary>
/// The whole suite at sizes that fit in a few minutes on a 2-core machine, written to bench/results.md: the key
/// figures against their targets (and the naive way, measured in the same run) first, then every suite's table.
/// </summary>
public static class AllBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var output = args.Length > 0 ? Path.GetFullPath(args[0]) : Path.Combine(BenchSupport.RepoRoot, "bench", "results.md");
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var console = Console.Out;
        var tee = new TeeWriter(console);
        Console.SetOut(tee);
        var timings = new List<(string Suite, TimeSpan Took)>();
        try
        {
            foreach (var (name, run) in new (string, Func<Task<int>>)[]
            {
                ("ingest", () => IngestBench.RunAsync(["20000"])),
                ("match", () => MatchBench.RunAsync([])),
                ("render", () => RenderBench.RunAsync(["20000"])), // the size issue 5 was measured at: a day's block reuse grows with its digests
                ("send", () => SendBench.RunAsync(["5000"])),
                ("end to end", () => EndToEndBench.RunAsync(["10000"])),
                ("import", () => ImportBench.RunAsync(["100000"])),
            })
            {
                var suiteClock = Stopwatch.StartNew();
                await console.WriteLineAsync($"--- {name}");
                if (await run() != 0)
                {
                    throw new InvalidOperationException($"the {name} suite failed");
                }
                Console.WriteLine();
                timings.Add((name, suiteClock.Elapsed));
            }
        }
        finally
        {
            Console.SetOut(console);
        }
        var commit = BenchSupport.Commit();
        var report = $"""
            # Benchmark results

            Run on {started:yyyy-MM-dd HH:mm} UTC at commit {commit}; {BenchSupport.Machine()}.
            Command: `bench/run.sh` (the whole suite took {clock.Elapsed.TotalSeconds:0} s: {string.Join(", ", timings.Select(t => $"{t.Suite} {t.Took.TotalSeconds:0} s"))}).
            This machine is shared and noisy: the same figure moves by ±25 % between runs. Release build, workstation GC.

            ## Key figures against their targets

            "× naive" is how many times better than the naive way measured in the same run: substring matching for
            the matcher, MailKit's default socket (Nagle on) for one connection, one connection for four.

            {BenchReport.Table()}

            ## Every measurement

            {tee.Copy()}
            """;
        await File.WriteAllTextAsync(output, report.ReplaceLineEndings("\n"));
        await console.WriteLineAsync($"Wrote {output} in {clock.Elapsed.TotalSeconds:0} s.");
        return 0; // a missed target is a finding for the report, not a failure of the run
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Newsletter.Matching;

namespace Newsletter.Bench;

/// <summary>
/// The first index of a fresh process, as a deployment runs it: the program started anew for every run (`newsletter
/// match` over 500 papers, with NEWSLETTER_TIMINGS=1 so it reports its own index build: wall clock and its thread's
/// CPU time), from the build output as `dotnet run` and `./newsletter` start it, and from the published folders of
/// docs/deploy.md (the composite self-contained one, also under the runtime's tiering switches, and the plain
/// ReadyToRun one). Runs of the variants alternate, so the noise of a shared machine falls on all alike.
/// </summary>
public static partial class StartupBench
{
    /// <summary>docs/deploy.md's command, less the output folder.</summary>
    public static readonly string[] Composite =
        ["publish", "src/Newsletter", "-c", "Release", "-r", "linux-x64", "--self-contained", "-p:PublishReadyToRun=true", "-p:PublishReadyToRunComposite=true"];

    /// <summary>docs/deploy.md's lighter folder, for a server with the runtime installed.</summary>
    public static readonly string[] Plain = ["publish", "src/Newsletter", "-c", "Release", "-r", "linux-x64", "-p:PublishReadyToRun=true"];

    /// <param name="args">[runs] [composite folder] [plain folder]: folders already published are used as they are.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 9;
        var artifacts = Path.Combine(BenchSupport.RepoRoot, "bench", "artifacts");
        var composite = args.Length > 1 ? Path.GetFullPath(args[1]) : await PublishAsync(Composite, Path.Combine(artifacts, "publish-composite"));
        var plain = args.Length > 2 ? Path.GetFullPath(args[2]) : await PublishAsync(Plain, Path.Combine(artifacts, "publish-plain"));
        var built = Path.Combine(BenchSupport.RepoRoot, "src", "Newsletter", "bin", "Release", "net10.0", "newsletter.dll");
        if (!File.Exists(built))
        {
            throw new InvalidOperationException($"{built} is missing: dotnet build -c Release src/Newsletter");
        }
        var input = Directory.CreateTempSubdirectory("newsletter-startup-").FullName;
        try
        {
            var (papers, profiles) = await WriteInputAsync(input);
            var program = Path.Combine(composite, "newsletter");
            Variant[] variants =
            [
                new("build output, JIT (as `dotnet run`, `./newsletter` run it)", "dotnet", [built], []),
                new("**published: composite ReadyToRun, self-contained (docs/deploy.md)**", program, [], []),
                new("published composite, DOTNET_gcServer=1 (the server collector, as before)", program, [], [("DOTNET_gcServer", "1")]),
                new("published composite, DOTNET_TieredCompilation=0", program, [], [("DOTNET_TieredCompilation", "0")]),
                new("published composite, DOTNET_ReadyToRun=0 (its precompiled code ignored)", program, [], [("DOTNET_ReadyToRun", "0")]),
                new("published: plain ReadyToRun, framework-dependent", Path.Combine(plain, "newsletter"), [], []),
            ];
            var results = variants.ToDictionary(v => v, _ => new List<Run>());
            var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
            for (var i = 0; i < runs; i++)
            {
                foreach (var variant in variants)
                {
                    results[variant].Add(await RunOnceAsync(variant, papers, profiles));
                }
            }
            var loadAfter = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

            Console.WriteLine($"## First index of a fresh process ({BenchSupport.Machine()})");
            Console.WriteLine();
            Console.WriteLine($"Run on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC at commit {BenchSupport.Commit()}: `dotnet run -c Release --project bench/Newsletter.Bench -- startup {string.Join(' ', args)}` "
                + $"(load average {load} before the runs, {loadAfter} after). Each run is a new process of `newsletter match` over 500 papers, every word new to it; "
                + $"medians of {runs} runs, fastest–slowest in brackets. \"CPU\" is the CPU time of the thread that built the index: the wall clock on a shared "
                + "machine also counts the time other processes had the core.");
            Console.WriteLine();
            Console.WriteLine("| program | first index, 500 papers | its thread's CPU | index done, after process start | whole command, start to exit | target |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var variant in variants)
            {
                var r = results[variant];
                Console.WriteLine($"| {variant.Name} | {Median(r, x => x.IndexMs)} | {Median(r, x => x.IndexCpuMs)} | {Median(r, x => x.SinceStartMs)} | {Median(r, x => x.WallMs)} | {(variant == variants[1] ? "≤ 50 ms" : "")} |");
            }
            var dotnetRun = Middle(results[variants[0]].Select(x => x.IndexMs));
            var published = Middle(results[variants[1]].Select(x => x.IndexMs));
            BenchReport.Key("startup", $"first index, 500 papers, fresh process of the published build (median of {runs})", $"{published:0.0} ms", "≤ 50 ms", published <= 50,
                $"build output (JIT): {dotnetRun:0.0} ms", dotnetRun / published);
            return 0;
        }
        finally
        {
            Directory.Delete(input, recursive: true);
        }
    }

    private sealed record Variant(string Name, string Program, string[] Arguments, (string Name, string Value)[] Environment);

    private sealed record Run(double IndexMs, double IndexCpuMs, double SinceStartMs, double WallMs);

    private static async Task<string> PublishAsync(string[] command, string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        // both configurations share this intermediate folder, and the SDK would reuse the other's precompiled images
        // (the folder then does not start)
        foreach (var stale in new[] { "obj", "bin" })
        {
            var path = Path.Combine(BenchSupport.RepoRoot, "src", "Newsletter", stale, "Release", "net10.0", "linux-x64");
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        Console.Error.WriteLine($"publishing: dotnet {string.Join(' ', command)} -o {folder}");
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo("dotnet", [.. command, "-o", folder, "-nologo", "-v", "quiet"]) { WorkingDirectory = BenchSupport.RepoRoot, RedirectStandardOutput = true };
        using var publish = Process.Start(start)!;
        var output = await publish.StandardOutput.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed:\n{output}");
        }
        Console.Error.WriteLine($"published in {clock.Elapsed.TotalSeconds:0} s");
        return folder;
    }

    /// <summary>A day of 500 papers as MatchBench builds it (the corpus repeated under new ids), and a few profiles.</summary>
    private static async Task<(string Papers, string Profiles)> WriteInputAsync(string folder)
    {
        var corpus = JsonNode.Parse(await File.ReadAllTextAsync(BenchSupport.Corpus("papers.json")))!.AsArray();
        var papers = new JsonArray();
        for (var i = 0; i < 500; i++)
        {
            var entry = corpus[i % corpus.Count]!.DeepClone();
            entry["paper"]!["id"] = $"9913.{i:D5}";
            papers.Add(entry);
        }
        var random = new Random(42);
        var profiles = new JsonArray([.. Enumerable.Range(0, 20).Select(i => new JsonObject
        {
            ["id"] = $"p{i}",
            ["keywords"] = new JsonArray([.. Enumerable.Range(0, random.Next(3, 6)).Select(_ => (JsonNode)MatchBench.Vocabulary[random.Next(MatchBench.Vocabulary.Length)])]),
        })]);
        var papersFile = Path.Combine(folder, "papers.json");
        var profilesFile = Path.Combine(folder, "profiles.json");
        await File.WriteAllTextAsync(papersFile, papers.ToJsonString());
        await File.WriteAllTextAsync(profilesFile, profiles.ToJsonString());
        return (papersFile, profilesFile);
    }

    private static async Task<Run> RunOnceAsync(Variant variant, string papers, string profiles)
    {
        var start = new ProcessStartInfo(variant.Program, [.. variant.Arguments, "match", "--papers", papers, "--profiles", profiles])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment[IndexTiming.Variable] = "1";
        foreach (var (name, value) in variant.Environment)
        {
            start.Environment[name] = value;
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await stdout;
        await process.WaitForExitAsync();
        var wall = clock.Elapsed.TotalMilliseconds;
        var timing = TimingLine().Match(stderr);
        if (process.ExitCode != 0 || !timing.Success)
        {
            throw new InvalidOperationException($"{variant.Name}: exit {process.ExitCode}, no timing line:\n{stderr}");
        }
        return new Run(Number(timing.Groups[1]), Number(timing.Groups[2]), Number(timing.Groups[3]), wall);

        static double Number(Group group) => double.Parse(group.Value, CultureInfo.InvariantCulture);
    }

    private static double Middle(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Median(List<Run> runs, Func<Run, double> of)
    {
        var values = runs.Select(of).ToList();
        return $"{Middle(values):0.0} ms ({values.Min():0}–{values.Max():0})";
    }

    [GeneratedRegex(@"first index of \d+ papers built in ([\d.]+) ms \(([\d.]+) ms CPU of its thread\), done (\d+) ms after the process started")]
    private static partial Regex TimingLine();
}

using System.Diagnostics;

namespace Newsletter.Bench;

public static class BenchSupport
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Corpus(params string[] parts) => Path.Combine([RepoRoot, "..", "shared", "corpus", .. parts]);

    /// <summary>Runs <paramref name="action"/> until at least <paramref name="minimum"/> has passed (after one warm-up); returns seconds per run.</summary>
    public static double SecondsPerRun(Action action, TimeSpan minimum)
    {
        action();
        var runs = 0;
        var clock = Stopwatch.StartNew();
        do
        {
            action();
            runs++;
        }
        while (clock.Elapsed < minimum);
        return clock.Elapsed.TotalSeconds / runs;
    }

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Newsletter.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("run from inside the repository");
    }
}

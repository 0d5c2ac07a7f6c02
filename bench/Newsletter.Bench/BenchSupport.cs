using System.Diagnostics;

namespace Newsletter.Bench;

public static class BenchSupport
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Corpus(params string[] parts) => Path.Combine([RepoRoot, "tests", "corpus", .. parts]);

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

    /// <summary>The commit measured, and whether the code measured differs from it (docs and earlier results files do not count).</summary>
    public static string Commit()
    {
        var commit = Git("rev-parse", "--short", "HEAD");
        var dirty = Git("status", "--porcelain", "--untracked-files=no", "--", "src", "bench", "templates", "config", ":(exclude)bench/results*.md").Length > 0;
        return dirty ? $"{commit} (with uncommitted changes)" : commit;
    }

    private static string Git(params string[] args)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoRoot })!;
            var text = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? text : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

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

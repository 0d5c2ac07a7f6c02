namespace Newsletter.Tests.Support;

/// <summary>Paths to the repository and to the corpus it carries (tests/corpus).</summary>
public static class Corpus
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Root => Path.Combine(RepoRoot, "tests", "corpus");

    public static string[] Days { get; } = ["2025-12-31", "2026-03-11", "2026-03-12", "2026-03-14", "2026-07-29"];

    public static string ApiDay(string day) => Path.Combine(Root, "hf-api", day + ".json");

    public static string HtmlDay(string day) => Path.Combine(Root, "hf-html", day + ".html");

    public static string PapersJson => Path.Combine(Root, "papers.json");

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Sources", "Fixtures", name);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Newsletter.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Newsletter.sln not found above " + AppContext.BaseDirectory);
    }
}

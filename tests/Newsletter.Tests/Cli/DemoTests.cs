using Newsletter.Hosting;
using Newsletter.Tests.Hosting;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Cli;

[Collection(nameof(EnvironmentVariables))]
public sealed class DemoTests : IDisposable
{
    private readonly TestApp _app = new();

    public DemoTests() => Environment.SetEnvironmentVariable(NewsletterHome.HomeVariable, _app.Dir.Path);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(NewsletterHome.HomeVariable, null);
        _app.Dispose();
    }

    [Fact]
    public async Task Demo_ingests_the_bundled_sample_into_the_home_folder_and_lists_it()
    {
        var result = await _app.RunAsync("demo");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Ingested the sample listing for 2026-03-11: 40 papers (40 new", result.Stdout);
        Assert.Contains("9912.00001  Flow Matching in Latent Space", result.Stdout);
        Assert.True(File.Exists(Path.Combine(_app.Dir.Path, "data", "sample", "daily-papers-2026-03-11.json")));
        Assert.Equal(40, (await _app.RunAsync("papers", "list", "--date", "2026-03-11", "--json")).Json().GetArrayLength());
        var digests = Directory.GetFiles(Path.Combine(_app.Dir.Path, "data", "outbox"), "digest.20260311.*.eml", SearchOption.AllDirectories);
        Assert.Equal(3, digests.Length);
        Assert.Contains("Digests: 3 written", result.Stdout);
    }

    [Fact]
    public async Task Running_the_demo_twice_stores_nothing_new()
    {
        await _app.RunAsync("demo");

        var again = await _app.RunAsync("demo");

        Assert.Contains("40 papers (0 new, 40 already stored)", again.Stdout);
        Assert.Contains("already delivered", again.Stdout);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_app.Dir.Path, "data", "outbox"), "digest.*.eml", SearchOption.AllDirectories).Length);
    }
}

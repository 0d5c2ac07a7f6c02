using System.Text.RegularExpressions;
using MimeKit;
using Newsletter.Common;
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
    public async Task Serve_demo_writes_digest_links_that_answer_on_the_port_it_listens_on()
    {
        // a newcomer's home: the shipped settings file, nothing else
        Directory.CreateDirectory(_app.Dir.File("config"));
        File.Copy(Path.Combine(Corpus.RepoRoot, "config", "appsettings.json"), Path.Combine(_app.Dir.File("config"), "appsettings.json"));
        var listen = $"http://127.0.0.1:{Ports.Free()}";

        await using var serve = ServeProcess.Start(_app.Dir.Path, ["--demo", "--urls", listen, .. _app.Settings]);
        await serve.WaitForLineAsync(l => l.StartsWith("Newsletter is running", StringComparison.Ordinal), TimeSpan.FromSeconds(90));

        var digest = MimeMessage.Load(Directory.GetFiles(_app.Dir.File(Path.Combine("data", "outbox")), "digest.20260311.*.eml", SearchOption.AllDirectories).First());
        var links = Regex.Matches(digest.TextBody + digest.HtmlBody + digest.Headers["List-Unsubscribe"], @"https?://[^\s""<>]+/(?:preferences|unsubscribe)\?token=[A-Za-z0-9._~%-]+")
            .Select(m => m.Value).Distinct().ToList();
        Assert.Contains(links, l => l.StartsWith(listen + "/preferences?token=", StringComparison.Ordinal));
        Assert.Contains(links, l => l.StartsWith(listen + "/unsubscribe?token=", StringComparison.Ordinal));
        Assert.All(links, l => Assert.StartsWith(listen + "/", l));
        using var http = new HttpClient();
        foreach (var link in links)
        {
            using var answer = await http.GetAsync(link);
            Assert.True(answer.StatusCode == System.Net.HttpStatusCode.OK, $"{link}: {(int)answer.StatusCode}");
            // the page's own links (unsubscribe, preferences) lead to the same place
            var page = await answer.Content.ReadAsStringAsync();
            Assert.All(Regex.Matches(page, @"https?://[^\s""<>]+\?token=").Select(m => m.Value), l => Assert.StartsWith(listen + "/", l));
        }
    }

    [Fact]
    public async Task Demo_without_serve_links_to_the_default_address()
    {
        Assert.Equal(0, (await _app.RunAsync("demo")).ExitCode);

        var digest = MimeMessage.Load(Directory.GetFiles(_app.Dir.File(Path.Combine("data", "outbox")), "digest.20260311.*.eml", SearchOption.AllDirectories).First());
        Assert.Contains("http://localhost:5080/preferences?token=", digest.TextBody);
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

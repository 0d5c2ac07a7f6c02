using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Newsletter.Scheduling;
using Newsletter.Sources;
using Newsletter.Tests.Support;
using Xunit.Abstractions;

namespace Newsletter.Tests.AdminConsole;

/// <summary>What an admin does in the console, in a real browser (Debian's chromium via Playwright) at 375 px, with real mail in maildev.</summary>
[Collection(nameof(BrowserCollection))]
public sealed class ConsoleBrowserTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Day = "2026-03-11";
    private const int PhoneWidth = 375;
    private WebTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await browser.Maildev.ClearAsync();
        _host = await WebTestHost.StartAsync(browser.Maildev);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Sign_in_search_and_edit_keywords_with_a_refused_one_shown_at_its_line_and_column()
    {
        await AddAsync("ada@example.org", "reinforcement learning");
        await AddAsync("grace@example.org", "diffusion");
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay(Day)), CancellationToken.None);
        var page = await SignedInAsync();

        await page.GetByLabel("Search").FillAsync("reinforce");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("1 subscriber found");
        await page.GetByRole(AriaRole.Link, new() { Name = "ada@example.org" }).ClickAsync();
        await Assertions.Expect(page.Locator("#preview")).ToContainTextAsync("Matched: reinforcement learning");
        await page.GetByLabel("Keywords").FillAsync("quantization");
        await Assertions.Expect(page.Locator("#preview")).ToContainTextAsync("Matched: quantization"); // the live preview, as typed
        await page.GetByLabel("Keywords").FillAsync("diffusion\nRL AND \"policy");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Line 2: unbalanced quote");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("column");
        await Assertions.Expect(page.Locator(".summary")).ToBeFocusedAsync();
        await page.GetByLabel("Keywords").FillAsync("diffusion\n\"policy gradient\"");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Saved.");
        var keywords = JsonSerializer.Deserialize<string[]>((string)_host.Query("SELECT p.keywords FROM profiles p JOIN subscribers s ON s.id = p.subscriber_id WHERE s.email = 'ada@example.org'")!);
        Assert.Equal(["diffusion", "\"policy gradient\""], keywords!);
        await BrowserFixture.ScreenshotAsync(page, "console-1-subscriber");
    }

    [Fact]
    public async Task Resend_shows_who_would_get_what_and_its_confirm_sends_one_copy()
    {
        await AddAsync("ada@example.org", "reinforcement learning");
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay(Day)), CancellationToken.None);
        await _host.Get<DailyRun>().RunAsync(new RunRequest(DateOnly.Parse(Day, System.Globalization.CultureInfo.InvariantCulture), "manual", SkipIngest: true), CancellationToken.None);
        await browser.Maildev.WaitForAsync(1);
        var page = await SignedInAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Resend", Exact = true }).ClickAsync();
        await page.GetByLabel("Search").FillAsync("ada@");
        await page.GetByLabel("Listing day").FillAsync(Day);
        await page.GetByRole(AriaRole.Button, new() { Name = "Dry run" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("1 would get a copy");
        await Assertions.Expect(page.Locator("table")).ToContainTextAsync("would-send");
        await BrowserFixture.ScreenshotAsync(page, "console-2-resend-dry-run");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send 1 copy now" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("1 sent");
        await browser.Maildev.WaitForAsync(2);
        Assert.Equal(2L, _host.Query("SELECT count(*) FROM deliveries"));
    }

    [Fact]
    public async Task Import_a_csv_with_one_bad_row_after_its_dry_run_then_export_every_subscriber()
    {
        var page = await SignedInAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "CSV" }).ClickAsync();
        await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload
        {
            Name = "subscribers.csv",
            MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes("email,keywords\nada@example.org,reinforcement learning\nnot-an-address,diffusion\ngrace@example.org,diffusion\n"),
        });
        await page.GetByLabel("Make new subscribers active").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Check the file" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("2 to add");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Refused rows" })).ToContainTextAsync("3");
        Assert.Equal(0L, _host.Query("SELECT count(*) FROM subscribers"));
        await BrowserFixture.ScreenshotAsync(page, "console-3-import-check");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import 2 rows" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Imported: 2 added");
        Assert.Equal(2L, _host.Query("SELECT count(*) FROM subscribers WHERE status = 'active'"));

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download every subscriber as CSV" }).ClickAsync());
        var path = await download.PathAsync();
        Assert.Contains("grace@example.org", await File.ReadAllTextAsync(path));
    }

    public static TheoryData<ColorScheme> Schemes => new() { ColorScheme.Light, ColorScheme.Dark };

    /// <summary>
    /// Every console page through axe-core at 375 px, in light and dark: none with a serious or critical violation,
    /// none wider than the phone (tables scroll inside their own box). With NEWSLETTER_WRITE_DOCS_SCREENSHOT=1 the
    /// dashboard's picture goes to docs/admin-console.png (for the README); otherwise only to TestResults.
    /// </summary>
    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task Every_console_page_passes_axe_and_fits_375_px(ColorScheme scheme)
    {
        var ada = await AddAsync("ada@example.org", "reinforcement learning");
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay(Day)), CancellationToken.None);
        await _host.Get<DailyRun>().RunAsync(new RunRequest(DateOnly.Parse(Day, System.Globalization.CultureInfo.InvariantCulture), "manual", SkipIngest: true), CancellationToken.None);
        var runId = (string)_host.Query("SELECT id FROM runs ORDER BY started_at DESC LIMIT 1")!;
        var page = await browser.NewPageAsync(PhoneWidth, scheme);
        var serious = new List<string>();
        async Task CheckAsync(string path)
        {
            await page.GotoAsync(_host.BaseUrl + path);
            foreach (var violation in await Axe.ViolationsAsync(page))
            {
                output.WriteLine($"{scheme} {path}: {violation}");
                if (violation.IsSeriousOrCritical)
                {
                    serious.Add($"{path}: {violation}");
                }
            }
            var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            if (width > PhoneWidth)
            {
                serious.Add($"{path}: {width} px wide at {PhoneWidth} px");
            }
        }

        await CheckAsync("/admin");
        await page.GetByLabel("Admin key").FillAsync(WebTestHost.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        foreach (var path in new[]
                 {
                     "/admin/dashboard", "/admin/subscribers", $"/admin/subscribers/{ada}", $"/admin/subscribers/{ada}/erase", $"/admin/digest?subscriberId={ada}&date={Day}",
                     "/admin/resend", $"/admin/resend?subscriberId={ada}&date={Day}", "/admin/runs", $"/admin/runs/{runId}", "/admin/csv",
                 })
        {
            await CheckAsync(path);
        }
        await page.GotoAsync(_host.BaseUrl + "/admin/dashboard");
        var toDocs = scheme == ColorScheme.Light && Environment.GetEnvironmentVariable("NEWSLETTER_WRITE_DOCS_SCREENSHOT") == "1";
        var shot = toDocs ? Path.Combine(Corpus.RepoRoot, "docs", "admin-console.png") : Path.Combine(BrowserFixture.ScreenshotFolder, $"console-dashboard-{scheme}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });

        Assert.True(serious.Count == 0, $"{serious.Count} serious or critical axe violations or overflows ({scheme}, {PhoneWidth}px):\n{string.Join("\n", serious)}");
    }

    private async Task<IPage> SignedInAsync()
    {
        var page = await browser.NewPageAsync(PhoneWidth, ColorScheme.Light);
        await page.GotoAsync(_host.BaseUrl + "/admin/subscribers");
        await page.GetByLabel("Admin key").FillAsync(WebTestHost.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Subscribers" })).ToBeVisibleAsync(); // back where it asked for the sign-in
        return page;
    }

    private async Task<string> AddAsync(string email, string keyword)
    {
        var response = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email, keywords = new[] { keyword }, confirmed = true });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}

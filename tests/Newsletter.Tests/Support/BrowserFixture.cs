using Microsoft.Playwright;

namespace Newsletter.Tests.Support;

/// <summary>
/// Debian's chromium driven by Playwright (never Playwright's own browser download: there is no internet here),
/// plus a maildev of its own, shared by the browser tests. Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public MaildevServer Maildev { get; } = new();

    public static string ScreenshotFolder { get; } = Path.Combine(Corpus.RepoRoot, "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run tools/install-test-deps.sh (apt chromium)");
        await Maildev.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"], // CI runs as root in a container
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>A fresh browser context at phone width (cookies of one test never leak into another).</summary>
    public Task<IPage> NewPhonePageAsync() => NewPageAsync(390, ColorScheme.Light);

    /// <summary>A fresh browser context of that width, preferring that colour scheme (what <c>prefers-color-scheme</c> answers).</summary>
    public async Task<IPage> NewPageAsync(int width, ColorScheme scheme)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 844 }, ColorScheme = scheme });
        return await context.NewPageAsync();
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        await Maildev.DisposeAsync();
    }
}

[CollectionDefinition(nameof(BrowserCollection))]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Newsletter.Common;
using Newsletter.Scheduling;
using Newsletter.Sources;
using Newsletter.Tests.Support;
using Xunit.Abstractions;

namespace Newsletter.Tests.Web;

/// <summary>What a person does, in a real browser (Debian's chromium via Playwright) at phone width, with real mail in maildev.</summary>
[Collection(nameof(BrowserCollection))]
public sealed partial class BrowserTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private WebTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await browser.Maildev.ClearAsync();
        _host = await WebTestHost.StartAsync(browser.Maildev);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Subscribe_then_follow_the_emailed_link_and_confirm_makes_the_subscriber_active()
    {
        var page = await browser.NewPhonePageAsync();
        await page.GotoAsync(_host.BaseUrl + "/subscribe");
        await page.GetByLabel("Email address").FillAsync("ada@example.org");
        await page.GetByLabel("Keywords").FillAsync("reinforcement learning\nRL AND \"policy");
        await page.GetByLabel("Send at").SelectOptionAsync(new SelectOptionValue { Label = "07:00" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Line 2: unbalanced quote");
        await BrowserFixture.ScreenshotAsync(page, "1-subscribe-with-an-invalid-keyword");

        await page.GetByLabel("Keywords").FillAsync("reinforcement learning\nRLHF");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your inbox" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "2-check-your-inbox");
        Assert.Equal("pending", Status("ada@example.org"));

        var mail = Assert.Single(await browser.Maildev.WaitForAsync(1));
        var link = ConfirmLink().Match(mail.Text).Value;
        await page.GotoAsync(link);
        await BrowserFixture.ScreenshotAsync(page, "3-confirm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm my subscription" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are subscribed" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "4-subscribed");

        Assert.Equal("active", Status("ada@example.org"));
        Assert.Equal(7, (long)Query("SELECT send_hour FROM subscribers WHERE email = 'ada@example.org'")!);
    }

    [Fact]
    public async Task Preferences_opened_from_the_digest_link_are_edited_with_a_live_preview()
    {
        var digest = await DigestForAdaAsync();
        var preferencesUrl = WebUtility.HtmlDecode(PreferencesLink().Match(digest.Html).Groups[1].Value);
        Assert.StartsWith(_host.BaseUrl + "/preferences?token=", preferencesUrl);

        var page = await browser.NewPhonePageAsync();
        await page.GotoAsync(preferencesUrl);
        await Assertions.Expect(page.Locator("#preview")).ToContainTextAsync("Matched: reinforcement learning");
        await Assertions.Expect(page.Locator("#preview .papers > li")).ToHaveCountAsync(10); // 11 match; her emails hold 10
        await page.GetByLabel("Papers per email").FillAsync("4");
        await Assertions.Expect(page.Locator("#preview .papers > li")).ToHaveCountAsync(4); // the typed cap, as typed
        await page.GetByLabel("Keywords").FillAsync("quantization");
        await Assertions.Expect(page.Locator("#preview")).ToContainTextAsync("Matched: quantization"); // updated as typed, no submit
        await BrowserFixture.ScreenshotAsync(page, "5-preferences-live-preview");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved.");
        await BrowserFixture.ScreenshotAsync(page, "6-preferences-saved");
        Assert.Equal(preferencesUrl + "&saved=1", page.Url); // the answer to the save was a redirect: the address bar holds a GET
        var reload = await page.ReloadAsync();
        Assert.Equal("GET", reload!.Request.Method);

        Assert.Equal("[\"quantization\"]", (string)Query("SELECT p.keywords FROM profiles p JOIN subscribers s ON s.id = p.subscriber_id WHERE s.email = 'ada@example.org'")!);
        Assert.Equal(4, (long)Query("SELECT p.max_papers FROM profiles p JOIN subscribers s ON s.id = p.subscriber_id WHERE s.email = 'ada@example.org'")!);
    }

    [Fact]
    public async Task One_click_unsubscribe_from_the_header_url_then_ask_to_subscribe_again_from_the_page()
    {
        var digest = await DigestForAdaAsync();
        // maildev's JSON leaves some headers out: read them from the message as received
        var message = MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await browser.Maildev.SourceAsync(digest.Id))));
        var url = HeaderUrl().Match(message.Headers["List-Unsubscribe"] ?? "").Groups[1].Value;
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);

        // What a mail client does for RFC 8058: a POST of the header's body, no page, no cookie.
        using var mailClient = new HttpClient();
        using var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" });
        var response = await mailClient.PostAsync(url, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unsubscribed", Status("ada@example.org"));

        var page = await browser.NewPhonePageAsync();
        await page.GotoAsync(url);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are unsubscribed" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "7-unsubscribed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe again" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your inbox" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "8-check-your-inbox");
        Assert.Equal("pending", Status("ada@example.org")); // back only through a new confirmation email
    }

    [Fact]
    public async Task A_tampered_link_shows_a_page_that_explains_it()
    {
        var digest = await DigestForAdaAsync();
        var preferencesUrl = WebUtility.HtmlDecode(PreferencesLink().Match(digest.Html).Groups[1].Value);
        var page = await browser.NewPhonePageAsync();

        var response = await page.GotoAsync(preferencesUrl[..^3] + "abc");

        Assert.Equal(400, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This link is not valid" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Go to the subscribe page" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "9-tampered-link");
    }

    [Fact]
    public async Task After_a_refused_form_the_focus_is_on_the_error_summary_not_the_page_body()
    {
        // before, focus stayed on the body: a keyboard or screen-reader user had to look for what went wrong
        var (preferences, _) = await LinksForAdaAsync();
        var page = await browser.NewPhonePageAsync();
        await page.GotoAsync(_host.BaseUrl + "/subscribe");
        await page.GetByLabel("Email address").FillAsync("ada@example.org");
        await page.GetByLabel("Keywords").FillAsync("RL AND \"policy");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();

        await Assertions.Expect(page.Locator(".summary")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator(".summary a").First).ToBeFocusedAsync(); // then straight to the first problem's link
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByLabel("Keywords")).ToBeFocusedAsync();

        await page.GotoAsync(preferences);
        await page.GetByLabel("Keywords").FillAsync("NOT survey");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator(".summary")).ToBeFocusedAsync();
    }

    [Theory]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task Errors_links_buttons_notices_and_hints_have_4_5_to_1_contrast_and_focus_outlines_show_in_either_colour_scheme(ColorScheme scheme)
    {
        // before, in the dark scheme the error red was 2.9:1, the accent 3.0:1 and the hints 3.9:1; the light focus ring 1.8:1
        var (preferences, _) = await LinksForAdaAsync();
        var page = await browser.NewPageAsync(390, scheme);
        var failures = new List<string>();
        async Task MeasureAsync(string what, string selector, bool outline = false)
        {
            var measured = await ContrastProbe.MeasureAsync(page, selector, outline);
            var least = outline ? 3.0 : 4.5;
            output.WriteLine($"{scheme,-5} {what,-24} {(object?)measured ?? "missing"}");
            if (measured is null || measured.Ratio < least)
            {
                failures.Add($"{what} ({selector}): {(object?)measured ?? "not on the page"}, at least {least}:1 wanted");
            }
        }

        await page.GotoAsync(_host.BaseUrl + "/subscribe");
        await page.GetByLabel("Keywords").FillAsync("RL AND \"policy");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await MeasureAsync("text", "main > p");
        await MeasureAsync("site name", "header a");
        await MeasureAsync("error", ".error");
        await MeasureAsync("error summary link", ".summary a");
        await MeasureAsync("hint", ".hint");
        await MeasureAsync("button", "button[type=submit]");
        await MeasureAsync("footer", "footer");
        await MeasureAsync("focus: error summary", ".summary", outline: true);
        await MeasureAsync("focus: field", "#keywords", outline: true);
        await MeasureAsync("focus: button", "button[type=submit]", outline: true);
        await BrowserFixture.ScreenshotAsync(page, $"contrast-{scheme}-subscribe-error".ToLowerInvariant());

        await page.GotoAsync(preferences);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved.");
        await MeasureAsync("notice", ".notice");
        await MeasureAsync("secondary button", "button.secondary");
        await MeasureAsync("link", ".papers a");
        await MeasureAsync("matched keywords", ".papers .why");
        await MeasureAsync("focus: link", ".papers a", outline: true);
        await MeasureAsync("focus: secondary button", "button.secondary", outline: true);
        await BrowserFixture.ScreenshotAsync(page, $"contrast-{scheme}-preferences-saved".ToLowerInvariant());

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData(ColorScheme.Light, 375)]
    [InlineData(ColorScheme.Light, 1280)]
    [InlineData(ColorScheme.Dark, 375)]
    [InlineData(ColorScheme.Dark, 1280)]
    public async Task The_subscriber_pages_have_no_serious_or_critical_axe_violations(ColorScheme scheme, int width)
    {
        var (preferences, unsubscribe) = await LinksForAdaAsync();
        var page = await browser.NewPageAsync(width, scheme);
        var serious = new List<string>();
        async Task CheckAsync(string what)
        {
            foreach (var violation in await Axe.ViolationsAsync(page))
            {
                output.WriteLine($"{scheme} {width}px {what}: {violation}");
                if (violation.IsSeriousOrCritical)
                {
                    serious.Add($"{what}: {violation}");
                }
            }
        }

        await page.GotoAsync(_host.BaseUrl + "/subscribe");
        await CheckAsync("/subscribe");
        await page.GetByLabel("Email address").FillAsync("grace@example.org");
        await page.GetByLabel("Keywords").FillAsync("RL AND \"policy");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await CheckAsync("/subscribe with an error");
        await page.GotoAsync(preferences);
        await Assertions.Expect(page.Locator("#preview")).ToContainTextAsync("Matched: reinforcement learning");
        await CheckAsync("/preferences");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved.");
        await CheckAsync("/preferences saved");
        await page.GotoAsync(unsubscribe);
        await CheckAsync("/unsubscribe");
        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are unsubscribed" })).ToBeVisibleAsync();
        await CheckAsync("/unsubscribe done");

        Assert.True(serious.Count == 0, $"{serious.Count} serious or critical axe violations ({scheme}, {width}px):\n{string.Join("\n", serious)}");
    }

    /// <summary>
    /// The HTML part of ada's digest as a mail program shows it, 600 px wide: nothing wider than that. With
    /// NEWSLETTER_WRITE_DOCS_SCREENSHOT=1 the picture goes to docs/digest.png (for the README); otherwise only to
    /// TestResults, so a normal run never changes the checkout.
    /// </summary>
    [Fact]
    public async Task The_html_part_of_a_digest_fits_600_px_and_its_screenshot_can_be_written_to_docs()
    {
        var digest = await DigestForAdaAsync();
        // the part exactly as sent (maildev's JSON carries its own reading of it)
        var html = MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await browser.Maildev.SourceAsync(digest.Id)))).HtmlBody ?? "";
        var page = await browser.NewPageAsync(600, ColorScheme.Light);

        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        await page.SetContentAsync(html);

        await Assertions.Expect(page.Locator("a[href*='/preferences?token=']")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 600, "the digest is wider than 600 px");
        var toDocs = Environment.GetEnvironmentVariable("NEWSLETTER_WRITE_DOCS_SCREENSHOT") == "1";
        var path = toDocs ? Path.Combine(Corpus.RepoRoot, "docs", "digest.png") : Path.Combine(BrowserFixture.ScreenshotFolder, "digest.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000, path);
    }

    /// <summary>ada, confirmed, with keywords that match papers of the corpus day (ingested), and her signed links.</summary>
    private async Task<(string Preferences, string Unsubscribe)> LinksForAdaAsync()
    {
        var added = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email = "ada@example.org", keywords = new[] { "reinforcement learning" }, maxPapers = 5, confirmed = true });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var id = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var secret = (string)Query($"SELECT secret FROM subscribers WHERE id = '{id}'")!;
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay("2026-03-11")), CancellationToken.None);
        var signer = _host.Get<LinkSigner>();
        return (signer.Url("preferences", id, secret, LinkPurpose.Preferences), signer.Url("unsubscribe", id, secret, LinkPurpose.Unsubscribe));
    }

    private async Task<ReceivedEmail> DigestForAdaAsync()
    {
        var added = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email = "ada@example.org", keywords = new[] { "reinforcement learning" }, confirmed = true });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay("2026-03-11")), CancellationToken.None);
        await _host.Get<DailyRun>().RunAsync(new RunRequest(new DateOnly(2026, 3, 11), "manual", SkipIngest: true), CancellationToken.None);
        return Assert.Single(await browser.Maildev.WaitForAsync(1));
    }

    private string Status(string email) => (string)Query($"SELECT status FROM subscribers WHERE email = '{email}'")!;

    private object? Query(string sql) => _host.Query(sql);

    [GeneratedRegex(@"https?://\S+/confirm\?token=\S+")]
    private static partial Regex ConfirmLink();

    [GeneratedRegex("href=\"([^\"]+/preferences\\?token=[^\"]+)\"")]
    private static partial Regex PreferencesLink();

    [GeneratedRegex("<(https?://[^>]+)>")]
    private static partial Regex HeaderUrl();
}

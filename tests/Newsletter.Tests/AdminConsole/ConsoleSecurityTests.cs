using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Admin;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.AdminConsole;

/// <summary>The console's doors: sessions, their cookie, roles, anti-forgery, the sign-in's rate limit; and the API's viewer role.</summary>
public sealed class ConsoleSecurityTests : IAsyncLifetime
{
    private WebTestHost _host = null!;
    private ConsoleClient _console = null!;

    public async Task InitializeAsync()
    {
        _host = await WebTestHost.StartAsync(null, $"--Admin:ViewerKeys:0={ConsoleClient.ViewerKey}", "--Admin:SignInFailuresPerMinute=3");
        _console = new ConsoleClient(_host.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        _console.Dispose();
        await _host.DisposeAsync();
    }

    public static TheoryData<string, string> ConsoleRoutes => new()
    {
        { "GET", "/admin/dashboard" },
        { "GET", "/admin/subscribers" },
        { "GET", "/admin/subscribers/abc" },
        { "GET", "/admin/subscribers/abc/matches?keywords=rl" },
        { "GET", "/admin/subscribers/abc/erase" },
        { "GET", "/admin/digest?subscriberId=abc&date=2026-03-11" },
        { "GET", "/admin/resend?date=2026-03-11" },
        { "GET", "/admin/runs" },
        { "GET", "/admin/runs/abc" },
        { "GET", "/admin/csv" },
        { "GET", "/admin/subscribers/export" },
        { "POST", "/admin/subscribers/abc" },
        { "POST", "/admin/subscribers/abc/pause" },
        { "POST", "/admin/subscribers/abc/suppress" },
        { "POST", "/admin/subscribers/abc/erase" },
        { "POST", "/admin/resend" },
        { "POST", "/admin/csv" },
    };

    [Theory]
    [MemberData(nameof(ConsoleRoutes))]
    public async Task Every_console_page_and_form_without_a_session_redirects_to_the_sign_in(string method, string path)
    {
        foreach (var cookie in new[] { null, "newsletter.admin=forged-or-expired" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new FormUrlEncodedContent([new("x", "y")]) : null };
            if (cookie is not null)
            {
                request.Headers.Add("Cookie", cookie);
            }
            using var response = await _host.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
            Assert.StartsWith("/admin?next=", response.Headers.Location?.ToString());
        }
        Assert.Equal(0L, _host.Query("SELECT count(*) FROM audit_log"));
    }

    [Fact]
    public async Task Signing_in_opens_a_session_in_an_http_only_strict_cookie_and_signing_out_ends_it()
    {
        var signedIn = await _console.SignInAsync(next: "/admin/runs");

        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        Assert.Equal("/admin/runs", signedIn.Headers.Location?.ToString());
        var header = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("newsletter.admin=", StringComparison.Ordinal));
        Assert.Contains("httponly", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/admin", header, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(WebTestHost.AdminKey, header);
        Assert.Contains("Dashboard", await _console.PageAsync("/admin/dashboard"));
        Assert.Contains(ApiKeyFilter.Fingerprint(WebTestHost.AdminKey), await _console.PageAsync("/admin/runs"));

        var signedOut = await _console.PostAsync("/admin/dashboard", "/admin/sign-out");

        Assert.Equal(HttpStatusCode.SeeOther, signedOut.StatusCode);
        Assert.Null(_console.Session);
        Assert.Equal(HttpStatusCode.SeeOther, (await _console.Http.GetAsync("/admin/dashboard")).StatusCode);
    }

    [Fact]
    public async Task The_session_cookie_is_secure_when_the_site_is_https()
    {
        await using var https = await WebTestHost.StartAsync(null, "--Site:BaseUrl=https://papers.example.org");
        // the Secure cookies would not go back over the test's plain HTTP, so they are sent by hand, as a browser over TLS would
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(https.BaseUrl) };
        var form = await http.GetAsync("/admin");
        var antiforgery = Assert.Single(form.Headers.GetValues("Set-Cookie"), c => c.StartsWith("newsletter.antiforgery=", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        var token = ConsoleClient.AntiforgeryField().Match(await form.Content.ReadAsStringAsync());
        using var signIn = new HttpRequestMessage(HttpMethod.Post, "/admin/sign-in")
        {
            Content = new FormUrlEncodedContent([new(token.Groups[1].Value, WebUtility.HtmlDecode(token.Groups[2].Value)), new("key", WebTestHost.AdminKey)]),
        };
        signIn.Headers.Add("Cookie", antiforgery.Split(';')[0]);
        var response = await http.SendAsync(signIn);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var session = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("newsletter.admin=", StringComparison.Ordinal));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_session_ends_after_its_idle_minutes_and_each_request_renews_it()
    {
        var clock = new FixedClock(DateTimeOffset.UtcNow);
        await using var host = await WebTestHost.StartAsync(null, Backend.Sqlite, s => s.AddSingleton<TimeProvider>(clock), "--Admin:SessionMinutes=10");
        using var console = new ConsoleClient(host.BaseUrl);
        await console.SignInAsync();

        clock.Now += TimeSpan.FromMinutes(9);
        await console.PageAsync("/admin/subscribers");
        clock.Now += TimeSpan.FromMinutes(9);
        await console.PageAsync("/admin/subscribers"); // 18 minutes after signing in, 9 after the last request
        clock.Now += TimeSpan.FromMinutes(11);
        var expired = await console.Http.GetAsync("/admin/subscribers");

        Assert.Equal(HttpStatusCode.SeeOther, expired.StatusCode);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_after_too_many_the_client_is_refused_even_the_right_key()
    {
        var wrong = await _console.SignInAsync("not-the-key-at-all-0123456789");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("not one of the configured admin keys", await wrong.Content.ReadAsStringAsync());
        Assert.Null(_console.Session);

        await _console.SignInAsync("not-the-key-at-all-0123456789");
        await _console.SignInAsync("not-the-key-at-all-0123456789");
        var limited = await _console.SignInAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Null(_console.Session);
    }

    [Fact]
    public async Task A_right_key_signs_in_however_often()
    {
        for (var i = 0; i < 5; i++)
        {
            using var browser = new ConsoleClient(_host.BaseUrl);
            Assert.Equal(HttpStatusCode.SeeOther, (await browser.SignInAsync()).StatusCode);
        }
    }

    [Fact]
    public async Task A_viewer_sees_every_page_and_no_form_of_theirs_changes_anything()
    {
        var id = await AddAsync("ada@example.org");
        await _console.SignInAsync(ConsoleClient.ViewerKey);

        var page = await _console.PageAsync($"/admin/subscribers/{id}");
        Assert.Contains("ada@example.org", page);
        Assert.Contains("viewer", page);
        Assert.DoesNotContain(">Save</button>", page);
        foreach (var (action, fields) in new (string, (string, string)[])[]
                 {
                     ($"/admin/subscribers/{id}", [("keywords", "diffusion"), ("action", "save")]),
                     ($"/admin/subscribers/{id}/pause", [("paused", "on")]),
                     ($"/admin/subscribers/{id}/suppress", [("reason", "viewer")]),
                     ($"/admin/subscribers/{id}/erase", []),
                     ("/admin/resend", [("subscriberId", id), ("date", "2026-03-11")]),
                 })
        {
            var response = await _console.PostAsync($"/admin/subscribers/{id}", action, fields);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Equal("active", _host.Query($"SELECT status FROM subscribers WHERE id = '{id}'"));
        Assert.Equal(1L, _host.Query("SELECT count(*) FROM audit_log")); // the API's create only
    }

    [Fact]
    public async Task Every_console_form_carries_an_anti_forgery_token_and_a_post_without_it_is_refused()
    {
        var id = await AddAsync("ada@example.org");
        await _console.SignInAsync();
        foreach (var path in new[] { "/admin/dashboard", $"/admin/subscribers/{id}", $"/admin/subscribers/{id}/erase", "/admin/csv", "/admin/resend" })
        {
            var html = await _console.PageAsync(path);
            var forms = System.Text.RegularExpressions.Regex.Matches(html, "<form method=\"post\"[^>]*>(.*?)</form>", System.Text.RegularExpressions.RegexOptions.Singleline);
            Assert.NotEmpty(forms);
            Assert.All(forms, f => Assert.Matches(ConsoleClient.AntiforgeryField(), f.Value));
        }

        var forged = await _console.Http.PostAsync($"/admin/subscribers/{id}/suppress", new FormUrlEncodedContent([new("reason", "forged")]));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("active", _host.Query($"SELECT status FROM subscribers WHERE id = '{id}'"));
    }

    [Fact]
    public async Task The_api_lets_a_viewer_key_read_and_refuses_its_writes_with_403()
    {
        using var viewer = new HttpClient { BaseAddress = new Uri(_host.BaseUrl) };
        viewer.DefaultRequestHeaders.Authorization = new("Bearer", ConsoleClient.ViewerKey);
        var id = await AddAsync("ada@example.org");

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/admin/api/subscribers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/admin/api/subscribers/{id}")).StatusCode);
        foreach (var response in new[]
                 {
                     await viewer.PostAsJsonAsync("/admin/api/subscribers", new { email = "bob@example.org", keywords = new[] { "rl" } }),
                     await viewer.PatchAsJsonAsync($"/admin/api/subscribers/{id}", new { paused = true }),
                     await viewer.DeleteAsync($"/admin/api/subscribers/{id}"),
                     await viewer.PostAsJsonAsync("/admin/api/digests/resend", new { subscriberId = id, date = "2026-03-11" }),
                 })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(1L, _host.Query("SELECT count(*) FROM subscribers"));
    }

    private async Task<string> AddAsync(string email)
    {
        var response = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email, keywords = new[] { "reinforcement learning" }, confirmed = true });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
    }
}

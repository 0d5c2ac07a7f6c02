using System.Net;
using System.Net.Http.Json;
using System.Text;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Web;

/// <summary>The headers pages carry (CSP, framing, sniffing, referrer) are on every answer, errors included.</summary>
[Collection(nameof(WebCollection))]
public sealed class SecurityHeadersTests : IAsyncLifetime
{
    private WebTestHost _host = null!;

    public async Task InitializeAsync() => _host = await WebTestHost.StartAsync(null);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Error_answers_carry_the_same_security_headers_as_pages()
    {
        var page = await _host.Client.GetAsync("/subscribe");
        using var malformed = new StringContent("{\"email\": \"ada@example.org\", \"maxPapers\": \"ten\"}", Encoding.UTF8, "application/json");
        var badBody = await _host.Admin.PostAsync("/admin/api/subscribers", malformed);
        using var noFormToken = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "x.unsubscribe.1.y" });
        var resubscribe = await _host.Client.PostAsync("/resubscribe", noFormToken);
        _host.Query("DROP TABLE audit_log"); // the next admin read fails inside the endpoint
        var serverError = await _host.Admin.GetAsync("/admin/api/audit");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badBody.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, resubscribe.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, serverError.StatusCode);
        Assert.Contains("Something went wrong", await serverError.Content.ReadAsStringAsync());
        foreach (var response in new[] { page, badBody, resubscribe, serverError })
        {
            var what = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.AbsolutePath} ({(int)response.StatusCode})";
            Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp), what);
            Assert.Contains("frame-ancestors 'none'", csp.Single());
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        }
    }

    [Fact]
    public async Task The_anti_forgery_cookie_is_secure_strict_and_http_only_on_an_https_site()
    {
        await using var https = await WebTestHost.StartAsync(null, "--Site:BaseUrl=https://papers.example.org", "--Site:SubscribeRequestsPerMinute=0");
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(https.BaseUrl) }; // TLS ends at a balancer in front

        var form = await browser.GetAsync("/subscribe");
        var cookie = Assert.Single(form.Headers.GetValues("Set-Cookie"), c => c.StartsWith("newsletter.antiforgery=", StringComparison.Ordinal));
        var token = System.Text.RegularExpressions.Regex.Match(await form.Content.ReadAsStringAsync(), "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">");
        using var post = new HttpRequestMessage(HttpMethod.Post, "/subscribe")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                [token.Groups[1].Value] = WebUtility.HtmlDecode(token.Groups[2].Value), ["email"] = "ada@example.org", ["keywords"] = "diffusion",
            }),
        };
        post.Headers.Add("Cookie", cookie[..cookie.IndexOf(';')]);
        var answer = await browser.SendAsync(post);
        var plain = (await _host.Client.GetAsync("/subscribe")).Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("newsletter.antiforgery=", StringComparison.Ordinal));

        var attributes = cookie.ToLowerInvariant().Split(';').Select(a => a.Trim()).ToList();
        Assert.Contains("secure", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("httponly", attributes);
        Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        Assert.DoesNotContain("secure", plain.ToLowerInvariant().Split(';').Select(a => a.Trim())); // an http site: a Secure cookie would never come back
        Assert.Contains("samesite=strict", plain.ToLowerInvariant());
    }

    [Fact]
    public async Task The_openapi_document_needs_the_admin_key()
    {
        var anonymous = await _host.Client.GetAsync("/admin/api/openapi/v1.json");
        var wrongKey = new HttpRequestMessage(HttpMethod.Get, "/admin/api/openapi/v1.json");
        wrongKey.Headers.TryAddWithoutValidation("Authorization", "Bearer not-the-key-at-all-0123456789");
        var refused = await _host.Client.SendAsync(wrongKey);
        var document = await _host.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/admin/api/openapi/v1.json");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain("/admin/api/subscribers", await anonymous.Content.ReadAsStringAsync());
        Assert.True(document.GetProperty("paths").TryGetProperty("/admin/api/subscribers/{id}", out _));
    }
}

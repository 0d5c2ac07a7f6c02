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

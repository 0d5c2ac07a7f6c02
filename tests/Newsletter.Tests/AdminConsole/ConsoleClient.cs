using System.Net;
using System.Text.RegularExpressions;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.AdminConsole;

/// <summary>A browser-like client of the console over HTTP: keeps cookies, follows no redirect, posts forms with the page's anti-forgery token.</summary>
public sealed partial class ConsoleClient(string baseUrl) : IDisposable
{
    public const string ViewerKey = "test-viewer-key-0123456789abcdef";

    public CookieContainer Cookies { get; } = new();

    private HttpClient? _http;

    public HttpClient Http => _http ??= new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = Cookies }) { BaseAddress = new Uri(baseUrl) };

    public async Task<HttpResponseMessage> SignInAsync(string key = WebTestHost.AdminKey, string? next = null)
    {
        var token = await TokenAsync("/admin");
        return await Http.PostAsync("/admin/sign-in", new FormUrlEncodedContent([token, new("key", key), new("next", next ?? "")]));
    }

    public async Task<string> PageAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {html}");
        return html;
    }

    /// <summary>The anti-forgery field of the first form on a page.</summary>
    public async Task<KeyValuePair<string, string>> TokenAsync(string page)
    {
        var html = await (await Http.GetAsync(page)).Content.ReadAsStringAsync();
        var match = AntiforgeryField().Match(html);
        Assert.True(match.Success, html);
        return new(match.Groups[1].Value, WebUtility.HtmlDecode(match.Groups[2].Value));
    }

    /// <summary>Posts a form the way its page would, with the token <paramref name="from"/> gives.</summary>
    public async Task<HttpResponseMessage> PostAsync(string from, string action, params (string Name, string Value)[] fields)
    {
        var token = await TokenAsync(from);
        return await Http.PostAsync(action, new FormUrlEncodedContent([token, .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]));
    }

    public Cookie? Session => Cookies.GetAllCookies().FirstOrDefault(c => c.Name == "newsletter.admin");

    public void Dispose() => _http?.Dispose();

    [GeneratedRegex("<input type=\"hidden\" name=\"(__RequestVerificationToken[^\"]*|[^\"]*Antiforgery[^\"]*|__[^\"]+)\" value=\"([^\"]+)\">")]
    public static partial Regex AntiforgeryField();
}

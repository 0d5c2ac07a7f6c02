using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Common;
using Newsletter.Hosting;

namespace Newsletter.Tests.Support;

/// <summary>The real `serve` host (pages, admin API, health, metrics) on a free loopback port over a throwaway database.</summary>
public sealed class WebTestHost : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";
    public const string SigningKey = "0123456789abcdef0123456789abcdef-web-test";

    private readonly WebApplication _web;

    private readonly bool _ownsApp;

    private WebTestHost(WebApplication web, TestApp app, string baseUrl, bool ownsApp)
    {
        _web = web;
        _ownsApp = ownsApp;
        App = app;
        BaseUrl = baseUrl;
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(baseUrl) };
        Admin = new HttpClient { BaseAddress = new Uri(baseUrl) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public TestApp App { get; }

    public string BaseUrl { get; }

    /// <summary>A browser-like client (keeps cookies), no credentials.</summary>
    public HttpClient Client { get; }

    /// <summary>A client sending the admin API key.</summary>
    public HttpClient Admin { get; }

    public IServiceProvider Services => _web.Services;

    public T Get<T>() where T : notnull => _web.Services.GetRequiredService<T>();

    /// <summary>One value straight from the database, to check what a request really stored.</summary>
    public object? Query(string sql) => App.Query(sql);

    /// <param name="maildev">Where mail goes; null: the pickup folder inside the test directory.</param>
    public static Task<WebTestHost> StartAsync(MaildevServer? maildev, params string[] settings) => StartAsync(maildev, Backend.Sqlite, settings);

    public static Task<WebTestHost> StartAsync(MaildevServer? maildev, Backend backend, params string[] settings) => StartAsync(maildev, backend, null, settings);

    /// <param name="services">Replaces services of the application's (a clock, say).</param>
    public static async Task<WebTestHost> StartAsync(MaildevServer? maildev, Backend backend, Action<IServiceCollection>? services, params string[] settings)
    {
        var port = Ports.Free();
        var baseUrl = $"http://127.0.0.1:{port}";
        var app = await TestApp.CreateAsync(backend, [
            $"--Site:BaseUrl={baseUrl}",
            $"--Site:SigningKey={SigningKey}",
            $"--Admin:ApiKeys:0={AdminKey}",
            "--Schedule:Enabled=false",
            "--Delivery:PumpIntervalSeconds=0", // tests send through the runs they start; PumpTests turns it on
            "--Smtp:MaxPerSecond=0",
            "--Smtp:From=digest@papers.example.org",
            .. maildev is null
                ? new[] { "--Smtp:Host=" }
                : [ "--Smtp:Host=127.0.0.1", $"--Smtp:Port={maildev.SmtpPort}", "--Smtp:Security=None" ],
            .. settings]);
        return await StartOnAsync(app, baseUrl, ownsApp: true, services);
    }

    /// <summary>Another node beside this one: its own host and port, the same database and settings (<paramref name="settings"/> changed).</summary>
    public Task<WebTestHost> StartBesideAsync(params string[] settings) => StartOnAsync(App, $"http://127.0.0.1:{Ports.Free()}", ownsApp: false, null, settings);

    private static async Task<WebTestHost> StartOnAsync(TestApp app, string baseUrl, bool ownsApp, Action<IServiceCollection>? services, params string[] settings)
    {
        string[] all = [.. app.Settings, $"--Smtp:PickupFolder={app.Dir.File("outbox")}", .. settings];
        var web = WebHost.Build(ConfigSwitches.Extract(all), [baseUrl], services);
        await web.Services.PrepareAsync(migrate: true, CancellationToken.None);
        await web.StartAsync();
        return new WebTestHost(web, app, baseUrl, ownsApp);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Admin.Dispose();
        await _web.StopAsync();
        await _web.DisposeAsync();
        if (_ownsApp)
        {
            App.Dispose();
        }
    }
}

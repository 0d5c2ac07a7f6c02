using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Hosting;
using Newsletter.Tests.Hosting;
using Newsletter.Tests.Support;
using Newsletter.Web;

namespace Newsletter.Tests.Web;

/// <summary>`serve` listens where --urls says, else where ASPNETCORE_URLS says.</summary>
[Collection(nameof(EnvironmentVariables))]
public sealed class ServeAddressTests
{
    [Fact]
    public async Task Serve_listens_on_ASPNETCORE_URLS_when_no_urls_are_given_and_on_urls_when_they_are()
    {
        using var app = new TestApp("--Schedule:Enabled=false", "--Site:SigningKey=0123456789abcdef0123456789abcdef-test");
        var fromEnvironment = $"http://127.0.0.1:{Ports.Free()}";
        var fromSwitch = $"http://127.0.0.1:{Ports.Free()}";
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", fromEnvironment);
        try
        {
            Assert.Equal([fromEnvironment], await AddressesAsync(app, []));
            Assert.Equal([fromSwitch], await AddressesAsync(app, [fromSwitch]));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_URLS", null);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:5191", "http://127.0.0.1:5191")]
    [InlineData("http://0.0.0.0:5191", "http://localhost:5191")]
    [InlineData("http://+:5191", "http://localhost:5191")]
    [InlineData("http://*:80", "http://localhost")]
    [InlineData("http://[::]:5191", "http://localhost:5191")]
    [InlineData("http://[::1]:5191", "http://[::1]:5191")]
    [InlineData("https://news.example.org:8443", "https://news.example.org:8443")]
    [InlineData("http://127.0.0.1:0", null)]
    [InlineData("http://unix:/run/newsletter.sock", null)]
    public void The_link_base_is_the_listen_address_with_a_wildcard_host_as_localhost(string listen, string? expected) =>
        Assert.Equal(expected, ListenAddresses.LinkBase(listen));

    [Fact]
    public async Task Serve_links_to_where_it_listens_unless_Site_BaseUrl_is_set()
    {
        using var app = new TestApp("--Schedule:Enabled=false");
        var listen = $"http://127.0.0.1:{Ports.Free()}";

        Assert.Equal(listen, await BaseUrlAsync(app.Settings, [listen]));
        Assert.Equal("https://papers.example.org", await BaseUrlAsync([.. app.Settings, "--Site:BaseUrl=https://papers.example.org"], [listen]));
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", "http://0.0.0.0:5999;http://127.0.0.1:6000");
        try
        {
            Assert.Equal("http://localhost:5999", await BaseUrlAsync(app.Settings, []));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_URLS", null);
        }

        static async Task<string> BaseUrlAsync(string[] settings, string[] urls)
        {
            await using var web = WebHost.Build(ConfigSwitches.Extract(settings), urls);
            return web.Services.GetRequiredService<IOptions<SiteOptions>>().Value.BaseUrl;
        }
    }

    [Fact]
    public async Task The_start_up_block_names_the_database_host_but_never_its_password()
    {
        using var app = new TestApp("--Schedule:Enabled=false", "--Database:Provider=postgres",
            "--Database:ConnectionString=Host=db.internal;Port=5433;Database=letters;Username=newsletter;Password=hunter2-secret");
        await using var web = WebHost.Build(ConfigSwitches.Extract(app.Settings), ["http://127.0.0.1:5191"]);

        var summary = await StartupSummary.ReadAsync(web.Services, ["http://127.0.0.1:5191"], CancellationToken.None);

        var block = string.Join('\n', summary.Lines());
        Assert.Contains("database       PostgreSQL db.internal:5433/letters", block);
        Assert.DoesNotContain("hunter2", block);
        Assert.Contains("scheduler off", block);
    }

    private static async Task<string[]> AddressesAsync(TestApp app, string[] urls)
    {
        await using var web = WebHost.Build(ConfigSwitches.Extract(app.Settings), urls);
        await web.Services.PrepareAsync(migrate: true, CancellationToken.None);
        await web.StartAsync();
        var addresses = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(addresses[0] + "/healthz")).IsSuccessStatusCode);
        await web.StopAsync();
        return addresses;
    }
}

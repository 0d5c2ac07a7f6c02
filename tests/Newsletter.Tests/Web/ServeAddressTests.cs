using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
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

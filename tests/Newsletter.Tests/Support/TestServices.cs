using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Newsletter.Common;
using Newsletter.Hosting;

namespace Newsletter.Tests.Support;

/// <summary>The application's own service container over a throwaway database, for tests below the command line.</summary>
public sealed class TestServices : IAsyncDisposable
{
    private readonly IHost _host;

    private TestServices(IHost host, TestApp app)
    {
        _host = host;
        App = app;
    }

    public TestApp App { get; }

    public IServiceProvider Services => _host.Services;

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public static Task<TestServices> StartAsync(params string[] settings) => StartAsync(Backend.Sqlite, settings);

    public static async Task<TestServices> StartAsync(Backend backend, params string[] settings)
    {
        var app = await TestApp.CreateAsync(backend, settings);
        var host = AppHost.BuildForCommand(ConfigSwitches.Extract(app.Settings));
        await host.Services.PrepareAsync(migrate: true, CancellationToken.None);
        return new TestServices(host, app);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        App.Dispose();
    }
}

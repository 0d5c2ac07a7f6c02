using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Newsletter.Tests.Support;

/// <summary>
/// A real Kestrel server on a free loopback port that plays scripted answers per path, so the real HttpClient,
/// resilience pipeline and parsers run against recorded pages.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<HttpContext, Task>>> _scripts = new();
    private readonly WebApplication _app;

    private LoopbackServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(async context =>
        {
            Requests.Enqueue(new SeenRequest(context.Request.Path + context.Request.QueryString, context.Request.Headers.UserAgent.ToString(), DateTimeOffset.UtcNow));
            if (_scripts.TryGetValue(context.Request.Path, out var script) && script.TryPeek(out var next))
            {
                if (script.Count > 1)
                {
                    script.TryDequeue(out next);
                }
                await next!(context);
                return;
            }
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("not found");
        });
    }

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<LoopbackServer> StartAsync()
    {
        var server = new LoopbackServer();
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    public string Url(string pathAndQuery) => new Uri(BaseAddress, pathAndQuery).ToString();

    /// <summary>Answers requests for <paramref name="path"/> with each step in turn; the last one repeats.</summary>
    public LoopbackServer Script(string path, params Func<HttpContext, Task>[] steps)
    {
        _scripts[path] = new ConcurrentQueue<Func<HttpContext, Task>>(steps);
        return this;
    }

    public static Func<HttpContext, Task> File(string path, string contentType) => async context =>
    {
        context.Response.ContentType = contentType;
        await context.Response.SendFileAsync(path);
    };

    public static Func<HttpContext, Task> Status(int status, string? retryAfter = null) => async context =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }
        await context.Response.WriteAsync($"status {status}");
    };

    public static Func<HttpContext, Task> Hang(TimeSpan delay) => async context =>
    {
        await Task.Delay(delay, context.RequestAborted).ContinueWith(_ => { });
    };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed record SeenRequest(string PathAndQuery, string UserAgent, DateTimeOffset At);

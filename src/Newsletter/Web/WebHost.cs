using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newsletter.Admin;
using Newsletter.Data;
using Newsletter.Hosting;
using Newsletter.Scheduling;
using Newsletter.Web.Pages;
using OpenTelemetry.Metrics;

namespace Newsletter.Web;

/// <summary>The long-running service: subscriber pages, admin API, health and metrics on Kestrel, and the scheduler, over one database.</summary>
public static class WebHost
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static WebApplication Build(ConfigSwitches switches, string[] urls)
    {
        var home = NewsletterHome.Locate(switches.ConfigFile);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = home.Path, Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddEnvironmentVariables("ASPNETCORE_");
        builder.Configuration.AddNewsletterConfiguration(home, switches);
        AppHost.AddStderrLogging(builder.Logging, builder.Configuration);
        if (urls.Length > 0)
        {
            builder.WebHost.UseUrls(urls);
        }
        else if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls("http://localhost:5080"); // the default Site:BaseUrl, so demo links work
        }
        ListenAddresses.RequireCertificateForHttps(builder.Configuration, urls);
        builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves HTTPS out; Kestrel:Certificates:* needs it
        AddWebServices(builder.Services, builder.Configuration);
        builder.Services.AddNewsletterServices(home);
        if (builder.Configuration.GetValue(ScheduleOptions.Section + ":" + nameof(ScheduleOptions.Enabled), true))
        {
            var database = new Database(Options.Create(builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions()), home);
            builder.Services.AddScheduler(database);
        }
        var app = builder.Build();
        app.UseNewsletterErrors();
        app.Use(SecurityHeaders);
        app.UseRateLimiter();
        app.UseAntiforgery();
        MapEndpoints(app);
        return app;
    }

    private static void AddWebServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // so bad bodies reach ErrorPages and get a precise answer
        services.Configure<JsonOptions>(o => o.SerializerOptions.Encoder = AdminJson.Options.Encoder);
        services.AddAntiforgery(o => o.Cookie.Name = "newsletter.antiforgery");
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, cancellationToken) =>
            {
                var site = context.HttpContext.RequestServices.GetRequiredService<IOptions<SiteOptions>>().Value;
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await PageLayout.Problem(site.Name, "Too many requests", "This address sent the form many times in the last minute. Wait a minute and try again.",
                    StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
            };
            o.AddPolicy(SubscribeEndpoints.RateLimitPolicy, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<SiteOptions>>().Value.SubscribeRequestsPerMinute;
                return perMinute == 0
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = perMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    });
            });
        });
        services.AddOpenApi(o => o.ShouldInclude = d => d.RelativePath?.StartsWith(AdminApi.Prefix.TrimStart('/'), StringComparison.Ordinal) == true);
        services.AddNewsletterHealthChecks();
        services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(NewsletterMetrics.MeterName).AddPrometheusExporter());
        services.AddSingleton<SignedLink>();
        services.AddSingleton<RecentPapersPreview>();
        services.AddAdminApi();
        services.AddHostedService<Delivery.OutboxPump>();
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapSubscribePages();
        app.MapConfirmPages();
        app.MapPreferencesPages();
        app.MapUnsubscribePages();
        app.MapAdminApi();
        app.MapOpenApi(AdminApi.Prefix + "/openapi/{documentName}.json");
        app.MapNewsletterHealth();
        app.MapPrometheusScrapingEndpoint("/metrics");
    }

    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer"; // page addresses carry signed tokens: never leak them to paper sites
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.CacheControl = "no-store";
        return next(context);
    }
}

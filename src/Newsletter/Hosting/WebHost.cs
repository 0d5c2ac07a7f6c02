using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Newsletter.Admin;
using Newsletter.AdminConsole;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Operations;
using Newsletter.Scheduling;
using Newsletter.Web;
using Newsletter.Web.Pages;
using OpenTelemetry.Metrics;

namespace Newsletter.Hosting;

/// <summary>The long-running service: subscriber pages, admin API, health and metrics on Kestrel, and the scheduler, over one database.</summary>
public static class WebHost
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// The lowest-priority log levels of <c>serve</c>: Quartz and ASP.NET Core say at start what the start-up block
    /// says in one line each (about twenty lines before it), so their information lines are left out unless a setting
    /// (file, environment or switch: Logging:LogLevel:Quartz=Information) asks for them again.
    /// </summary>
    private static readonly Dictionary<string, string?> QuietFrameworks = new()
    {
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        ["Logging:LogLevel:Quartz"] = "Warning",
    };

    /// <param name="addServices">Replaces or adds services after the application's own (tests: a clock).</param>
    public static WebApplication Build(ConfigSwitches switches, string[] urls, Action<IServiceCollection>? addServices = null)
    {
        var home = NewsletterHome.Locate(switches.ConfigFile);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = home.Path, Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(QuietFrameworks);
        builder.Configuration.AddEnvironmentVariables("ASPNETCORE_");
        builder.Configuration.AddNewsletterConfiguration(home, switches);
        AppHost.AddStderrLogging(builder.Logging, builder.Configuration);
        var (listen, _) = ListenAddresses.Requested(builder.Configuration, urls);
        builder.WebHost.UseUrls(listen);
        ListenAddresses.RequireCertificateForHttps(builder.Configuration, urls);
        builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves HTTPS out; Kestrel:Certificates:* needs it
        AddWebServices(builder.Services, builder.Configuration);
        builder.Services.AddNewsletterServices(home);
        if (builder.Configuration[$"{SiteOptions.Section}:{nameof(SiteOptions.BaseUrl)}"] is null && ListenAddresses.LinkBase(listen[0]) is { } linkBase)
        {
            // nothing says where the pages are for the world, so emailed links go where this process answers
            builder.Services.PostConfigure<SiteOptions>(o => o.BaseUrl = linkBase);
        }
        addServices?.Invoke(builder.Services);
        if (builder.Configuration.GetValue(ScheduleOptions.Section + ":" + nameof(ScheduleOptions.Enabled), true))
        {
            // Quartz's job store is set up as services are registered, before the container could build the database:
            // the one built for it here is the container's Database too, so there is one data source, disposed with the container
            var database = new Database(Options.Create(builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions()), home);
            builder.Services.Replace(ServiceDescriptor.Singleton(_ => database));
            builder.Services.AddScheduler(database);
        }
        var app = builder.Build();
        app.Use(PublicScheme);
        app.Use(SecurityHeaders); // before the error handler, whose answers must carry the headers too
        app.UseNewsletterErrors();
        app.UseRateLimiter();
        app.UsePageForms(); // after the limiter: a refused post is not read
        app.UseAntiforgery();
        MapEndpoints(app);
        return app;
    }

    private static void AddWebServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // so bad bodies reach ErrorPages and get a precise answer
        services.Configure<JsonOptions>(o => o.SerializerOptions.Encoder = AdminJson.Options.Encoder);
        services.AddAntiforgery();
        services.AddOptions<AntiforgeryOptions>().Configure<IOptions<SiteOptions>>((o, site) =>
        {
            o.Cookie.Name = "newsletter.antiforgery";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = IsHttps(site.Value) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        services.AddKeyRingInDatabase();
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
        services.AddSingleton<DigestArchive>();
        services.AddSingleton<RecentPapersPreview>();
        services.AddAdminApi();
        services.AddAdminConsole();
        services.AddHostedService<Scheduling.OutboxPump>();
    }

    /// <summary>
    /// When the public address is https, the browser spoke TLS, whether to Kestrel or to a balancer in front that
    /// passes plain HTTP on (docs/deploy.md), and requests say so: the anti-forgery check refuses to work with its
    /// Secure cookie on a request it believes came without TLS.
    /// </summary>
    private static Task PublicScheme(HttpContext context, RequestDelegate next)
    {
        if (IsHttps(context.RequestServices.GetRequiredService<IOptions<SiteOptions>>().Value))
        {
            context.Request.Scheme = Uri.UriSchemeHttps;
        }
        return next(context);
    }

    private static bool IsHttps(SiteOptions site) => site.BaseUrl.StartsWith("https:", StringComparison.OrdinalIgnoreCase);

    private static void MapEndpoints(WebApplication app)
    {
        app.MapSubscribePages();
        app.MapConfirmPages();
        app.MapPreferencesPages();
        app.MapFeedPages();
        app.MapUnsubscribePages();
        app.MapAdminApi();
        app.MapAdminConsole();
        app.MapNewsletterHealth();
        app.MapPrometheusScrapingEndpoint("/metrics");
    }

    /// <summary>
    /// Set as the response starts rather than as the request arrives: the exception handler clears the headers of
    /// the response it replaces, and its answers (admin 500s, bad-request 400s, expired forms) need them as much.
    /// </summary>
    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer"; // page addresses carry signed tokens: never leak them to paper sites
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            if (string.IsNullOrEmpty(headers.CacheControl))
            {
                headers.CacheControl = "no-store"; // the private feed says how it may be kept (FeedEndpoints); nothing else may be
            }
            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    }
}

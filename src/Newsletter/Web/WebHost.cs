using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newsletter.Data;
using Newsletter.Hosting;
using Newsletter.Scheduling;

namespace Newsletter.Web;

/// <summary>The long-running service: web pages and API on Kestrel, and the scheduler, over one database.</summary>
public static class WebHost
{
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
        builder.Services.AddNewsletterServices(home);
        if (builder.Configuration.GetValue(ScheduleOptions.Section + ":" + nameof(ScheduleOptions.Enabled), true))
        {
            var database = new Database(Options.Create(builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions()), home);
            builder.Services.AddScheduler(database.FilePath ?? throw new InvalidOperationException("the scheduler needs a database file"));
        }
        var app = builder.Build();
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));
        return app;
    }
}

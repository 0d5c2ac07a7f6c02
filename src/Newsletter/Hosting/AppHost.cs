using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Inbound;
using Newsletter.Papers;
using Newsletter.Scheduling;
using Newsletter.Sources;
using Newsletter.Subscribers;

namespace Newsletter.Hosting;

/// <summary>Configuration and services shared by every command and by the web host.</summary>
public static class AppHost
{
    /// <summary>
    /// Settings, lowest priority first: config/appsettings.json, the host's own adjustments (a command logs
    /// less than the service), NEWSLETTER__* environment variables, then --Section:Key=value switches.
    /// </summary>
    public static void AddNewsletterConfiguration(this IConfigurationBuilder configuration, NewsletterHome home, ConfigSwitches switches, IDictionary<string, string?>? hostAdjustments = null)
    {
        if (switches.ConfigFile is not null && !File.Exists(home.ConfigFile))
        {
            throw new ConfigurationError($"--config: the file {home.ConfigFile} does not exist.");
        }
        try
        {
            configuration.AddJsonFile(home.ConfigFile, optional: true, reloadOnChange: false);
        }
        catch (InvalidDataException e)
        {
            throw new ConfigurationError(BrokenFile(home.ConfigFile, e), e);
        }
        if (hostAdjustments is not null)
        {
            configuration.AddInMemoryCollection(hostAdjustments);
        }
        configuration.AddEnvironmentVariables("NEWSLETTER__");
        configuration.AddCommandLine([.. switches.Settings]);
    }

    /// <summary>Where the settings file is broken: its path, and the line and column the JSON reader stopped at.</summary>
    private static string BrokenFile(string path, Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Text.Json.JsonException { LineNumber: { } line, BytePositionInLine: { } column } json)
            {
                // the reader's own words, without the position it appends (given here in the usual 1-based form)
                var reason = json.Message.Split([" Path: ", " LineNumber: "], 2, StringSplitOptions.None)[0].TrimEnd('.', ' ');
                return $"{path} is not valid JSON at line {line + 1}, position {column + 1}: {reason}.";
            }
            if (inner.InnerException is null)
            {
                return $"{path} cannot be read as settings: {inner.Message}";
            }
        }
        return $"{path} cannot be read as settings: {e.Message}";
    }

    public static IServiceCollection AddNewsletterServices(this IServiceCollection services, NewsletterHome home)
    {
        services.AddSingleton(home);
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<NewsletterMetrics>();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateOnStart();
        services.AddSingleton<Database>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<PaperStore>();
        services.AddSources();
        services.AddSingleton<IValidateOptions<SiteOptions>, SiteOptionsValidator>();
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScheduleOptions>, ScheduleOptionsValidator>();
        services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SendTimeDefaults>, SendTimeDefaultsValidator>();
        services.AddOptions<SendTimeDefaults>().BindConfiguration(SendTimeDefaults.Section).ValidateOnStart();
        services.AddOptions<TemplateOptions>().BindConfiguration(TemplateOptions.Section);
        services.AddSingleton<TemplateSet>();
        services.AddSingleton<LinkSigner>();
        services.AddSingleton<SubscriberStore>();
        services.AddSingleton<Matching.ProfileStore>();
        services.AddSingleton<SubscriptionService>();
        services.AddSingleton<SubscriberImport>();
        services.AddSingleton<ConfirmationRequests>();
        services.AddSingleton<DigestPlans>();
        services.AddSingleton<DigestPlanner>();
        services.AddSingleton<DigestComposer>();
        services.AddSingleton<DigestPreviews>();
        services.AddSingleton<ConfirmationMail>();
        services.AddSingleton<DemoSetup>();
        services.AddDelivery();
        services.AddInbound();
        services.AddMailbox();
        services.AddDigestRuns();
        return services;
    }

    /// <summary>A host for one command: no hosted services, logs on stderr so stdout carries only results.</summary>
    public static IHost BuildForCommand(ConfigSwitches switches, Action<IServiceCollection>? addServices = null)
    {
        var home = NewsletterHome.Locate(switches.ConfigFile);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = home.Path,
            EnvironmentName = Environment.GetEnvironmentVariable("NEWSLETTER_ENVIRONMENT") ?? Environments.Production,
        });
        builder.Configuration.AddNewsletterConfiguration(home, switches, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            // Polly logs every failed attempt with its stack trace; the listing fetcher's own line per retry says the same in one line
            ["Logging:LogLevel:Polly"] = "None",
        });
        AddStderrLogging(builder.Logging, builder.Configuration);
        builder.Services.AddNewsletterServices(home);
        addServices?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>
    /// Log lines on stderr: one readable line each (Logging:Console:FormatterName = simple, the default) or one JSON
    /// object each (json) for log collectors; scopes are included, so every line of a run carries its run id.
    /// </summary>
    public static void AddStderrLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        logging.AddConfiguration(configuration.GetSection("Logging"));
        var format = configuration["Logging:Console:FormatterName"];
        switch (format?.Trim().ToLowerInvariant())
        {
            case null or "" or "simple":
                logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.IncludeScopes = true;
                    o.TimestampFormat = "HH:mm:ss ";
                });
                break;
            case "json":
                logging.AddJsonConsole(o =>
                {
                    o.IncludeScopes = true;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                    o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
                });
                break;
            default:
                throw new ConfigurationError($"Logging:Console:FormatterName must be simple or json (was '{format}').");
        }
        TerminalSafeConsoleLogger.Install(logging.Services);
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    /// <summary>Checks every option at once (the same check the web host does at start), then brings the schema up to date.</summary>
    public static async Task PrepareAsync(this IServiceProvider services, bool migrate, CancellationToken cancellationToken)
    {
        services.GetRequiredService<IStartupValidator>().Validate();
        _ = Matching.MatchingWarmUp.Start(); // compiles the matching code while the templates load and the schema is checked
        services.GetRequiredService<TemplateSet>();
        if (migrate)
        {
            await services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
        }
    }
}

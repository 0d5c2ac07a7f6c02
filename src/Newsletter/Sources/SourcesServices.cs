using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace Newsletter.Sources;

public static partial class SourcesServices
{
    public static IServiceCollection AddSources(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<SourcesOptions>, SourcesOptionsValidator>();
        services.AddOptions<SourcesOptions>().BindConfiguration(SourcesOptions.Section).ValidateOnStart();
        services.AddSingleton<ListingFetcher>();
        services.AddSingleton<Ingestor>();
        services.AddSingleton<ArxivPacing>();
        var client = services.AddHttpClient(ListingFetcher.HttpClientName, (sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<SourcesOptions>>().Value;
                client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
                client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html", 0.9));
                client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*", 0.5));
                client.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.All,
                AllowAutoRedirect = false, // ListingRedirectHandler follows them, to http(s) only
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        client.AddResilienceHandler("listing", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<SourcesOptions>>().Value;
            var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ListingFetcher));
            pipeline.AddTimeout(TimeSpan.FromSeconds(options.TotalTimeoutSeconds));
            if (options.MaxRetries == 0)
            {
                pipeline.AddTimeout(TimeSpan.FromSeconds(options.RequestTimeoutSeconds));
                return; // Polly needs at least one retry in a retry strategy
            }
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMilliseconds),
                MaxDelay = TimeSpan.FromSeconds(options.TotalTimeoutSeconds), // waiting longer than the whole fetch may take is pointless
                ShouldRetryAfterHeader = true,
                OnRetry = args =>
                {
                    var why = args.Outcome switch
                    {
                        { Result: { } r } => $"HTTP {(int)r.StatusCode} {r.ReasonPhrase}",
                        { Exception: TimeoutRejectedException } => $"no answer within Sources:RequestTimeoutSeconds = {options.RequestTimeoutSeconds} s",
                        { Exception: { } e } => e.Message.TrimEnd('.'),
                        _ => "failure",
                    };
                    LogRetry(logger, args.Context.GetRequestMessage()?.RequestUri?.ToString() ?? "the listing", why,
                        args.RetryDelay.TotalSeconds, args.AttemptNumber + 1, options.MaxRetries);
                    return ValueTask.CompletedTask;
                },
            });
            pipeline.AddTimeout(TimeSpan.FromSeconds(options.RequestTimeoutSeconds));
        });
        // Added after the pipeline, so inside it: each attempt's timeout and the total one cover redirects and the
        // whole body, and a body cut short is retried.
        client.AddHttpMessageHandler(sp => new ListingBodyHandler(sp.GetRequiredService<IOptions<SourcesOptions>>()))
            .AddHttpMessageHandler(() => new ListingRedirectHandler());
        return services;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching {Url} failed ({Reason}); retry {Attempt} of {MaxRetries} in {DelaySeconds:0.0} s")]
    private static partial void LogRetry(ILogger logger, string url, string reason, double delaySeconds, int attempt, int maxRetries);
}

using System.Globalization;
using Microsoft.Extensions.Options;
using Newsletter.Common;

namespace Newsletter.Sources;

public sealed class SourcesOptions
{
    public const string Section = "Sources";

    /// <summary>Where the daily list is fetched when no --from is given; <c>{date}</c> becomes YYYY-MM-DD.</summary>
    public string DailyUrl { get; set; } = "https://huggingface.co/api/daily_papers?date={date}&limit=100";

    /// <summary>The address of <paramref name="day"/>'s list: <see cref="DailyUrl"/> with its <c>{date}</c> filled in.</summary>
    public string DailyUrlFor(DateOnly day) => DailyUrl.Replace("{date}", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public string UserAgent { get; set; } = "Newsletter/1.0 (self-hosted trending-papers digest; one fetch per day)";

    /// <summary>Limit for one HTTP attempt.</summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>Limit for a whole fetch, retries and waits included.</summary>
    public int TotalTimeoutSeconds { get; set; } = 300;

    /// <summary>Retries after the first attempt, for 5xx, 408, 429, timeouts and dropped connections.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First retry delay; each later one doubles (with jitter). Retry-After overrides it.</summary>
    public int RetryBaseDelayMilliseconds { get; set; } = 2000;

    /// <summary>A larger listing is refused rather than read into memory.</summary>
    public long MaxListingBytes { get; set; } = 20_000_000;
}

public sealed class SourcesOptionsValidator : IValidateOptions<SourcesOptions>
{
    public ValidateOptionsResult Validate(string? name, SourcesOptions o)
    {
        var failures = new List<string>();
        var probe = o.DailyUrl is null ? null : o.DailyUrlFor(new DateOnly(2026, 1, 1));
        if (!Uri.TryCreate(probe, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{SourcesOptions.Section}:DailyUrl: '{o.DailyUrl}' is not an absolute http(s) URL.");
        }
        if (string.IsNullOrWhiteSpace(o.UserAgent))
        {
            failures.Add($"{SourcesOptions.Section}:UserAgent: must not be empty (sites block anonymous clients).");
        }
        SettingRange.Check(failures, $"{SourcesOptions.Section}:RequestTimeoutSeconds", o.RequestTimeoutSeconds, 1, 3600);
        // the resilience pipeline refuses a timeout over a day
        SettingRange.Check(failures, $"{SourcesOptions.Section}:TotalTimeoutSeconds", o.TotalTimeoutSeconds, 1, 86_400);
        SettingRange.Check(failures, $"{SourcesOptions.Section}:MaxRetries", o.MaxRetries, 0, 20, "no retries");
        SettingRange.Check(failures, $"{SourcesOptions.Section}:RetryBaseDelayMilliseconds", o.RetryBaseDelayMilliseconds, 0, 600_000);
        // the listing is held in memory twice (bytes, then text)
        SettingRange.Check(failures, $"{SourcesOptions.Section}:MaxListingBytes", o.MaxListingBytes, 1, 500_000_000);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

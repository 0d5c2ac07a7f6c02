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

    /// <summary>Several sources for each listing day; empty: the one source <see cref="DailyUrl"/>, named <c>hf</c>.</summary>
    public List<FeedOptions> Feeds { get; set; } = [];

    private static readonly DayOfWeek[] EveryDay = Enum.GetValues<DayOfWeek>();
    private static readonly DayOfWeek[] WorkingDays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    /// <summary>The sources of a listing day, in configured order (the first wins where two disagree), defaults applied.</summary>
    public IReadOnlyList<Feed> EffectiveFeeds() => Feeds.Count == 0
        ? [new Feed(Feed.DefaultName, FeedKinds.HfDaily, DailyUrl, [], new HashSet<DayOfWeek>(EveryDay))]
        : [.. Feeds.Select(f =>
        {
            var kind = (f.Kind ?? "").Trim().ToLowerInvariant();
            var url = !string.IsNullOrWhiteSpace(f.Url) ? f.Url.Trim() : kind switch
            {
                FeedKinds.HfDaily => DailyUrl,
                FeedKinds.Arxiv => FeedKinds.ArxivRssUrl,
                _ => "",
            };
            var days = f.Weekdays.Count > 0
                ? f.Weekdays.Select(d => Enum.Parse<DayOfWeek>(d.Trim(), ignoreCase: true))
                : kind == FeedKinds.Arxiv ? WorkingDays : EveryDay;
            return new Feed(f.Name.Trim(), kind, url, [.. f.Categories.Select(c => c.Trim())], new HashSet<DayOfWeek>(days));
        })];
}

public sealed partial class SourcesOptionsValidator : IValidateOptions<SourcesOptions>
{
    public ValidateOptionsResult Validate(string? name, SourcesOptions o)
    {
        var failures = new List<string>();
        var probe = o.DailyUrl is null ? null : o.DailyUrlFor(new DateOnly(2026, 1, 1));
        if (!IsHttpUrl(probe))
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
        ValidateFeeds(o, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateFeeds(SourcesOptions o, List<string> failures)
    {
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < o.Feeds.Count; i++)
        {
            var feed = o.Feeds[i];
            var at = $"{SourcesOptions.Section}:Feeds:{i}";
            var name = feed.Name?.Trim() ?? "";
            if (!FeedName().IsMatch(name))
            {
                failures.Add($"{at}:Name: '{feed.Name}' is not a source name: use letters, digits, '-' or '_' (e.g. hf, arxiv), at most 40.");
            }
            else if (names.TryGetValue(name, out var first))
            {
                failures.Add($"{at}:Name: '{name}' is already the name of {SourcesOptions.Section}:Feeds:{first}; each source needs its own name.");
            }
            else
            {
                names[name] = i;
            }
            var kind = feed.Kind?.Trim().ToLowerInvariant() ?? "";
            if (!FeedKinds.All.Contains(kind))
            {
                failures.Add($"{at}:Kind: '{feed.Kind}' is not a kind of source; use one of: {string.Join(", ", FeedKinds.All)}.");
                continue;
            }
            if (kind == FeedKinds.Arxiv && feed.Categories.Count == 0)
            {
                failures.Add($"{at}:Categories: an arxiv source needs at least one category (e.g. [\"cs.CL\", \"cs.LG\"]).");
            }
            foreach (var category in feed.Categories.Where(c => !Category().IsMatch(c?.Trim() ?? "")))
            {
                failures.Add($"{at}:Categories: '{category}' is not an arXiv category (e.g. cs.CL, math.PR, hep-th).");
            }
            if (kind is FeedKinds.Atom or FeedKinds.Rss && string.IsNullOrWhiteSpace(feed.Url))
            {
                failures.Add($"{at}:Url: a source of kind {kind} needs the address of its listing.");
            }
            else if (!string.IsNullOrWhiteSpace(feed.Url) && !IsHttpUrl(feed.Url.Replace("{date}", "2026-01-01", StringComparison.Ordinal).Replace("{categories}", "cs.CL", StringComparison.Ordinal)))
            {
                failures.Add($"{at}:Url: '{feed.Url}' is not an absolute http(s) URL.");
            }
            foreach (var day in feed.Weekdays.Where(d => !Enum.TryParse<DayOfWeek>(d?.Trim(), ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(d, out _)))
            {
                failures.Add($"{at}:Weekdays: '{day}' is not a weekday; use English names (Monday … Sunday).");
            }
        }
    }

    private static bool IsHttpUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9_-]{1,40}$")]
    private static partial System.Text.RegularExpressions.Regex FeedName();

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z-]+(\.[A-Za-z-]+)?$")]
    private static partial System.Text.RegularExpressions.Regex Category();
}

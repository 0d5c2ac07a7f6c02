using System.Globalization;

namespace Newsletter.Sources;

/// <summary>One source of a listing day (an element of <c>Sources:Feeds</c>).</summary>
public sealed class FeedOptions
{
    /// <summary>Unique; what the papers record as their source and what <c>source:</c> in a profile names (e.g. <c>hf</c>, <c>arxiv</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary><c>hf-daily</c>, <c>arxiv</c>, <c>atom</c> or <c>rss</c> (<see cref="FeedKinds"/>).</summary>
    public string Kind { get; set; } = "";

    /// <summary>
    /// Where the listing is fetched; <c>{date}</c> becomes the listing day (YYYY-MM-DD) and, for <c>arxiv</c>,
    /// <c>{categories}</c> the categories joined with <c>+</c>. Default for <c>hf-daily</c>: Sources:DailyUrl; for
    /// <c>arxiv</c>: <see cref="FeedKinds.ArxivRssUrl"/>. Required for <c>atom</c> and <c>rss</c>.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>For <c>arxiv</c>: the categories to fetch, e.g. <c>cs.CL</c>, <c>cs.LG</c> (one request for all).</summary>
    public List<string> Categories { get; set; } = [];

    /// <summary>
    /// The weekdays the source publishes (English names, e.g. <c>Monday</c>); on other days it is not fetched and its
    /// absence is not a failure. Default: Monday to Friday for <c>arxiv</c> (no announcements at weekends), every day otherwise.
    /// </summary>
    public List<string> Weekdays { get; set; } = [];
}

public static class FeedKinds
{
    public const string HfDaily = "hf-daily";
    public const string Arxiv = "arxiv";
    public const string Atom = "atom";
    public const string Rss = "rss";

    public static readonly string[] All = [HfDaily, Arxiv, Atom, Rss];

    /// <summary>arXiv's daily announcements of the categories (several joined with <c>+</c>), in one request.</summary>
    public const string ArxivRssUrl = "https://rss.arxiv.org/rss/{categories}";

    /// <summary>arXiv's terms of use: no more than one request every three seconds.</summary>
    public static readonly TimeSpan ArxivSpacing = TimeSpan.FromSeconds(3);
}

/// <summary>A configured source as ingest uses it: defaults applied, the URL template resolved.</summary>
public sealed record Feed(string Name, string Kind, string UrlTemplate, IReadOnlyList<string> Categories, IReadOnlySet<DayOfWeek> Weekdays)
{
    /// <summary>The name of the one feed <c>Sources:DailyUrl</c> stands for when <c>Sources:Feeds</c> is empty.</summary>
    public const string DefaultName = "hf";

    public bool PublishesOn(DateOnly day) => Weekdays.Contains(day.DayOfWeek);

    /// <summary>
    /// A feed whose address names no day (arXiv's RSS, any Atom or RSS URL without <c>{date}</c>) serves only its
    /// latest listing, whichever day is being ingested: what it holds belongs to the day it names.
    /// </summary>
    public bool LatestOnly => Kind != FeedKinds.HfDaily && !UrlTemplate.Contains("{date}", StringComparison.Ordinal);

    public string UrlFor(DateOnly day) => UrlTemplate
        .Replace("{date}", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{categories}", string.Join('+', Categories), StringComparison.Ordinal);
}

using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Sources;

/// <summary>Sources:Feeds as written in the settings: defaults, the one-feed DailyUrl case, and what is refused on start.</summary>
public sealed class FeedSettingsTests
{
    private static IReadOnlyList<string> Failures(SourcesOptions options) =>
        new SourcesOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void Without_feeds_the_daily_url_is_the_one_source_named_hf_every_day()
    {
        var options = new SourcesOptions { DailyUrl = "https://example.org/daily?date={date}" };

        var feed = Assert.Single(options.EffectiveFeeds());

        Assert.Equal(("hf", "hf-daily"), (feed.Name, feed.Kind));
        Assert.Equal("https://example.org/daily?date=2026-03-14", feed.UrlFor(new DateOnly(2026, 3, 14)));
        Assert.Equal(7, feed.Weekdays.Count);
        Assert.Empty(Failures(options));
    }

    [Fact]
    public void An_arxiv_feed_defaults_to_the_announcements_rss_of_its_categories_on_weekdays()
    {
        var options = new SourcesOptions
        {
            Feeds =
            [
                new FeedOptions { Name = "hf", Kind = "hf-daily" },
                new FeedOptions { Name = "arxiv", Kind = "arxiv", Categories = ["cs.CL", "cs.LG"] },
            ],
        };

        var feeds = options.EffectiveFeeds();

        Assert.Empty(Failures(options));
        Assert.Equal(options.DailyUrlFor(new DateOnly(2026, 3, 11)), feeds[0].UrlFor(new DateOnly(2026, 3, 11)));
        Assert.Equal("https://rss.arxiv.org/rss/cs.CL+cs.LG", feeds[1].UrlFor(new DateOnly(2026, 3, 11)));
        Assert.True(feeds[1].PublishesOn(new DateOnly(2026, 3, 13))); // Friday
        Assert.False(feeds[1].PublishesOn(new DateOnly(2026, 3, 14))); // Saturday
        Assert.False(feeds[1].PublishesOn(new DateOnly(2026, 3, 15)));
    }

    [Fact]
    public void Weekdays_set_the_days_a_source_is_fetched()
    {
        var options = new SourcesOptions { Feeds = [new FeedOptions { Name = "blog", Kind = "rss", Url = "https://example.org/feed.xml", Weekdays = ["monday", "Thursday"] }] };

        var feed = Assert.Single(options.EffectiveFeeds());

        Assert.Empty(Failures(options));
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Thursday], feed.Weekdays.Order());
    }

    [Fact]
    public void Wrong_feeds_are_refused_with_the_setting_named()
    {
        var options = new SourcesOptions
        {
            Feeds =
            [
                new FeedOptions { Name = "hf", Kind = "hf-daily" },
                new FeedOptions { Name = "hf", Kind = "arxiv" },
                new FeedOptions { Name = "blog", Kind = "newsletter" },
                new FeedOptions { Name = "feed", Kind = "atom" },
                new FeedOptions { Name = "other", Kind = "rss", Url = "ftp://example.org/{date}.xml" },
                new FeedOptions { Name = "two words", Kind = "arxiv", Categories = ["cs CL"], Weekdays = ["Someday"] },
            ],
        };

        var failures = Failures(options);

        Assert.Contains("Sources:Feeds:1:Name: 'hf' is already the name of Sources:Feeds:0; each source needs its own name.", failures);
        Assert.Contains("Sources:Feeds:1:Categories: an arxiv source needs at least one category (e.g. [\"cs.CL\", \"cs.LG\"]).", failures);
        Assert.Contains("Sources:Feeds:2:Kind: 'newsletter' is not a kind of source; use one of: hf-daily, arxiv, atom, rss.", failures);
        Assert.Contains("Sources:Feeds:3:Url: a source of kind atom needs the address of its listing.", failures);
        Assert.Contains("Sources:Feeds:4:Url: 'ftp://example.org/{date}.xml' is not an absolute http(s) URL.", failures);
        Assert.Contains("Sources:Feeds:5:Name: 'two words' is not a source name: use letters, digits, '-' or '_' (e.g. hf, arxiv), at most 40.", failures);
        Assert.Contains("Sources:Feeds:5:Categories: 'cs CL' is not an arXiv category (e.g. cs.CL, math.PR, hep-th).", failures);
        Assert.Contains("Sources:Feeds:5:Weekdays: 'Someday' is not a weekday; use English names (Monday … Sunday).", failures);
        Assert.Equal(8, failures.Count);
    }

    [Fact]
    public async Task A_wrong_feed_stops_the_program_on_start_naming_the_setting()
    {
        using var app = new TestApp("--Sources:Feeds:0:Name=arxiv", "--Sources:Feeds:0:Kind=arxive");

        var result = await app.RunAsync("ingest", "--date", "2026-03-11");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Sources:Feeds:0:Kind: 'arxive' is not a kind of source; use one of: hf-daily, arxiv, atom, rss.", result.Stderr);
    }

    [Fact]
    public async Task An_unknown_source_name_is_a_usage_error_listing_the_configured_ones()
    {
        using var app = new TestApp("--Sources:Feeds:0:Name=hf", "--Sources:Feeds:0:Kind=hf-daily", "--Sources:Feeds:1:Name=arxiv", "--Sources:Feeds:1:Kind=arxiv", "--Sources:Feeds:1:Categories:0=cs.CL");

        var result = await app.RunAsync("ingest", "--date", "2026-03-11", "--source", "biorxiv");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--source biorxiv: there is no such source; the configured sources (Sources:Feeds) are: hf, arxiv.", result.Stderr);
    }

    [Fact]
    public async Task The_one_feed_daily_url_case_fetches_once_and_records_its_papers_as_hf()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Script("/api/daily_papers", LoopbackServer.File(Corpus.ApiDay("2026-03-12"), "application/json"));
        using var app = new TestApp($"--Sources:DailyUrl={server.Url("/api/daily_papers")}?date={{date}}");

        var result = await app.RunAsync("ingest", "--date", "2026-03-12", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(server.Url("/api/daily_papers?date=2026-03-12"), result.Json().GetProperty("source").GetString());
        Assert.Equal("hf-json", result.Json().GetProperty("format").GetString());
        Assert.Equal(96, result.Json().GetProperty("fetched").GetInt32());
        Assert.Single(server.Requests);
        var text = await app.RunAsync("ingest", "--date", "2026-03-12");
        Assert.Equal($"Stored 96 papers for 2026-03-12 from {server.Url("/api/daily_papers?date=2026-03-12")} (hf-json): 0 new, 96 updated (0 changed).", text.Stdout.Trim());
        var papers = (await app.RunAsync("papers", "list", "--json")).Json();
        Assert.All(papers.EnumerateArray(), p => Assert.Equal("hf", Assert.Single(p.GetProperty("sources").EnumerateArray()).GetString()));
    }

    [Fact]
    public async Task Two_arxiv_sources_are_fetched_at_least_three_seconds_apart()
    {
        await using var server = await LoopbackServer.StartAsync();
        var feed = Path.Combine(Corpus.Root, "arxiv", "cs.CL-2026-03-11.xml");
        server.Script("/rss/cs.CL", LoopbackServer.File(feed, "application/rss+xml"));
        server.Script("/rss/cs.LG", LoopbackServer.File(feed, "application/rss+xml"));
        using var app = new TestApp(
            "--Sources:Feeds:0:Name=cl", "--Sources:Feeds:0:Kind=arxiv", "--Sources:Feeds:0:Categories:0=cs.CL", $"--Sources:Feeds:0:Url={server.Url("/rss/")}{{categories}}",
            "--Sources:Feeds:1:Name=lg", "--Sources:Feeds:1:Kind=arxiv", "--Sources:Feeds:1:Categories:0=cs.LG", $"--Sources:Feeds:1:Url={server.Url("/rss/")}{{categories}}");

        var result = await app.RunAsync("ingest", "--date", "2026-03-11", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var asked = server.Requests.ToArray();
        Assert.Equal(2, asked.Length);
        Assert.True(asked[1].At - asked[0].At >= TimeSpan.FromSeconds(2.9), $"second arXiv request {(asked[1].At - asked[0].At).TotalSeconds:0.0} s after the first");
    }
}

using System.Text.Json;
using Newsletter.Papers;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Sources;

/// <summary>
/// Sources:Feeds with the HF day and arXiv's cs.CL announcements, both served over loopback HTTP from the recorded
/// corpus: one paper per arXiv id, every source recorded, categories stored, and one source failing alone.
/// </summary>
public abstract class SeveralSourcesTests(Backend backend) : IAsyncLifetime
{
    private const string Day = "2026-03-11"; // a Wednesday
    private const string HfOnDay = "/api/daily_papers";
    private const string ArxivPath = "/rss/cs.CL";

    /// <summary>In the HF day and announced in cs.CL (new or cross-listed), as tests/corpus/arxiv/cs.CL-2026-03-11.xml has them.</summary>
    private static readonly string[] InBoth = ["9912.00005", "9912.00010", "9912.00034", "9912.00046", "9912.00062", "9912.00069", "9912.00086", "9912.00100"];

    private static readonly string[] OnlyInArxiv = ["9912.00110", "9912.00113", "9912.00120"];

    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync();
        using var warmup = new HttpClient();
        await warmup.GetAsync(_server.Url("/warmup"));
        _server.Requests.Clear();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string ArxivDay(string day) => Path.Combine(Corpus.Root, "arxiv", $"cs.CL-{day}.xml");

    private string[] Feeds(params string[] more) =>
    [
        "--Sources:Feeds:0:Name=hf", "--Sources:Feeds:0:Kind=hf-daily", $"--Sources:Feeds:0:Url={_server.Url(HfOnDay)}?date={{date}}",
        "--Sources:Feeds:1:Name=arxiv", "--Sources:Feeds:1:Kind=arxiv", "--Sources:Feeds:1:Categories:0=cs.CL", $"--Sources:Feeds:1:Url={_server.Url("/rss/")}{{categories}}",
        "--Sources:MaxRetries=1",
        .. more,
    ];

    private void ServeBoth(string day = Day)
    {
        _server.Script(HfOnDay, LoopbackServer.File(Corpus.ApiDay(day), "application/json"));
        _server.Script(ArxivPath, LoopbackServer.File(ArxivDay(Day), "application/rss+xml"));
    }

    private static Dictionary<string, JsonElement> ById(JsonElement papers) =>
        papers.EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);

    private static string[] Strings(JsonElement e, string name) => [.. e.GetProperty(name).EnumerateArray().Select(x => x.GetString()!)];

    [Fact]
    public async Task An_arxiv_feed_and_the_hf_day_yield_one_paper_per_arxiv_id_with_both_sources_recorded()
    {
        using var app = await TestApp.CreateAsync(backend, Feeds());
        ServeBoth();

        var ingest = await app.RunAsync("ingest", "--date", Day, "--json");

        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        Assert.Equal(109 + OnlyInArxiv.Length, ingest.Json().GetProperty("fetched").GetInt32());
        var sources = ingest.Json().GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal("fetched", sources["hf"].GetProperty("status").GetString());
        Assert.Equal(109, sources["hf"].GetProperty("listed").GetInt32());
        Assert.Equal(InBoth.Length + OnlyInArxiv.Length, sources["arxiv"].GetProperty("listed").GetInt32());
        Assert.Equal(OnlyInArxiv.Length, sources["arxiv"].GetProperty("onlyHere").GetInt32());
        Assert.Equal(1, _server.Requests.Count(r => r.PathAndQuery == ArxivPath)); // one request for the day, all categories in it
        Assert.Equal(1, _server.Requests.Count(r => r.PathAndQuery.StartsWith(HfOnDay, StringComparison.Ordinal)));

        var papers = ById((await app.RunAsync("papers", "list", "--date", Day, "--json")).Json());
        Assert.Equal(109 + OnlyInArxiv.Length, papers.Count);
        Assert.All(InBoth, id => Assert.Equal(["arxiv", "hf"], Strings(papers[id], "sources")));
        Assert.All(OnlyInArxiv, id => Assert.Equal(["arxiv"], Strings(papers[id], "sources")));
        Assert.Equal(["hf"], Strings(papers["9912.00021"], "sources")); // a replacement in the feed: announced before, left out
        Assert.DoesNotContain(papers.Keys, id => id.Contains('v', StringComparison.Ordinal)); // 9912.00010v2, 9912.00062v3 lose their version
        Assert.Equal(109 + OnlyInArxiv.Length, Convert.ToInt64(app.Query("SELECT count(*) FROM papers"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2L * InBoth.Length + 109 - InBoth.Length + OnlyInArxiv.Length,
            Convert.ToInt64(app.Query($"SELECT count(*) FROM paper_sources WHERE day = '{Day}'"), System.Globalization.CultureInfo.InvariantCulture));
        // the HF list comes first: its order, then what only arXiv announced
        var order = (await app.RunAsync("papers", "list", "--date", Day, "--json")).Json().EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
        Assert.Equal(OnlyInArxiv, order.TakeLast(OnlyInArxiv.Length));
    }

    [Fact]
    public async Task Categories_from_the_feed_are_stored_and_loaded_with_the_days_papers_primary_first()
    {
        await using var services = await TestServices.StartAsync(backend, Feeds());
        ServeBoth();
        Assert.Equal(0, (await services.App.RunAsync("ingest", "--date", Day)).ExitCode);

        var papers = (await services.Get<PaperStore>().PapersOnAsync(DateOnly.Parse(Day), CancellationToken.None)).ToDictionary(p => p.Id);

        Assert.Equal(["cs.CL"], papers["9912.00005"].Categories);
        Assert.Equal(["cs.CL", "eess.AS", "cs.SD"], papers["9912.00010"].Categories);
        Assert.Equal(["cs.LG", "cs.CL"], papers["9912.00086"].Categories); // cross-listed into cs.CL: its primary category leads
        Assert.Equal(["cs.LG", "cs.CL"], papers["9912.00120"].Categories);
        Assert.Empty(papers["9912.00001"].Categories); // HF only: no categories given
        Assert.Equal(["arxiv", "hf"], papers["9912.00005"].Sources);
        Assert.Equal(["hf"], papers["9912.00001"].Sources);
        var inCsCl = papers.Values.Where(p => p.Categories.Contains("cs.CL")).Select(p => p.Id).Order();
        Assert.Equal(InBoth.Concat(OnlyInArxiv).Order(), inCsCl);
        // HF (configured first) keeps its title and abstract; the authors HF left empty come from arXiv
        Assert.Equal(["Arjun Rao", "Mei Lin", "Tomas Novak"], papers["9912.00005"].Authors);
        Assert.StartsWith("Large language models (LLMs) have exerted", papers["9912.00005"].Summary);
    }

    [Fact]
    public async Task A_category_or_source_keyword_matches_exactly_the_papers_that_feed_listed()
    {
        await using var services = await TestServices.StartAsync(backend, Feeds());
        ServeBoth();
        Assert.Equal(0, (await services.App.RunAsync("ingest", "--date", Day)).ExitCode);
        async Task<string> Subscribe(string email, string keyword)
        {
            var added = await services.App.RunAsync("subscribers", "add", "--email", email, "--keyword", keyword, "--max", "100", "--confirmed", "--json");
            Assert.True(added.ExitCode == 0, added.ToString());
            return added.Json().GetProperty("id").GetString()!;
        }
        var byCategory = await Subscribe("ada@example.org", "category:cs.CL");
        var onlyArxiv = await Subscribe("grace@example.org", "source:arxiv AND NOT source:hf");
        var archive = await Subscribe("alan@example.org", "category:eess");

        var date = DateOnly.Parse(Day);
        var papers = await services.Get<PaperStore>().PapersOnAsync(date, CancellationToken.None);
        async Task<IEnumerable<string>> Matched(string subscriberId) =>
            (await services.Get<Newsletter.Digests.DigestPlanner>().PreviewAsync(subscriberId, date, papers, CancellationToken.None)).Select(p => p.Paper.Id).Order();

        Assert.Equal(InBoth.Concat(OnlyInArxiv).Order(), await Matched(byCategory)); // the 98 papers only HF listed have no category
        Assert.Equal(OnlyInArxiv.Order(), await Matched(onlyArxiv));
        Assert.Equal(["9912.00010"], await Matched(archive)); // cs.CL, eess.AS, cs.SD: an archive name covers its categories
    }

    [Theory]
    [InlineData("500")]
    [InlineData("malformed")]
    [InlineData("429")]
    public async Task A_failing_source_does_not_stop_the_other_and_is_recorded_by_name(string failure)
    {
        using var app = await TestApp.CreateAsync(backend, Feeds());
        _server.Script(HfOnDay, LoopbackServer.File(Corpus.ApiDay(Day), "application/json"));
        var broken = app.Dir.Write("broken.xml", File.ReadAllText(ArxivDay(Day))[..5000]);
        _server.Script(ArxivPath, failure switch
        {
            "500" => LoopbackServer.Status(500),
            "429" => LoopbackServer.Status(429, retryAfter: "1"),
            _ => LoopbackServer.File(broken, "application/rss+xml"),
        });

        var ingest = await app.RunAsync("ingest", "--date", Day, "--json");

        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        Assert.Equal(109, ingest.Json().GetProperty("fetched").GetInt32());
        var arxiv = ingest.Json().GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "arxiv");
        Assert.Equal("failed", arxiv.GetProperty("status").GetString());
        var error = arxiv.GetProperty("error").GetString()!;
        Assert.Contains(failure switch { "500" => "HTTP 500", "429" => "HTTP 429", _ => "is not well-formed XML" }, error);
        Assert.Contains(ingest.Json().GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("source arxiv failed: ", StringComparison.Ordinal));
        Assert.Equal(error, app.Query($"SELECT error FROM source_failures WHERE day = '{Day}' AND source = 'arxiv'"));
        Assert.Equal(109L, Convert.ToInt64(app.Query($"SELECT count(*) FROM paper_days WHERE day = '{Day}'"), System.Globalization.CultureInfo.InvariantCulture));
        if (failure == "429")
        {
            var asked = _server.Requests.Where(r => r.PathAndQuery == ArxivPath).ToArray();
            Assert.Equal(2, asked.Length); // retried once (Sources:MaxRetries=1) ...
            Assert.True(asked[1].At - asked[0].At >= TimeSpan.FromMilliseconds(900), "retried before the Retry-After the server asked for");
        }

        // the doctor shows it, and fetching that source again for the day clears it
        var doctor = await app.RunAsync("doctor", "--offline", "--json");
        var finding = doctor.Json().GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("check").GetString() == "source failures");
        Assert.Contains($"arxiv failed for {Day}", finding.GetProperty("message").GetString());
        _server.Script(ArxivPath, LoopbackServer.File(ArxivDay(Day), "application/rss+xml"));
        var again = await app.RunAsync("ingest", "--date", Day, "--source", "arxiv", "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Single(again.Json().GetProperty("sources").EnumerateArray());
        Assert.Equal(0L, Convert.ToInt64(app.Query("SELECT count(*) FROM source_failures"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(109L + OnlyInArxiv.Length, Convert.ToInt64(app.Query($"SELECT count(*) FROM paper_days WHERE day = '{Day}'"), System.Globalization.CultureInfo.InvariantCulture));
        var papers = ById((await app.RunAsync("papers", "list", "--date", Day, "--json")).Json());
        Assert.Equal(["arxiv", "hf"], Strings(papers["9912.00005"], "sources"));
        Assert.Equal(1, _server.Requests.Count(r => r.PathAndQuery.StartsWith(HfOnDay, StringComparison.Ordinal))); // hf was not fetched again
    }

    [Fact]
    public async Task A_source_failing_in_the_daily_run_is_in_the_run_history_and_the_day_goes_on()
    {
        using var app = await TestApp.CreateAsync(backend, Feeds($"--Smtp:PickupFolder={Path.Combine(Path.GetTempPath(), "feeds-" + Guid.NewGuid().ToString("N"))}"));
        _server.Script(HfOnDay, LoopbackServer.File(Corpus.ApiDay(Day), "application/json"));
        _server.Script(ArxivPath, LoopbackServer.Status(503));

        var run = await app.RunAsync("digest", "run", "--date", Day, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var listed = Assert.Single((await app.RunAsync("runs", "list", "--json")).Json().EnumerateArray());
        Assert.Equal("succeeded", listed.GetProperty("status").GetString());
        Assert.Equal(109, listed.GetProperty("papers").GetInt64());
        var ingest = listed.GetProperty("phases").EnumerateArray().First(p => p.GetProperty("phase").GetString() == "ingest");
        Assert.Equal(109, ingest.GetProperty("items").GetInt64());
        Assert.StartsWith("source arxiv failed: could not fetch", ingest.GetProperty("error").GetString());
        Assert.Contains("HTTP 503", ingest.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_source_that_failed_is_fetched_again_an_hour_later_for_the_subscribers_due_after_it()
    {
        // before, once one source stored the day, the schedule never fetched the one that had failed: its papers were lost
        using var pickup = new TempDirectory();
        await using var services = await TestServices.StartAsync(backend,
            Feeds("--Sources:MaxRetries=0", "--Schedule:ListingLagDays=0", $"--Smtp:PickupFolder={pickup.Path}"));
        _server.Script(HfOnDay, LoopbackServer.File(Corpus.ApiDay(Day), "application/json"));
        _server.Script(ArxivPath, LoopbackServer.Status(503), LoopbackServer.File(ArxivDay(Day), "application/rss+xml"));
        foreach (var (email, zone) in new[] { ("ada@example.org", "UTC"), ("grace@example.org", "America/New_York"), ("alan@example.org", "America/Los_Angeles") })
        {
            var added = await services.App.RunAsync("subscribers", "add", "--email", email, "--keyword", "category:cs.CL", "--max", "100", "--confirmed",
                "--send-hour", "8", "--time-zone", zone);
            Assert.True(added.ExitCode == 0, added.ToString());
        }
        // joined that morning: each is owed the 11th's listing alone, at 8:00 their time
        services.App.Query("UPDATE subscribers SET confirmed_at = '2026-03-11T07:00:00.0000000+00:00', created_at = '2026-03-11T07:00:00.0000000+00:00'");
        var run = services.Get<Newsletter.Scheduling.DailyRun>();
        Task WakeUpAsync(string utc) => run.RunDueAsync(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
        int ArxivRequests() => _server.Requests.Count(r => r.PathAndQuery == ArxivPath);
        long DigestsOf(string email) => Convert.ToInt64(services.App.Query(
            $"SELECT count(*) FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE s.email = '{email}'"), System.Globalization.CultureInfo.InvariantCulture);

        await WakeUpAsync("2026-03-11T08:30:00Z"); // Ada's slot: arXiv answers 503, the HF list is stored
        Assert.Equal(1, ArxivRequests());
        Assert.Equal(0, DigestsOf("ada@example.org")); // no cs.CL paper known yet: nothing to send
        await WakeUpAsync("2026-03-11T12:30:00Z"); // Grace's: the failure is minutes old, not tried again
        Assert.Equal(1, ArxivRequests());
        Assert.Equal(0, DigestsOf("grace@example.org"));

        services.App.Query("UPDATE source_failures SET failed_at = '2026-03-11T08:30:00.0000000+00:00'"); // an hour and more ago
        await WakeUpAsync("2026-03-11T15:30:00Z"); // Alan's: arXiv fetched again, for the day the others stored

        Assert.Equal(2, ArxivRequests());
        Assert.Equal(1, DigestsOf("alan@example.org"));
        Assert.Equal(InBoth.Length + OnlyInArxiv.Length,
            services.App.DigestPapers("d.subscriber_id = (SELECT id FROM subscribers WHERE email = 'alan@example.org')").Count);
        Assert.Equal(0L, Convert.ToInt64(services.App.Query("SELECT count(*) FROM source_failures"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, _server.Requests.Count(r => r.PathAndQuery.StartsWith(HfOnDay, StringComparison.Ordinal))); // the day's other source: once
    }

    [Fact]
    public async Task When_every_source_fails_the_day_fails_naming_each_and_nothing_is_stored()
    {
        using var app = await TestApp.CreateAsync(backend, Feeds());
        _server.Script(HfOnDay, LoopbackServer.Status(502));
        _server.Script(ArxivPath, LoopbackServer.Status(500));

        var ingest = await app.RunAsync("ingest", "--date", Day);

        Assert.Equal(1, ingest.ExitCode);
        Assert.Contains($"every source failed for {Day}: hf: could not fetch", ingest.Stderr);
        Assert.Contains("; arxiv: could not fetch", ingest.Stderr);
        Assert.Equal(0L, Convert.ToInt64(app.Query("SELECT count(*) FROM papers"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0L, Convert.ToInt64(app.Query("SELECT count(*) FROM listings"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2L, Convert.ToInt64(app.Query("SELECT count(*) FROM source_failures"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_weekend_without_arxiv_announcements_is_not_a_failure()
    {
        // an arXiv address that names the day: on a day it does not publish on, it is not asked at all
        using var app = await TestApp.CreateAsync(backend, Feeds($"--Sources:Feeds:1:Url={_server.Url("/arxiv/")}{{categories}}-{{date}}.xml"));
        _server.Script(HfOnDay, LoopbackServer.File(Corpus.ApiDay("2026-03-14"), "application/json")); // a Saturday

        var ingest = await app.RunAsync("ingest", "--date", "2026-03-14", "--json");

        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        Assert.Equal(101, ingest.Json().GetProperty("fetched").GetInt32());
        var arxiv = ingest.Json().GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "arxiv");
        Assert.Equal("not-scheduled", arxiv.GetProperty("status").GetString());
        Assert.DoesNotContain(_server.Requests, r => r.PathAndQuery.StartsWith("/arxiv/", StringComparison.Ordinal));
        Assert.Empty(ingest.Json().GetProperty("warnings").EnumerateArray());
        Assert.Equal(0L, Convert.ToInt64(app.Query("SELECT count(*) FROM source_failures"), System.Globalization.CultureInfo.InvariantCulture));
        var text = await app.RunAsync("ingest", "--date", "2026-03-14");
        Assert.Contains("  arxiv        does not publish on Saturday", text.Stdout);
    }

    [Fact]
    public async Task On_a_weekend_the_announcement_rss_still_holds_fridays_which_goes_to_its_own_day_not_a_failure()
    {
        using var app = await TestApp.CreateAsync(backend, Feeds());
        ServeBoth("2026-03-14"); // the feed still carries its latest announcement, of 2026-03-11

        var ingest = await app.RunAsync("ingest", "--date", "2026-03-14", "--json");

        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        Assert.Equal(101, ingest.Json().GetProperty("fetched").GetInt32());
        var arxiv = ingest.Json().GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "arxiv");
        Assert.Equal("other-day", arxiv.GetProperty("status").GetString());
        Assert.Equal(Day, arxiv.GetProperty("listedDay").GetString());
        Assert.Empty(ingest.Json().GetProperty("warnings").EnumerateArray());
        Assert.Equal(0L, Convert.ToInt64(app.Query("SELECT count(*) FROM source_failures"), System.Globalization.CultureInfo.InvariantCulture));
        var saturday = ById((await app.RunAsync("papers", "list", "--date", "2026-03-14", "--json")).Json());
        Assert.All(saturday.Values, p => Assert.Equal(["hf"], Strings(p, "sources")));
        var announced = ById((await app.RunAsync("papers", "list", "--date", Day, "--json")).Json());
        Assert.Equal(InBoth.Length + OnlyInArxiv.Length, announced.Count);
        Assert.All(announced.Values, p => Assert.Equal(["arxiv"], Strings(p, "sources")));
        // stored ahead, that day is not yet ingested: the schedule still fetches its HF list
        Assert.Equal(0L, Convert.ToInt64(app.Query($"SELECT count(*) FROM listings WHERE day = '{Day}'"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_day_ingested_after_its_announcement_was_stored_ahead_unites_them_without_fetching_arxiv_again()
    {
        using var app = await TestApp.CreateAsync(backend, Feeds());
        ServeBoth();

        // the day before (Schedule:ListingLagDays = 1 ingests it the next morning): the feed already carries the 11th's announcement
        var before = await app.RunAsync("ingest", "--date", "2026-03-10", "--source", "arxiv", "--json");
        var day = await app.RunAsync("ingest", "--date", Day, "--source", "hf", "--json");

        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Contains(before.Json().GetProperty("warnings").EnumerateArray(), w => w.GetString() ==
            $"source arxiv now carries the listing of {Day}, not of 2026-03-10 (it keeps only its latest, stored under {Day}); 2026-03-10 has none from it.");
        Assert.True(day.ExitCode == 0, day.ToString());
        Assert.Equal(109 + OnlyInArxiv.Length, day.Json().GetProperty("fetched").GetInt32());
        Assert.Equal(1, _server.Requests.Count(r => r.PathAndQuery == ArxivPath));
        var papers = ById((await app.RunAsync("papers", "list", "--date", Day, "--json")).Json());
        Assert.All(InBoth, id => Assert.Equal(["arxiv", "hf"], Strings(papers[id], "sources")));
        var order = (await app.RunAsync("papers", "list", "--date", Day, "--json")).Json().EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
        Assert.Equal(OnlyInArxiv, order.TakeLast(OnlyInArxiv.Length)); // the HF order first, as if both had been fetched together
    }
}

public sealed class SeveralSourcesTestsOnSqlite() : SeveralSourcesTests(Backend.Sqlite);

public sealed class SeveralSourcesTestsOnPostgres() : SeveralSourcesTests(Backend.Postgres);

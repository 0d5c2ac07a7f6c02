using System.Diagnostics;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Sources;

/// <summary>The real HttpClient and resilience pipeline against recorded listings served on loopback.</summary>
public sealed class HttpIngestTests : IAsyncLifetime
{
    private LoopbackServer _server = null!;
    private readonly TestApp _app = new("--Sources:MaxRetries=3", "--Sources:RequestTimeoutSeconds=2");

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync();
        // warm the server up so a slow first request is not mistaken for a timeout
        using var warmup = new HttpClient();
        await warmup.GetAsync(_server.Url("/warmup"));
        _server.Requests.Clear();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _app.Dispose();
    }

    [Fact]
    public async Task Html_listing_over_http_is_stored_and_the_client_names_itself()
    {
        _server.Script("/papers/date/2026-03-11", LoopbackServer.File(Corpus.HtmlDay("2026-03-11"), "text/html; charset=utf-8"));

        var result = await _app.RunAsync("ingest", "--from", _server.Url("/papers/date/2026-03-11"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(109, result.Json().GetProperty("fetched").GetInt32());
        Assert.Equal("2026-03-11", result.Json().GetProperty("date").GetString());
        Assert.StartsWith("Newsletter/", Assert.Single(_server.Requests).UserAgent);
    }

    [Fact]
    public async Task Rate_limited_answer_is_retried_after_the_time_the_server_asks_for()
    {
        _server.Script("/api/daily_papers",
            LoopbackServer.Status(429, retryAfter: "1"),
            LoopbackServer.File(Corpus.ApiDay("2026-03-12"), "application/json"));

        var clock = Stopwatch.StartNew();
        var result = await _app.RunAsync("ingest", "--from", _server.Url("/api/daily_papers?date=2026-03-12"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(96, result.Json().GetProperty("fetched").GetInt32());
        var requests = _server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {(requests[1].At - requests[0].At).TotalMilliseconds} ms, before Retry-After");
    }

    [Fact]
    public async Task Server_error_is_retried_with_backoff_and_then_succeeds()
    {
        _server.Script("/api/daily_papers",
            LoopbackServer.Status(500),
            LoopbackServer.Status(503),
            LoopbackServer.File(Corpus.ApiDay("2025-12-31"), "application/json"));

        var result = await _app.RunAsync("ingest", "--from", _server.Url("/api/daily_papers?date=2025-12-31"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(46, result.Json().GetProperty("fetched").GetInt32());
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task Not_found_is_a_clear_error_not_retried_and_nothing_is_written()
    {
        var result = await _app.RunAsync("ingest", "--from", _server.Url("/papers/date/2026-01-01"), "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains($"could not fetch {_server.Url("/papers/date/2026-01-01")}: HTTP 404", result.Stderr);
        Assert.Single(_server.Requests);
        Assert.Equal(0, (await _app.RunAsync("papers", "list", "--json")).Json().GetArrayLength());
    }

    [Fact]
    public async Task Server_errors_that_never_end_give_up_after_the_configured_retries()
    {
        _server.Script("/down", LoopbackServer.Status(502));

        var result = await _app.RunAsync("ingest", "--from", _server.Url("/down"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("HTTP 502", result.Stderr);
        Assert.Equal(4, _server.Requests.Count);
    }

    [Fact]
    public async Task With_retries_off_a_server_error_fails_at_once()
    {
        _server.Script("/down", LoopbackServer.Status(503));
        using var app = new TestApp("--Sources:MaxRetries=0");

        var result = await app.RunAsync("ingest", "--from", _server.Url("/down"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("HTTP 503", result.Stderr);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_with_a_clear_error()
    {
        _server.Script("/slow", LoopbackServer.Hang(TimeSpan.FromSeconds(30)));
        using var app = new TestApp("--Sources:MaxRetries=1", "--Sources:RequestTimeoutSeconds=1");

        var result = await app.RunAsync("ingest", "--from", _server.Url("/slow"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"could not fetch {_server.Url("/slow")}: timed out", result.Stderr);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Without_from_the_configured_daily_url_is_fetched_for_the_date()
    {
        _server.Script("/api/daily_papers", LoopbackServer.File(Corpus.ApiDay("2026-03-14"), "application/json"));
        using var app = new TestApp($"--Sources:DailyUrl={_server.Url("/api/daily_papers")}?date={{date}}");

        var result = await app.RunAsync("ingest", "--date", "2026-03-14", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/api/daily_papers?date=2026-03-14", Assert.Single(_server.Requests).PathAndQuery);
        Assert.Equal(101, result.Json().GetProperty("fetched").GetInt32());
    }

    [Fact]
    public async Task A_range_of_days_is_fetched_day_by_day_and_a_missing_day_does_not_stop_the_others()
    {
        _server.Script("/days/2026-03-11.json", LoopbackServer.File(Corpus.ApiDay("2026-03-11"), "application/json"));
        _server.Script("/days/2026-03-13.json", LoopbackServer.File(Corpus.ApiDay("2026-03-12"), "application/json"));
        using var app = new TestApp($"--Sources:DailyUrl={_server.Url("/days/")}{{date}}.json", "--Sources:MaxRetries=0");

        var result = await app.RunAsync("ingest", "--since", "2026-03-11", "--until", "2026-03-13", "--json");

        Assert.Equal(1, result.ExitCode); // one day failed
        var json = result.Json();
        var days = json.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(["2026-03-11", "2026-03-12", "2026-03-13"], days.Select(d => d.GetProperty("date").GetString()));
        Assert.Equal(109, days[0].GetProperty("fetched").GetInt32());
        Assert.Contains("404", days[1].GetProperty("error").GetString());
        Assert.True(days[2].GetProperty("fetched").GetInt32() > 0);
        Assert.Equal(1, json.GetProperty("failed").GetInt32());
        Assert.Contains("ingest: started, 3 to do", result.Stderr);
        Assert.Matches(@"ingest: done in \d+\.\d s: \d+ papers from 3 days, 1 failed", result.Stderr);
        Assert.Equal((long)json.GetProperty("new").GetInt32(), app.Query("SELECT count(*) FROM papers")); // a paper listed on both days is stored once
    }

    [Theory]
    [InlineData(new[] { "ingest", "--until", "2026-03-11" }, "--until needs --since")]
    [InlineData(new[] { "ingest", "--since", "2026-03-11", "--date", "2026-03-12" }, "cannot be combined with --from or --date")]
    [InlineData(new[] { "ingest", "--since", "2026-03-12", "--until", "2026-03-11" }, "--until 2026-03-11 is before --since 2026-03-12")]
    public async Task A_wrong_range_is_refused_before_anything_is_fetched(string[] args, string expected)
    {
        var result = await _app.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.Empty(_server.Requests);
    }
}

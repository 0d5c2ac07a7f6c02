using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Papers;

public sealed class IngestStorageTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3, 4 })]
    [InlineData(new[] { 4, 2, 0, 3, 1 })]
    public async Task The_five_corpus_days_in_any_order_store_436_papers_with_32_on_more_than_one_day(int[] order)
    {
        foreach (var day in order.Select(i => Corpus.Days[i]))
        {
            var ingest = await _app.RunAsync("ingest", "--from", day == "2026-03-12" ? Corpus.HtmlDay(day) : Corpus.ApiDay(day));
            Assert.True(ingest.ExitCode == 0, ingest.ToString());
        }

        var papers = (await _app.RunAsync("papers", "list", "--json")).Json();

        Assert.Equal(436, papers.GetArrayLength());
        var repeated = papers.EnumerateArray().Where(p => p.GetProperty("days").GetArrayLength() > 1).ToList();
        Assert.Equal(32, repeated.Count);
        Assert.Equal(473, papers.EnumerateArray().Sum(p => p.GetProperty("days").GetArrayLength()));
        Assert.All(repeated, p => Assert.Equal(p.GetProperty("days")[0].GetString(), p.GetProperty("firstSeen").GetString()));
    }

    [Fact]
    public async Task Papers_list_json_has_the_contract_shape()
    {
        await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2025-12-31"));
        await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"));

        var paper = (await _app.RunAsync("papers", "list", "--json")).Json().EnumerateArray().First(p => p.GetProperty("days").GetArrayLength() == 2);

        Assert.Equal(["id", "title", "summary", "upvotes", "publishedAt", "firstSeen", "days", "sources", "categories"], paper.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2025-12-31", paper.GetProperty("firstSeen").GetString());
        Assert.Equal(["2025-12-31", "2026-03-11"], paper.GetProperty("days").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task Papers_list_for_a_date_gives_that_days_papers_in_listed_order()
    {
        await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"));
        await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-12"));

        var day = (await _app.RunAsync("papers", "list", "--date", "2026-03-12", "--json")).Json();
        var expected = JsonNode.Parse(File.ReadAllText(Corpus.ApiDay("2026-03-12")))!.AsArray().Select(e => e!["paper"]!["id"]!.GetValue<string>());

        Assert.Equal(expected, day.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Reingesting_a_day_adds_nothing_and_updates_upvotes()
    {
        var first = await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-14"), "--json");
        var listing = JsonNode.Parse(File.ReadAllText(Corpus.ApiDay("2026-03-14")))!.AsArray();
        var bumped = listing[0]!["paper"]!;
        bumped["upvotes"] = bumped["upvotes"]!.GetValue<int>() + 41;
        var later = _app.Dir.Write("2026-03-14-later.json", listing.ToJsonString());

        var again = (await _app.RunAsync("ingest", "--from", later, "--date", "2026-03-14", "--json")).Json();

        Assert.Equal(101, first.Json().GetProperty("new").GetInt32());
        Assert.Equal(0, again.GetProperty("new").GetInt32());
        Assert.Equal(101, again.GetProperty("updated").GetInt32());
        Assert.Equal(1, again.GetProperty("changed").GetInt32());
        var stored = (await _app.RunAsync("papers", "list", "--json")).Json().EnumerateArray().ToList();
        Assert.Equal(101, stored.Count);
        var paper = stored.Single(p => p.GetProperty("id").GetString() == bumped["id"]!.GetValue<string>());
        Assert.Equal(bumped["upvotes"]!.GetValue<int>(), paper.GetProperty("upvotes").GetInt32());
        Assert.Equal(["2026-03-14"], paper.GetProperty("days").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task An_older_day_ingested_late_does_not_overwrite_newer_upvotes()
    {
        var day1 = Listing(("2401.00001", "Paper", 5));
        var day2 = Listing(("2401.00001", "Paper", 50));
        await _app.RunAsync("ingest", "--from", _app.Dir.Write("d2.json", day2), "--date", "2026-01-02");
        await _app.RunAsync("ingest", "--from", _app.Dir.Write("d1.json", day1), "--date", "2026-01-01");

        var paper = (await _app.RunAsync("papers", "list", "--json")).Json()[0];

        Assert.Equal(50, paper.GetProperty("upvotes").GetInt32());
        Assert.Equal("2026-01-01", paper.GetProperty("firstSeen").GetString());
    }

    [Fact]
    public async Task A_listing_without_abstracts_never_erases_a_stored_abstract()
    {
        await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"));
        var cardsOnly = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(Corpus.HtmlDay("2026-03-11")), "<div class=\"SVELTE_HYDRATER[^>]*>", "<div>");
        await _app.RunAsync("ingest", "--from", _app.Dir.Write("cards.html", cardsOnly), "--date", "2026-03-12");

        var papers = (await _app.RunAsync("papers", "list", "--json")).Json().EnumerateArray().ToList();

        Assert.Equal(109, papers.Count);
        Assert.All(papers, p => Assert.NotEqual("", p.GetProperty("summary").GetString()));
    }

    [Fact]
    public async Task Dry_run_reports_what_would_change_and_writes_nothing()
    {
        var dry = await _app.RunAsync("ingest", "--from", Corpus.HtmlDay("2026-03-11"), "--dry-run", "--json");

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.True(dry.Json().GetProperty("dryRun").GetBoolean());
        Assert.Equal(109, dry.Json().GetProperty("new").GetInt32());
        Assert.Equal(0, (await _app.RunAsync("papers", "list", "--json")).Json().GetArrayLength());
    }

    [Fact]
    public async Task Ingest_json_has_the_contract_shape()
    {
        var result = (await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2025-12-31"), "--json")).Json();

        foreach (var key in new[] { "source", "date", "fetched", "new", "updated", "papers" })
        {
            Assert.True(result.TryGetProperty(key, out _), $"missing {key}");
        }
        Assert.Equal(Corpus.ApiDay("2025-12-31"), result.GetProperty("source").GetString());
        Assert.Equal(46, result.GetProperty("papers").GetArrayLength());
        Assert.Equal(["id", "title", "upvotes", "publishedAt"], result.GetProperty("papers")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Bad_input_writes_nothing()
    {
        await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2025-12-31"));
        var bad = _app.Dir.Write("bad.json", """[{"paper":{"id":"2401.1","title":"ok"}}, 7]""");

        var result = await _app.RunAsync("ingest", "--from", bad);

        Assert.Equal(2, result.ExitCode); // bad input, nothing done
        Assert.Contains("element [1] is a JSON number", result.Stderr);
        Assert.Equal(46, (await _app.RunAsync("papers", "list", "--json")).Json().GetArrayLength());
    }

    [Fact]
    public async Task A_listing_is_stored_in_one_transaction_so_a_failure_midway_leaves_nothing()
    {
        await _app.RunAsync("db", "migrate");
        await using (var connection = new SqliteConnection($"Data Source={_app.DatabasePath}"))
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            // the database itself refuses the 60th paper of the day, after 59 rows were already written
            command.CommandText = "CREATE TRIGGER refuse BEFORE INSERT ON paper_days WHEN NEW.position = 60 BEGIN SELECT RAISE(ABORT, 'refused for the test'); END";
            await command.ExecuteNonQueryAsync();
        }

        var result = await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("refused for the test", result.Stderr);
        Assert.Equal(0, (await _app.RunAsync("papers", "list", "--json")).Json().GetArrayLength());
    }

    [Fact]
    public async Task Skipped_papers_are_reported_and_the_rest_stored()
    {
        var partial = _app.Dir.Write("partial.json", """
            [{"paper":{"id":"2401.00001","title":"Kept"}},{"paper":{"title":"Nameless"}},{"paper":{"id":"2401.00003","title":"Also kept"}}]
            """);

        var result = await _app.RunAsync("ingest", "--from", partial, "--date", "2026-01-05", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.Equal(2, json.GetProperty("fetched").GetInt32());
        Assert.Equal(1, json.GetProperty("skipped").GetInt32());
        Assert.Contains("Nameless", json.GetProperty("warnings")[0].GetString());
    }

    private static string Listing(params (string Id, string Title, int Upvotes)[] papers) =>
        JsonSerializer.Serialize(papers.Select(p => new { paper = new { id = p.Id, title = p.Title, summary = "abstract", upvotes = p.Upvotes } }));
}

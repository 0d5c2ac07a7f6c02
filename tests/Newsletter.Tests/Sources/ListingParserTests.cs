using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Sources;

public sealed class ListingParserTests
{
    [Theory]
    [MemberData(nameof(AllDays))]
    public void Every_corpus_day_reads_the_same_papers_from_its_json_and_its_html(string day)
    {
        var json = ListingParser.Parse(File.ReadAllText(Corpus.ApiDay(day)), "api");
        var html = ListingParser.Parse(File.ReadAllText(Corpus.HtmlDay(day)), "html");

        Assert.Equal(ListingFormat.HfJson, json.Format);
        Assert.Equal(ListingFormat.HfHtml, html.Format);
        Assert.Equal(DateOnly.Parse(day), json.Date);
        Assert.Equal(DateOnly.Parse(day), html.Date);
        Assert.Equal(json.Papers.Select(p => (p.Id, p.Title, p.Summary, p.Upvotes)), html.Papers.Select(p => (p.Id, p.Title, p.Summary, p.Upvotes)));
        Assert.Empty(json.Warnings);
        Assert.All(json.Papers, p => Assert.False(string.IsNullOrWhiteSpace(p.Summary)));
    }

    public static TheoryData<string> AllDays() => new(Corpus.Days);

    [Fact]
    public void The_2026_03_11_listing_holds_109_papers_in_listed_order()
    {
        var listing = ListingParser.Parse(File.ReadAllText(Corpus.HtmlDay("2026-03-11")), "html");

        Assert.Equal(109, listing.Papers.Count);
        Assert.Equal("9912.00001", listing.Papers[0].Id);
        Assert.Equal("Flow Matching in Latent Space", listing.Papers[0].Title);
        Assert.Equal("On Giant's Shoulders: Effortless Weak to Strong by Dynamic Logits Fusion", listing.Papers[^1].Title);
    }

    [Fact]
    public void Format_is_told_from_the_content_not_the_file_name()
    {
        Assert.Equal(ListingFormat.HfJson, ListingFormats.Detect("\uFEFF  \n[{\"paper\":{}}]", "x.html"));
        Assert.Equal(ListingFormat.HfHtml, ListingFormats.Detect(File.ReadAllText(Corpus.HtmlDay("2026-03-12")), "x.json"));
        Assert.Equal(ListingFormat.ArxivAtom, ListingFormats.Detect(File.ReadAllText(Corpus.Fixture("arxiv-cs-lg.atom")), "x.json"));
    }

    [Fact]
    public void Html_without_the_embedded_json_falls_back_to_the_paper_cards()
    {
        var page = File.ReadAllText(Corpus.HtmlDay("2026-03-11"));
        var withoutJson = System.Text.RegularExpressions.Regex.Replace(page, "<div class=\"SVELTE_HYDRATER[^>]*>", "<div>");

        var listing = ListingParser.Parse(withoutJson, "cards.html");

        Assert.Equal(109, listing.Papers.Count);
        Assert.Equal(("9912.00001", "Flow Matching in Latent Space"), (listing.Papers[0].Id, listing.Papers[0].Title));
        Assert.Equal("On Giant's Shoulders: Effortless Weak to Strong by Dynamic Logits Fusion", listing.Papers[^1].Title);
        Assert.All(listing.Papers, p => Assert.Equal("", p.Summary));
        Assert.Equal(new DateOnly(2026, 3, 11), listing.Date);
    }

    [Fact]
    public void Html_whose_embedded_json_is_broken_falls_back_to_cards_with_a_warning()
    {
        var page = File.ReadAllText(Corpus.HtmlDay("2026-03-11")).Replace("{&quot;dailyPapers&quot;: [", "{&quot;dailyPapers&quot;: [[", StringComparison.Ordinal);

        var listing = ListingParser.Parse(page, "broken.html");

        Assert.Equal(109, listing.Papers.Count);
        Assert.Contains(listing.Warnings, w => w.Contains("embedded daily-papers JSON") && w.Contains("broken.html"));
    }

    [Fact]
    public void Truncated_html_page_is_an_error_naming_the_source_not_an_empty_day()
    {
        var page = File.ReadAllText(Corpus.HtmlDay("2026-03-11"))[..300];

        var error = Assert.Throws<ListingException>(() => ListingParser.Parse(page, "cut.html"));

        Assert.Equal("no daily-papers list found in cut.html: neither the embedded JSON nor paper cards were present.", error.Message);
    }

    [Fact]
    public void Unrelated_html_page_is_an_error_naming_the_source()
    {
        var error = Assert.Throws<ListingException>(() =>
            ListingParser.Parse("<!doctype html><html><head><title>Login</title></head><body><form>Sign in</form></body></html>", "https://example.test/login"));

        Assert.Equal("no daily-papers list found in https://example.test/login: neither the embedded JSON nor paper cards were present.", error.Message);
    }

    [Fact]
    public void A_legitimately_empty_day_is_not_an_error()
    {
        var html = ListingParser.Parse(
            "<html><body><div class=\"SVELTE_HYDRATER contents\" data-target=\"DailyPapers\" data-props=\"{&quot;dailyPapers&quot;: [], &quot;dateString&quot;: &quot;2026-03-15&quot;}\"></div></body></html>", "sunday.html");
        var json = ListingParser.Parse("[]", "sunday.json");

        Assert.Empty(html.Papers);
        Assert.Equal(new DateOnly(2026, 3, 15), html.Date);
        Assert.Empty(json.Papers);
    }

    [Theory]
    [InlineData("", "empty.json is empty")]
    [InlineData("  \n ", "empty.json is empty")]
    public void Empty_file_is_an_error(string content, string expected)
    {
        var error = Assert.Throws<ListingException>(() => ListingParser.Parse(content, "empty.json"));
        Assert.StartsWith(expected, error.Message);
    }

    [Theory]
    [InlineData("[{\"paper\":{\"id\":\"1\",\"title\":\"a\"}}, 42]", "element [1] is a JSON number")]
    [InlineData("[{\"paper\":{\"id\":\"1\",\"title\":\"a\"}}, {\"title\":\"no paper\"}]", "element [1] has nothing under \"paper\"")]
    [InlineData("[{\"paper\":[1,2]}]", "element [0] has a JSON array under \"paper\"")]
    [InlineData("[{\"paper\":{\"id\":2403,\"title\":\"a\"}}]", "element [0] has a JSON number for \"id\", expected a string")]
    [InlineData("[{\"paper\":{\"id\":\"1\",\"title\":\"a\",\"upvotes\":\"many\"}}]", "element [0] has \"many\" for \"upvotes\", expected a whole number")]
    [InlineData("{\"error\":\"Invalid date\"}", "is a JSON object (keys: error): \"Invalid date\"")]
    [InlineData("\"just a string\"", "holds a JSON string")]
    public void Json_of_the_wrong_shape_names_the_first_bad_element(string json, string expected)
    {
        var error = Assert.Throws<ListingException>(() => ListingParser.Parse(json, "bad.json", ListingFormat.HfJson));

        Assert.StartsWith("bad.json", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Malformed_json_says_where()
    {
        var truncated = File.ReadAllText(Corpus.ApiDay("2026-03-12"))[..5000];

        var error = Assert.Throws<ListingException>(() => ListingParser.Parse(truncated, "cut.json"));

        Assert.Matches(@"^cut\.json is not valid JSON at line \d+, position \d+", error.Message);
    }

    [Fact]
    public void Papers_without_id_or_title_are_skipped_with_a_warning_naming_them_and_the_rest_kept()
    {
        const string json = """
            [
              {"paper": {"id": "2403.00001", "title": "Kept paper", "summary": "s"}},
              {"paper": {"title": "Paper Without An Id"}},
              {"paper": {"id": "2403.00003", "title": "  "}},
              {"paper": {"id": "2403.00004v2", "title": "Versioned id"}}
            ]
            """;

        var listing = ListingParser.Parse(json, "partial.json");

        Assert.Equal(["2403.00001", "2403.00004"], listing.Papers.Select(p => p.Id));
        Assert.Contains(listing.Warnings, w => w.Contains("[1]") && w.Contains("Paper Without An Id") && w.Contains("no paper id"));
        Assert.Contains(listing.Warnings, w => w.Contains("2403.00003") && w.Contains("no title"));
    }

    [Fact]
    public void A_paper_listed_twice_in_one_listing_is_kept_once_at_its_first_place()
    {
        var listing = ListingParser.Parse("""[{"paper":{"id":"1","title":"a"}},{"paper":{"id":"2","title":"b"}},{"paper":{"id":"1v2","title":"a again"}}]""", "dup.json");

        Assert.Equal(["1", "2"], listing.Papers.Select(p => p.Id));
        Assert.Contains(listing.Warnings, w => w.Contains("more than once") && w.Contains('1'));
    }

    [Fact]
    public void Arxiv_atom_feed_yields_papers_keyed_without_version_and_with_clean_text()
    {
        var listing = ListingParser.Parse(File.ReadAllText(Corpus.Fixture("arxiv-cs-lg.atom")), "arxiv.atom");

        Assert.Equal(ListingFormat.ArxivAtom, listing.Format);
        Assert.Equal(["9912.00001", "9912.00004", "cs/9901001"], listing.Papers.Select(p => p.Id));
        Assert.Equal("Flow Matching in Latent Space", listing.Papers[0].Title);
        Assert.StartsWith("Flow matching is a recent framework to train generative models that exhibits impressive", listing.Papers[0].Summary);
        Assert.DoesNotContain('\n', listing.Papers[0].Summary);
        Assert.Equal(["Quan Dao", "Hao Phung"], listing.Papers[0].Authors);
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 18, 0, 1, TimeSpan.Zero), listing.Papers[0].PublishedAt);
        Assert.Equal(new DateOnly(2026, 3, 11), listing.Date);
    }

    [Fact]
    public void Arxiv_error_feed_is_an_error_with_the_apis_reason()
    {
        var error = Assert.Throws<ListingException>(() => ListingParser.Parse(File.ReadAllText(Corpus.Fixture("arxiv-error.atom")), "arxiv"));

        Assert.Contains("incorrect id format for 1234.12345", error.Message);
    }

    [Fact]
    public void Malformed_xml_says_where()
    {
        var error = Assert.Throws<ListingException>(() => ListingParser.Parse("<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>", "cut.atom", ListingFormat.ArxivAtom));

        Assert.Contains("cut.atom is not well-formed XML at line 1", error.Message);
    }

    [Theory]
    [InlineData("2403.12345v2", "2403.12345")]
    [InlineData("http://arxiv.org/abs/2403.12345v1", "2403.12345")]
    [InlineData("arXiv:2403.12345", "2403.12345")]
    [InlineData("/papers/2403.12345?ref=x", "2403.12345")]
    [InlineData("https://arxiv.org/pdf/2403.12345v3.pdf", "2403.12345")]
    [InlineData("hep-th/9901001v3", "hep-th/9901001")]
    public void Arxiv_ids_lose_prefixes_and_versions(string raw, string expected) =>
        Assert.Equal(expected, Newsletter.Papers.ArxivId.Normalize(raw));
}

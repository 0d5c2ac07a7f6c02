using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Sources;

/// <summary>arXiv's announcement RSS (and any RSS listing of arXiv papers), and the categories of the Atom API.</summary>
public sealed class RssListingTests
{
    private static readonly string Recorded = File.ReadAllText(Path.Combine(Corpus.Root, "arxiv", "cs.CL-2026-03-11.xml"));

    [Fact]
    public void The_arxiv_announcement_is_read_without_versions_replacements_or_the_announce_line()
    {
        var listing = ListingParser.Parse(Recorded, "cs.CL.xml");

        Assert.Equal(ListingFormat.Rss, listing.Format);
        Assert.Equal(new DateOnly(2026, 3, 11), listing.Date);
        Assert.Empty(listing.Warnings);
        Assert.Equal(11, listing.Papers.Count);
        Assert.DoesNotContain(listing.Papers, p => p.Id == "9912.00021"); // announce_type replace
        var speech = listing.Papers.Single(p => p.Id == "9912.00010"); // listed as 9912.00010v2
        Assert.Equal("Scaling Speech-Text Pre-training with Synthetic Interleaved Data", speech.Title);
        Assert.StartsWith("Speech language models (SpeechLMs) accept speech input", speech.Summary);
        Assert.Equal(["Hana Sato", "Peter Olsen"], speech.Authors);
        Assert.Equal(["cs.CL", "eess.AS", "cs.SD"], speech.Categories);
        Assert.Equal(["Jonas Berg", "Elif Demir", "Sam Okafor"], listing.Papers.Single(p => p.Id == "9912.00100").Authors);
    }

    [Fact]
    public void An_rss_feed_whose_items_are_not_arxiv_papers_skips_them_with_a_warning()
    {
        const string feed = """
            <rss version="2.0"><channel><title>A blog</title>
              <item><title>Our new paper</title><link>https://arxiv.org/abs/2403.12345v2</link><description>&lt;p&gt;We &lt;b&gt;show&lt;/b&gt; things.&lt;/p&gt;</description><category>cs.CL</category></item>
              <item><title>Holiday photos</title><link>https://blog.example.org/2026/photos</link></item>
            </channel></rss>
            """;

        var listing = ListingParser.Parse(feed, "blog.xml");

        var paper = Assert.Single(listing.Papers);
        Assert.Equal("2403.12345", paper.Id);
        Assert.Equal("We show things.", paper.Summary);
        Assert.Equal(["cs.CL"], paper.Categories);
        Assert.Equal("skipped item 2: it has no arXiv id.", Assert.Single(listing.Warnings));
    }

    [Fact]
    public void An_empty_announcement_is_an_empty_listing_not_an_error()
    {
        var listing = ListingParser.Parse("""<rss version="2.0"><channel><title>cs.CL updates on arXiv.org</title><pubDate>Sat, 14 Mar 2026 00:00:00 -0400</pubDate></channel></rss>""", "weekend.xml");

        Assert.Empty(listing.Papers);
        Assert.Equal(new DateOnly(2026, 3, 14), listing.Date);
    }

    [Theory]
    [InlineData("<rss version=\"2.0\"><channel><item>", "cut.xml is not well-formed XML at line 1")]
    [InlineData("<rss version=\"2.0\"></rss>", "cut.xml is an RSS feed without a <channel>")]
    public void A_broken_rss_feed_fails_naming_what_is_wrong(string xml, string message)
    {
        var error = Assert.Throws<ListingException>(() => ListingParser.Parse(xml, "cut.xml", ListingFormat.Rss));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Atom_api_entries_carry_their_primary_category_first_then_the_cross_lists()
    {
        var listing = ListingParser.Parse(File.ReadAllText(Corpus.Fixture("arxiv-cs-lg.atom")), "arxiv.atom");

        Assert.Equal(["cs.CV", "cs.LG"], listing.Papers.Single(p => p.Id == "9912.00001").Categories);
    }
}

namespace Newsletter.Sources;

public static class ListingParser
{
    /// <summary>Parses a listing in the given format, or in the format its content shows when Auto.</summary>
    public static ParsedListing Parse(string content, string source, ListingFormat format = ListingFormat.Auto)
    {
        var actual = format == ListingFormat.Auto ? ListingFormats.Detect(content, source) : format;
        var listing = actual switch
        {
            ListingFormat.HfJson => HfJsonListing.Parse(content, source),
            ListingFormat.HfHtml => HfHtmlListing.Parse(content, source),
            ListingFormat.ArxivAtom => ArxivAtomListing.Parse(content, source),
            ListingFormat.Rss => RssListing.Parse(content, source),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        return WithoutRepeats(listing);
    }

    /// <summary>A paper listed twice in one listing is stored once, at its first place.</summary>
    private static ParsedListing WithoutRepeats(ParsedListing listing)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var papers = listing.Papers.Where(p => seen.Add(p.Id)).ToList();
        if (papers.Count == listing.Papers.Count)
        {
            return listing;
        }
        var repeated = listing.Papers.GroupBy(p => p.Id).Where(g => g.Count() > 1).Select(g => g.Key);
        return listing with
        {
            Papers = papers,
            Warnings = [.. listing.Warnings, $"papers listed more than once were kept once: {string.Join(", ", repeated)}."],
        };
    }
}

using System.Globalization;
using System.Xml.Linq;
using Newsletter.Papers;

namespace Newsletter.Sources;

/// <summary>Reads an arXiv Atom API feed (<c>export.arxiv.org/api/query</c>); ids lose their version.</summary>
public static class ArxivAtomListing
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace Arxiv = "http://arxiv.org/schemas/atom";

    public static ParsedListing Parse(string xml, string source)
    {
        var feed = ListingXml.Root(xml, source);
        if (feed is null || feed.Name != Atom + "feed")
        {
            throw new ListingException($"{source} is not an Atom feed: its root element is <{feed?.Name.LocalName}>, expected <feed> in the Atom namespace.");
        }
        var papers = new List<Paper>();
        var warnings = new List<string>();
        var index = 0;
        foreach (var entry in feed.Elements(Atom + "entry"))
        {
            index++;
            var rawId = entry.Element(Atom + "id")?.Value.Trim();
            var title = HfJsonListing.Collapse(entry.Element(Atom + "title")?.Value);
            if (rawId is not null && rawId.Contains("/api/errors", StringComparison.Ordinal))
            {
                var reason = HfJsonListing.Collapse(entry.Element(Atom + "summary")?.Value);
                throw new ListingException($"the arXiv API answered with an error in {source}: {reason}");
            }
            // an arXiv id, else (any Atom listing) the first link that holds one
            var id = ArxivId.Parse(rawId)
                ?? entry.Elements(Atom + "link").Select(l => ArxivId.Parse(l.Attribute("href")?.Value)).FirstOrDefault(i => i is not null);
            if (id is null || title.Length == 0)
            {
                warnings.Add($"skipped entry {index}{(id is null ? "" : $" ({id})")}: it has no {(id is null ? "id" : "title")}.");
                continue;
            }
            var summary = HfJsonListing.Collapse(entry.Element(Atom + "summary")?.Value);
            var published = DateTimeOffset.TryParse(entry.Element(Atom + "published")?.Value, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var p) ? p : (DateTimeOffset?)null;
            var authors = entry.Elements(Atom + "author").Select(a => HfJsonListing.Collapse(a.Element(Atom + "name")?.Value)).Where(n => n.Length > 0).ToList();
            papers.Add(new Paper(id, title, summary, 0, published, authors, null) { Categories = CategoriesOf(entry) });
        }
        DateOnly? date = DateTimeOffset.TryParse(feed.Element(Atom + "updated")?.Value, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var updated)
            ? DateOnly.FromDateTime(updated.UtcDateTime)
            : null;
        return new ParsedListing(ListingFormat.ArxivAtom, date, papers, warnings);
    }

    /// <summary>The primary category first, then the cross-lists, each once.</summary>
    private static List<string> CategoriesOf(XElement entry) =>
        [.. entry.Elements(Arxiv + "primary_category").Concat(entry.Elements(Atom + "category"))
            .Select(c => c.Attribute("term")?.Value.Trim() ?? "")
            .Where(t => t.Length > 0)
            .Distinct(StringComparer.Ordinal)];
}

using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Newsletter.Papers;

namespace Newsletter.Sources;

/// <summary>
/// Reads an RSS 2.0 listing: arXiv's daily announcements (<c>rss.arxiv.org/rss/cs.CL+cs.LG</c>) or any RSS feed whose
/// items link to arXiv papers. Ids lose their version; <c>&lt;category&gt;</c> elements are the paper's categories
/// (arXiv lists the primary one first); arXiv's replacements (<c>arxiv:announce_type</c> replace, replace-cross) are
/// papers announced before and are left out. An item without an arXiv id or a title is skipped with a warning.
/// </summary>
public static partial class RssListing
{
    private static readonly XNamespace Arxiv = "http://arxiv.org/schemas/atom";
    private static readonly XNamespace DublinCore = "http://purl.org/dc/elements/1.1/";

    public static ParsedListing Parse(string xml, string source)
    {
        var channel = ChannelOf(xml, source);
        var papers = new List<Paper>();
        var warnings = new List<string>();
        var index = 0;
        foreach (var item in channel.Elements("item"))
        {
            index++;
            var announced = item.Element(Arxiv + "announce_type")?.Value.Trim() ?? "";
            if (announced.StartsWith("replace", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var id = ArxivId.Parse(item.Element("link")?.Value) ?? ArxivId.Parse(item.Element("guid")?.Value);
            var title = HfJsonListing.Collapse(item.Element("title")?.Value);
            if (id is null || title.Length == 0)
            {
                warnings.Add($"skipped item {index}{(id is null ? "" : $" ({id})")}: it has no {(id is null ? "arXiv id" : "title")}.");
                continue;
            }
            papers.Add(new Paper(id, title, Abstract(item.Element("description")?.Value), 0, DateOf(item.Element("pubDate")), Authors(item), null)
            {
                Categories = [.. item.Elements("category").Select(c => c.Value.Trim()).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal)],
            });
        }
        // the day arXiv labels its announcement with, in its own time zone
        var date = DateOf(channel.Element("pubDate")) ?? DateOf(channel.Element("lastBuildDate"));
        return new ParsedListing(ListingFormat.Rss, date is { } d ? DateOnly.FromDateTime(d.DateTime) : null, papers, warnings);
    }

    private static XElement ChannelOf(string xml, string source)
    {
        var root = ListingXml.Root(xml, source);
        if (root is null || root.Name != "rss")
        {
            throw new ListingException($"{source} is not an RSS feed: its root element is <{root?.Name.LocalName}>, expected <rss>.");
        }
        return root.Element("channel") ?? throw new ListingException($"{source} is an RSS feed without a <channel>: there is no listing in it.");
    }

    /// <summary>arXiv writes "arXiv:2403.12345v1 Announce Type: new Abstract: …"; other feeds may write HTML.</summary>
    private static string Abstract(string? description)
    {
        var text = WebUtility.HtmlDecode(Tags().Replace(description ?? "", " "));
        var start = text.IndexOf("Abstract:", StringComparison.Ordinal);
        return HfJsonListing.Collapse(start >= 0 ? text[(start + "Abstract:".Length)..] : text);
    }

    /// <summary>arXiv lists the authors in one <c>dc:creator</c>, "A, B, and C"; other feeds one per element.</summary>
    private static List<string> Authors(XElement item) =>
        [.. item.Elements(DublinCore + "creator").Concat(item.Elements("author"))
            .SelectMany(c => AuthorSeparator().Split(HfJsonListing.Collapse(c.Value)))
            .Select(n => n.Trim())
            .Where(n => n.Length > 0)];

    private static DateTimeOffset? DateOf(XElement? element) =>
        DateTimeOffset.TryParse(element?.Value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s*,\s*(?:and\s+)?|\s+and\s+")]
    private static partial Regex AuthorSeparator();
}

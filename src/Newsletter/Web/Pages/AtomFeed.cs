using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using Newsletter.Common;
using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Subscribers;

namespace Newsletter.Web.Pages;

/// <summary>
/// A subscriber's private Atom feed (RFC 4287): one entry per paper of their digests, newest listing day first. Ids
/// are tag: URIs (RFC 4151) of the site's host, the subscriber and the paper, so an entry keeps its id for as long as
/// the subscriber exists and a feed reader never shows a paper twice.
/// </summary>
public static class AtomFeed
{
    private const string Atom = "http://www.w3.org/2005/Atom";

    /// <param name="selfUrl">The feed's own address (<c>link rel="self"</c>).</param>
    /// <param name="updated">When the feed last changed: when its newest digest was recorded.</param>
    public static byte[] Write(SiteOptions site, Subscriber subscriber, string selfUrl, DateTimeOffset updated, IReadOnlyList<FeedPaper> papers, DigestComposer composer)
    {
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("feed", Atom);
            xml.WriteElementString("id", Atom, TagUri(site, subscriber, "feed"));
            xml.WriteElementString("title", Atom, $"{site.Name}: papers matching your keywords");
            xml.WriteElementString("subtitle", Atom, $"The papers of your digests of the last {FeedEndpoints.Days} days, newest first. Private: the address is yours alone.");
            xml.WriteElementString("updated", Atom, Instant(updated));
            xml.WriteStartElement("author", Atom);
            xml.WriteElementString("name", Atom, site.Name);
            xml.WriteElementString("uri", Atom, site.BaseUrl);
            xml.WriteEndElement();
            Link(xml, "self", "application/atom+xml", selfUrl);
            Link(xml, "alternate", "text/html", site.BaseUrl);
            foreach (var (date, selected) in papers)
            {
                Entry(xml, site, subscriber, date, selected.Paper.Authors, composer.PaperOf(selected));
            }
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        return buffer.ToArray();
    }

    /// <param name="authors">Every author as listed (the digest shows three at most).</param>
    private static void Entry(XmlWriter xml, SiteOptions site, Subscriber subscriber, DateOnly date, IReadOnlyList<string> authors, DigestPaper paper)
    {
        xml.WriteStartElement("entry", Atom);
        xml.WriteElementString("id", Atom, TagUri(site, subscriber, "paper/" + Uri.EscapeDataString(paper.Id).Replace("%2F", "/", StringComparison.Ordinal)));
        xml.WriteElementString("title", Atom, paper.Title);
        Link(xml, "alternate", "text/html", paper.Url);
        // the listing day: when the paper came to this subscriber
        xml.WriteElementString("updated", Atom, Instant(new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)));
        foreach (var author in authors.Where(a => !string.IsNullOrWhiteSpace(a)))
        {
            xml.WriteStartElement("author", Atom);
            xml.WriteElementString("name", Atom, author);
            xml.WriteEndElement();
        }
        xml.WriteStartElement("content", Atom);
        xml.WriteAttributeString("type", "html");
        // the digest's why-matched line and highlighted excerpt, as HTML the writer escapes into the element's text
        xml.WriteString($"<p>Matched: {string.Join(", ", paper.Matched.Select(m => "<strong>" + WebUtility.HtmlEncode(m) + "</strong>"))}</p><p>{paper.ExcerptHtml}</p>");
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void Link(XmlWriter xml, string rel, string type, string href)
    {
        xml.WriteStartElement("link", Atom);
        xml.WriteAttributeString("rel", rel);
        xml.WriteAttributeString("type", type);
        xml.WriteAttributeString("href", href);
        xml.WriteEndElement();
    }

    /// <summary><c>tag:host,day-they-subscribed:subscriber/…</c>: the host and day make it the site's, never reused.</summary>
    private static string TagUri(SiteOptions site, Subscriber subscriber, string specific)
    {
        var host = new Uri(site.BaseUrl).IdnHost;
        var since = DateTimeOffset.TryParse(subscriber.CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created) ? created : DateTimeOffset.UnixEpoch;
        return string.Create(CultureInfo.InvariantCulture, $"tag:{host},{since.UtcDateTime:yyyy-MM-dd}:{subscriber.Id}/{specific}");
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

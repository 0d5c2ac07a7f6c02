using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Subscribers;

namespace Newsletter.Web.Pages;

/// <summary>The preferences page's archive: the subscriber's last digests, each linking to its browser view, and their private feed.</summary>
public sealed class DigestArchive(Outbox outbox, DigestComposer composer)
{
    /// <summary>How many past digests the page lists.</summary>
    public const int Listed = 30;

    public string FeedUrl(Subscriber subscriber) => composer.FeedUrl(subscriber.Id, subscriber.Secret);

    /// <summary>The head's pointer to the feed, so a browser or feed reader given the page finds it.</summary>
    public Markup FeedLink(Subscriber subscriber) =>
        Html.Of($"""<link rel="alternate" type="application/atom+xml" title="Your papers (Atom)" href="{FeedUrl(subscriber)}">""");

    public async Task<Markup> RenderAsync(Subscriber subscriber, CancellationToken cancellationToken)
    {
        var digests = await outbox.RecentDigestsAsync(subscriber.Id, Listed, cancellationToken);
        var recipient = new DigestRecipient(subscriber.Id, subscriber.Email, subscriber.Name, subscriber.Secret);
        var list = digests.Count == 0
            ? Html.Of($"""<p class="hint">No digests yet: the first one is listed here once it is made.</p>""")
            : Html.Of($"""
                <ol class="papers" id="archive">
                {Html.Join(digests.Select(d => Html.Of($"""
                    <li><a href="{composer.BrowserUrl(recipient, d.Date, d.Sequence)}"><time datetime="{d.Date:yyyy-MM-dd}">{d.Date:ddd d MMM yyyy}</time></a> · {d.PaperCount} {(d.PaperCount == 1 ? "paper" : "papers")}</li>
                    """)))}
                </ol>
                """);
        return Html.Of($"""
            <h2>Your last digests</h2>
            {list}
            <h2>Your private feed</h2>
            <p>The papers of your digests of the last {FeedEndpoints.Days} days, for a feed reader: <a href="{FeedUrl(subscriber)}" id="feed">your Atom feed</a>.
            Keep its address to yourself: it shows your papers to whoever has it.</p>
            """);
    }
}

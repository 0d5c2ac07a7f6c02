using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Newsletter.Common;
using Newsletter.Delivery;
using Newsletter.Digests;

namespace Newsletter.Web.Pages;

/// <summary>
/// A subscriber's digests outside their inbox: one past digest in the browser (<c>/digests/{token}</c>, the link at
/// the top of every digest and in the archive on /preferences) and their private Atom feed
/// (<c>/feeds/{token}.atom</c>). Both are rebuilt from the stored delivery and its papers (<see cref="Outbox"/>);
/// tokens are signed like every emailed link, and a changed one gets the usual 400 page.
/// </summary>
public static class FeedEndpoints
{
    /// <summary>How many days of digests the feed holds.</summary>
    public const int Days = 30;

    /// <summary>How long a feed reader may keep the feed before asking again (it changes at most once an hour, when digests are planned).</summary>
    private const string FeedCaching = "private, max-age=900";

    public static IEndpointRouteBuilder MapFeedPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/digests/{token}", ShowDigestAsync);
        app.MapGet("/feeds/{token}.atom", FeedAsync);
        return app;
    }

    private static Task<IResult> ShowDigestAsync(
        string token, SignedLink links, Outbox outbox, DigestComposer composer, IOptions<SiteOptions> site, CancellationToken cancellationToken) =>
        links.AnswerAsync(token, LinkPurpose.Digest, async (subscriber, subject) =>
        {
            var named = LinkSigner.ParseDigestSubject(subject);
            var papers = named is { } n ? await outbox.PastDigestAsync(subscriber.Id, n.Date, n.Sequence, cancellationToken) : null;
            if (papers is null)
            {
                return PageLayout.Problem(site.Value.Name, "This digest is not here any more",
                    "The link is right, but the digest it names is no longer stored (its papers were removed). Your preferences page lists the digests that are.",
                    StatusCodes.Status404NotFound, Html.Of($"""<p><a href="{composer.PreferencesUrl(subscriber.Id, subscriber.Secret)}">Go to your preferences</a></p>"""));
            }
            var recipient = new DigestRecipient(subscriber.Id, subscriber.Email, subscriber.Name, subscriber.Secret);
            var (html, _) = composer.Render(composer.Model(recipient, named!.Value.Date, papers, named.Value.Sequence));
            return TypedResults.Content(html, "text/html; charset=utf-8");
        }, cancellationToken);

    private static Task<IResult> FeedAsync(
        string token, HttpContext context, SignedLink links, Outbox outbox, DigestComposer composer, IOptions<SiteOptions> site, TimeProvider clock,
        CancellationToken cancellationToken) =>
        links.AnswerAsync(token, LinkPurpose.Feed, async subscriber =>
        {
            var since = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-Days);
            var (papers, lastRecorded) = await outbox.FeedPapersAsync(subscriber.Id, since, cancellationToken);
            var created = DateTimeOffset.TryParse(subscriber.CreatedAt, System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : DateTimeOffset.UnixEpoch;
            // whole seconds: Last-Modified and If-Modified-Since have no finer ones
            var updated = DateTimeOffset.FromUnixTimeSeconds((lastRecorded ?? created).ToUnixTimeSeconds());
            var body = AtomFeed.Write(site.Value, subscriber, composer.FeedUrl(subscriber.Id, subscriber.Secret), updated, papers, composer);
            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16))}\"");
            var response = context.Response.GetTypedHeaders();
            response.ETag = etag;
            response.LastModified = updated;
            response.CacheControl = CacheControlHeaderValue.Parse(FeedCaching);
            return Unchanged(context.Request.GetTypedHeaders(), etag, updated)
                ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
                : TypedResults.Bytes(body, "application/atom+xml; charset=utf-8");
        }, cancellationToken);

    /// <summary>
    /// RFC 9110's conditional GET: If-None-Match (weak comparison) when the request has it, If-Modified-Since only when
    /// it has not.
    /// </summary>
    private static bool Unchanged(Microsoft.AspNetCore.Http.Headers.RequestHeaders request, EntityTagHeaderValue etag, DateTimeOffset updated)
    {
        if (request.IfNoneMatch is { Count: > 0 } tags)
        {
            return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false));
        }
        return request.IfModifiedSince is { } since && updated <= since;
    }
}

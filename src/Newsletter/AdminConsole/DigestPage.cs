using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Newsletter.Admin;
using Newsletter.Digests;
using Newsletter.Subscribers;
using Newsletter.Web.Pages;

namespace Newsletter.AdminConsole;

/// <summary>/admin/digest: the digest a subscriber would get for a listing day (its papers and its text), as the API's preview; sends nothing.</summary>
public static class DigestPage
{
    public static RouteGroupBuilder MapConsoleDigest(this RouteGroupBuilder console)
    {
        console.MapGet("/digest", ShowAsync);
        return console;
    }

    private static async Task<IResult> ShowAsync(
        string? subscriberId, string? date, HttpContext context, SubscriberStore subscribers, DigestPreviews previews, CancellationToken cancellationToken)
    {
        var subscriber = subscriberId is null ? null : await subscribers.GetAsync(subscriberId, cancellationToken);
        if (subscriber is null)
        {
            return SubscriberPage.NotFound(context, subscriberId ?? "");
        }
        if (!AdminProblems.TryDate(date, "date", out var day, out _) || day is null)
        {
            return ConsolePage.Page(context, "Digest preview", Html.Of($"""
                <p role="alert">“{date ?? ""}” is not a listing day: write it as YYYY-MM-DD.</p><p><a href="/admin/subscribers/{subscriber.Id}">Back to {subscriber.Email}</a></p>
                """), StatusCodes.Status400BadRequest);
        }
        var listingDay = day.Value;
        var preview = await previews.PreviewAsync(subscriber, listingDay, cancellationToken);
        var body = preview.WhyNone is { } why
            ? Html.Of($"""<p role="status">{why}</p>""")
            : Html.Of($"""
                <p role="status">{preview.Papers.Count} of the day's {preview.PapersOfTheDay} papers.</p>
                {ConsolePage.Table("Papers", Html.Of($"""<th scope="col">Paper</th><th scope="col">Score</th><th scope="col">Matched</th>"""),
                    preview.Papers.Select(p => Html.Of($"""<tr><td>{p.Paper.Title}</td><td>{p.Score:0.00}</td><td>{string.Join(", ", p.Matched)}</td></tr>""")))}
                <h2>The email's text</h2>
                <pre>{previews.Render(preview, "text")}</pre>
                """);
        return ConsolePage.Page(context, $"Digest of {listingDay:yyyy-MM-dd}", Html.Of($"""
            <p>For <a href="/admin/subscribers/{subscriber.Id}">{subscriber.Email}</a>. Nothing is sent.</p>
            {body}
            <p><a href="/admin/resend?subscriberId={subscriber.Id}&amp;date={listingDay:yyyy-MM-dd}">Resend this digest…</a></p>
            """));
    }
}

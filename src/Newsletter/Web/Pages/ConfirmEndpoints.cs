using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Subscribers;

namespace Newsletter.Web.Pages;

/// <summary>
/// The confirmation link of the opt-in email. Opening it shows a button rather than confirming at once, because
/// mail scanners open links in incoming mail by themselves; only a person's click (a POST) activates.
/// </summary>
public static class ConfirmEndpoints
{
    public static IEndpointRouteBuilder MapConfirmPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/confirm", ShowAsync);
        app.MapPost("/confirm", ConfirmAsync);
        return app;
    }

    private static Task<IResult> ShowAsync(
        string? token, HttpContext context, SignedLink links, LinkSigner signer, IOptions<SiteOptions> site, CancellationToken cancellationToken) =>
        links.AnswerAsync(token, LinkPurpose.Confirm, subscriber =>
        {
            if (subscriber.Status != SubscriberStatus.Pending)
            {
                return Done(site.Value, subscriber, signer, alreadyDone: true);
            }
            return PageLayout.Page(site.Value.Name, "Confirm your subscription", Html.Of($"""
                <p>Start the daily digest for <strong>{subscriber.Email}</strong>?</p>
                <form method="post" action="/confirm">
                {FormProtection.Field(context)}
                <input type="hidden" name="token" value="{token}">
                <button type="submit">Confirm my subscription</button>
                </form>
                """));
        }, cancellationToken);

    private static Task<IResult> ConfirmAsync(
        [FromForm] TokenForm form, SignedLink links, LinkSigner signer, SubscriberStore subscribers, IOptions<SiteOptions> site, CancellationToken cancellationToken) =>
        links.AnswerAsync(form.Token, LinkPurpose.Confirm, async subscriber =>
        {
            var activated = await subscribers.ConfirmAsync(subscriber.Id, cancellationToken);
            return Done(site.Value, (await subscribers.GetAsync(subscriber.Id, cancellationToken)) ?? subscriber, signer, alreadyDone: !activated);
        }, cancellationToken);

    private static ContentHttpResult Done(SiteOptions site, Subscriber subscriber, LinkSigner signer, bool alreadyDone)
    {
        var preferences = signer.Url("preferences", subscriber.Id, subscriber.Secret, LinkPurpose.Preferences);
        var title = subscriber.Status switch
        {
            SubscriberStatus.Unsubscribed => "You are unsubscribed",
            SubscriberStatus.Suppressed => "We cannot send to this address",
            _ => alreadyDone ? "You are already subscribed" : "You are subscribed",
        };
        var text = subscriber.Status switch
        {
            SubscriberStatus.Unsubscribed => "This address unsubscribed after the link was sent. Subscribe again to get digests.",
            SubscriberStatus.Suppressed => "Mail to this address was refused by its server, so we stopped sending. Subscribe again once it works.",
            _ when subscriber.Delivery == DeliveryMode.Feed => "Your papers appear in your private feed from the next day with matching papers; nothing is emailed.",
            _ => $"Your first digest arrives at {subscriber.SendHour:00}:00 ({subscriber.TimeZone}) on the next day with matching papers.",
        };
        // a feed-only subscriber gets no digest to find the feed's address in: it is given here, and on the preferences page
        var feed = subscriber.Delivery == DeliveryMode.Feed && subscriber.Status == SubscriberStatus.Active
            ? Html.Of($"""<p><a href="{signer.PathUrl("feeds", ".atom", subscriber.Id, subscriber.Secret, LinkPurpose.Feed)}">Your private feed (Atom)</a>: add its address to your feed reader.</p>""")
            : Markup.Empty;
        return PageLayout.Page(site.Name, title, Html.Of($"""
            <p class="notice">{text}</p>
            {feed}
            <p><a href="{preferences}">Change your keywords, send time or number of papers</a></p>
            """));
    }
}

public sealed class TokenForm
{
    public string? Token { get; set; }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsletter.Subscribers;

namespace Newsletter.Web.Pages;

/// <summary>
/// Leaving and coming back. The footer link opens a page with a button; mail clients use the RFC 8058 one-click
/// POST to the same URL (body <c>List-Unsubscribe=One-Click</c>), which needs no page, cookie or login: the signed
/// token is the proof, which is also why this one form is exempt from the anti-forgery check.
/// </summary>
public static partial class UnsubscribeEndpoints
{
    public static IEndpointRouteBuilder MapUnsubscribePages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/unsubscribe", ShowAsync);
        app.MapPost("/unsubscribe", UnsubscribeAsync).DisableAntiforgery();
        app.MapPost("/resubscribe", ResubscribeAsync);
        return app;
    }

    private static async Task<ContentHttpResult> ShowAsync(
        string? token, HttpContext context, SignedLink links, LinkSigner signer, IOptions<SiteOptions> site, CancellationToken cancellationToken)
    {
        var (subscriber, problem) = await links.OpenAsync(token, LinkPurpose.Unsubscribe, cancellationToken);
        if (subscriber is null)
        {
            return problem!;
        }
        if (subscriber.Status == SubscriberStatus.Unsubscribed)
        {
            return Unsubscribed(site.Value, subscriber, token!, context);
        }
        var preferences = signer.Url("preferences", subscriber.Id, subscriber.Secret, LinkPurpose.Preferences);
        return PageLayout.Page(site.Value.Name, "Unsubscribe", Html.Of($"""
            <p>Stop sending the daily digest to <strong>{subscriber.Email}</strong>?</p>
            <form method="post" action="/unsubscribe">
            <input type="hidden" name="token" value="{token}">
            <button type="submit">Unsubscribe</button>
            </form>
            <p>Too many papers? You can also <a href="{preferences}">pause, or change your keywords</a> instead.</p>
            """));
    }

    private static async Task<IResult> UnsubscribeAsync(
        HttpContext context, SignedLink links, SubscriberStore subscribers, IOptions<SiteOptions> site, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(cancellationToken) : null;
        var token = form?["token"].FirstOrDefault() ?? context.Request.Query["token"].FirstOrDefault();
        var oneClick = form?["List-Unsubscribe"].FirstOrDefault() == "One-Click";
        var (subscriber, problem) = await links.OpenAsync(token, LinkPurpose.Unsubscribe, cancellationToken);
        if (subscriber is null)
        {
            return oneClick ? TypedResults.Text("This unsubscribe link is not valid or has expired.", statusCode: problem!.StatusCode) : problem!;
        }
        var changed = await subscribers.TransitionAsync(subscriber.Id, [SubscriberStatus.Pending, SubscriberStatus.Active], SubscriberStatus.Unsubscribed,
            oneClick ? "one-click unsubscribe" : "unsubscribe page", cancellationToken);
        LogUnsubscribed(logs.CreateLogger(typeof(UnsubscribeEndpoints)), subscriber.Id, oneClick ? "one-click" : "page", changed);
        return oneClick ? TypedResults.Text("You are unsubscribed.") : Unsubscribed(site.Value, subscriber, token!, context);
    }

    private static async Task<ContentHttpResult> ResubscribeAsync(
        [FromForm] TokenForm form, SignedLink links, LinkSigner signer, SubscriberStore subscribers, IOptions<SiteOptions> site, CancellationToken cancellationToken)
    {
        var (subscriber, problem) = await links.OpenAsync(form.Token, LinkPurpose.Unsubscribe, cancellationToken);
        if (subscriber is null)
        {
            return problem!;
        }
        var back = await subscribers.TransitionAsync(subscriber.Id, [SubscriberStatus.Unsubscribed], SubscriberStatus.Active, null, cancellationToken);
        var preferences = signer.Url("preferences", subscriber.Id, subscriber.Secret, LinkPurpose.Preferences);
        return PageLayout.Page(site.Value.Name, back || subscriber.Status == SubscriberStatus.Active ? "Welcome back" : "Not subscribed", Html.Of($"""
            <p class="notice">{(back || subscriber.Status == SubscriberStatus.Active
                ? $"{subscriber.Email} gets the daily digest again, with the keywords it had."
                : "This address cannot be subscribed from here. Subscribe again on the subscribe page.")}</p>
            <p><a href="{preferences}">Change your keywords, send time or number of papers</a></p>
            """));
    }

    private static ContentHttpResult Unsubscribed(SiteOptions site, Subscriber subscriber, string token, HttpContext context) =>
        PageLayout.Page(site.Name, "You are unsubscribed", Html.Of($"""
            <p class="notice">{subscriber.Email} will get no more digests. Nothing else to do.</p>
            <p>Changed your mind?</p>
            <form method="post" action="/resubscribe">
            {FormProtection.Field(context)}
            <input type="hidden" name="token" value="{token}">
            <button type="submit" class="secondary">Subscribe again</button>
            </form>
            """));

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscriber {SubscriberId} unsubscribed ({Via}); changed: {Changed}")]
    private static partial void LogUnsubscribed(ILogger logger, string subscriberId, string via, bool changed);
}

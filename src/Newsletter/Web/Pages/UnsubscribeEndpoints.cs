using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Newsletter.Common;
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

    private static Task<IResult> ShowAsync(
        string? token, HttpContext context, SignedLink links, LinkSigner signer, IOptions<SiteOptions> site, CancellationToken cancellationToken) =>
        links.AnswerAsync(token, LinkPurpose.Unsubscribe, subscriber =>
        {
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
        }, cancellationToken);

    private static async Task<IResult> UnsubscribeAsync(
        HttpContext context, SignedLink links, SubscriberStore subscribers, IOptions<SiteOptions> site, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(cancellationToken) : null;
        var token = form?["token"].FirstOrDefault() ?? context.Request.Query["token"].FirstOrDefault();
        var oneClick = form?["List-Unsubscribe"].FirstOrDefault() == "One-Click";
        // a mail client posts the one-click form and shows no page: a link that fails the check gets a line of text
        Func<ContentHttpResult, IResult>? oneClickProblem = oneClick
            ? problem => TypedResults.Text("This unsubscribe link is not valid or has expired.", statusCode: problem.StatusCode)
            : null;
        return await links.AnswerAsync(token, LinkPurpose.Unsubscribe, async subscriber =>
        {
            var changed = await subscribers.TransitionAsync(subscriber.Id, [SubscriberStatus.Pending, SubscriberStatus.Active], SubscriberStatus.Unsubscribed,
                oneClick ? "one-click unsubscribe" : "unsubscribe page", cancellationToken);
            LogUnsubscribed(logs.CreateLogger(typeof(UnsubscribeEndpoints)), subscriber.Id, oneClick ? "one-click" : "page", changed);
            return oneClick ? TypedResults.Text("You are unsubscribed.") : Unsubscribed(site.Value, subscriber, token!, context);
        }, cancellationToken, oneClickProblem);
    }

    /// <summary>
    /// "Subscribe again" after unsubscribing: the address goes back to pending and gets a new confirmation email,
    /// as a new subscription would. The unsubscribe link (in any old digest, forwarded or leaked) must not be enough
    /// to start mail to an address on its own.
    /// </summary>
    private static Task<IResult> ResubscribeAsync(
        [FromForm] TokenForm form, SignedLink links, SubscriptionService subscriptions, IOptions<SiteOptions> site, ILoggerFactory logs,
        CancellationToken cancellationToken) =>
        links.AnswerAsync(form.Token, LinkPurpose.Unsubscribe, async subscriber =>
        {
            if (subscriber.Status == SubscriberStatus.Active)
            {
                return PageLayout.Page(site.Value.Name, "You are subscribed", Html.Of($"""
                    <p class="notice">{subscriber.Email} gets the daily digest. Nothing else to do.</p>
                    """));
            }
            if (!await subscriptions.ResubscribeAsync(subscriber.Id, cancellationToken))
            {
                return PageLayout.Page(site.Value.Name, "Not subscribed", Html.Of($"""
                    <p class="notice">This address cannot be subscribed from here. Subscribe again on the <a href="/subscribe">subscribe page</a>.</p>
                    """));
            }
            LogResubscribe(logs.CreateLogger(typeof(UnsubscribeEndpoints)), subscriber.Id);
            return PageLayout.Page(site.Value.Name, "Check your inbox", Html.Of($"""
                <p class="notice">A confirmation email is on its way to <strong>{subscriber.Email}</strong>.</p>
                <p>Open the link in it to get the daily digest again, with the keywords you had. The link is valid for {site.Value.ConfirmLinkDays} days.
                Nothing arrives? Look in your spam folder.</p>
                """));
        }, cancellationToken);

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscriber {SubscriberId} asked to subscribe again: pending, a confirmation email is queued")]
    private static partial void LogResubscribe(ILogger logger, string subscriberId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscriber {SubscriberId} unsubscribed ({Via}); changed: {Changed}")]
    private static partial void LogUnsubscribed(ILogger logger, string subscriberId, string via, bool changed);
}

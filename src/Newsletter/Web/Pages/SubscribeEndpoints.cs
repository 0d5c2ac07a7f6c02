using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Matching;
using Newsletter.Subscribers;

namespace Newsletter.Web.Pages;

/// <summary>The public subscribe form and its "check your inbox" answer (double opt-in).</summary>
public static partial class SubscribeEndpoints
{
    public const string RateLimitPolicy = "subscribe";

    public static IEndpointRouteBuilder MapSubscribePages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context, IOptions<SiteOptions> site) => Form(context, site.Value, new ProfileForm(), []));
        app.MapGet("/subscribe", (HttpContext context, IOptions<SiteOptions> site) => Form(context, site.Value, new ProfileForm(), []));
        app.MapPost("/subscribe", SubscribeAsync).RequireRateLimiting(RateLimitPolicy);
        return app;
    }

    private static async Task<ContentHttpResult> SubscribeAsync(
        [FromForm] ProfileForm form, HttpContext context, SubscriptionService subscriptions, IOptions<SiteOptions> site, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var (settings, errors) = form.Read();
        if (EmailAddress.Normalize(form.Email, out var emailProblem) is null)
        {
            errors["email"] = char.ToUpperInvariant(emailProblem[0]) + emailProblem[1..] + ".";
        }
        if (settings is null || errors.Count > 0)
        {
            return Form(context, site.Value, form, errors);
        }
        try
        {
            var outcome = await subscriptions.RequestAsync(
                new NewSubscription(form.Email!, settings.Name, settings.Keywords, settings.Exclusions, settings.MaxPapers, null, settings.SendHour, settings.TimeZone)
                {
                    Delivery = form.Delivery,
                    Frequency = settings.Frequency,
                    Weekday = settings.Weekday,
                    Focus = settings.Focus,
                },
                cancellationToken);
            LogSubscribeRequest(logs.CreateLogger(typeof(SubscribeEndpoints)), outcome);
        }
        catch (Exception e) when (e is ProfileValidationException or SubscriptionException)
        {
            var (field, message) = ProfileForm.ErrorOf(e);
            errors[field] = message;
            return Form(context, site.Value, form, errors);
        }
        // The same answer whether the address is new, pending, active or suppressed: the page tells nobody who subscribes.
        return PageLayout.Page(site.Value.Name, "Check your inbox", Html.Of($"""
            <p class="notice">If <strong>{EmailAddress.Normalize(form.Email, out _)}</strong> can be subscribed, a confirmation email is on its way to it.</p>
            <p>Open the link in that email to start getting your digest. The link is valid for {site.Value.ConfirmLinkDays} days.
            Nothing arrives? Look in your spam folder, or <a href="/subscribe">try again</a>.</p>
            """));
    }

    private static ContentHttpResult Form(HttpContext context, SiteOptions site, ProfileForm form, Dictionary<string, string> errors) =>
        PageLayout.Page(site.Name, $"Get trending papers in your inbox", Html.Of($"""
            <p>Every day, the new trending papers that match your keywords, in one short email. Unsubscribe with one click, any time.</p>
            {ProfileFields.Summary(errors)}
            <form method="post" action="/subscribe" novalidate>
            {FormProtection.Field(context)}
            {ProfileFields.Field("email", "Email address", "We send a link to confirm it.", errors,
                Html.Of($"""<input id="email" name="email" type="email" autocomplete="email" required maxlength="{EmailAddress.MaxLength}" value="{form.Email}" {ProfileFields.Invalid("email", errors)}>"""))}
            {ProfileFields.Name(form, errors)}
            {ProfileFields.Render(form, errors)}
            {ProfileFields.Delivery(form, errors)}
            <button type="submit">Subscribe</button>
            </form>
            """), errors.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribe request: {Outcome}")]
    private static partial void LogSubscribeRequest(ILogger logger, SubscribeOutcome outcome);
}

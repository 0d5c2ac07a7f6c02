using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Subscribers;

namespace Newsletter.Admin;

/// <summary>/admin/api/digests: manual resend, preview, and the delivery log.</summary>
public static class AdminDigestEndpoints
{
    public static RouteGroupBuilder MapAdminDigests(this RouteGroupBuilder api)
    {
        api.MapPost("/digests/resend", ResendAsync).WithTags("Digests")
            .WithSummary("Send a day's digest again (one more copy per request) to a subscriber, an email, or a filter; dryRun reports who would get what.");
        api.MapGet("/deliveries", DeliveriesAsync).WithTags("Digests").WithSummary("The delivery log, by subscriber and/or date.");
        api.MapGet("/subscribers/{id}/preview", PreviewAsync).WithTags("Digests").WithSummary("The digest a subscriber would get for a date (json, html or text); sends nothing.");
        return api;
    }

    private static async Task<IResult> ResendAsync(ResendRequest body, HttpContext context, AdminActions actions, CancellationToken cancellationToken)
    {
        var key = context.Request.Headers[IdempotencyKeys.Header].FirstOrDefault();
        var outcome = await actions.ResendAsync(context, body, key, cancellationToken);
        if (outcome.Error is { } error)
        {
            return AdminProblems.Of(error);
        }
        if (outcome.Replayed is { } earlier)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
            return TypedResults.Content(earlier, "application/json");
        }
        return TypedResults.Ok(outcome.Answer!);
    }

    private static async Task<Results<Ok<IReadOnlyList<DeliveryRecord>>, ValidationProblem>> DeliveriesAsync(
        Outbox outbox, CancellationToken cancellationToken, string? subscriberId = null, string? date = null)
    {
        if (!AdminProblems.TryDate(date, "date", out var day, out var problem))
        {
            return problem!;
        }
        return TypedResults.Ok(await outbox.ListAsync(day, subscriberId, cancellationToken));
    }

    private static async Task<IResult> PreviewAsync(
        string id, string? date, SubscriberStore subscribers, DigestPreviews previews, CancellationToken cancellationToken,
        string format = "json")
    {
        if (!AdminProblems.TryDate(date, "date", out var day, out var problem))
        {
            return problem!;
        }
        if (day is null)
        {
            return AdminProblems.Invalid("date", "is required (YYYY-MM-DD)");
        }
        if (format is not ("json" or "html" or "text"))
        {
            return AdminProblems.Invalid("format", $"'{format}' is not one of json, html, text");
        }
        var subscriber = await subscribers.GetAsync(id, cancellationToken);
        if (subscriber is null)
        {
            return AdminProblems.NotFound($"There is no subscriber with the id '{id}'.");
        }
        var preview = await previews.PreviewAsync(subscriber, day.Value, cancellationToken);
        if (format == "json")
        {
            return TypedResults.Ok(new DigestPreview(id, day.Value.ToString("yyyy-MM-dd"), preview.PapersOfTheDay, [.. preview.Papers.Select(p =>
                new PreviewedPaper(p.Paper.Id, p.Paper.Title, p.Score, p.Matched))]));
        }
        if (preview.WhyNone is { } why)
        {
            return AdminProblems.NotFound(why);
        }
        var body = previews.Render(preview, format);
        return format == "html" ? TypedResults.Content(body, "text/html; charset=utf-8") : TypedResults.Text(body, "text/plain; charset=utf-8");
    }
}

public sealed record ResendRequest(string? SubscriberId, string? Email, ResendFilter? Filter, string? Date, bool DryRun = false);

/// <param name="Status">Subscriber status (default active).</param>
/// <param name="Search">Part of an email or keyword.</param>
/// <param name="DeliveryStatus">Only those whose original digest of the day is pending, sent or failed.</param>
public sealed record ResendFilter(string? Status, string? Search, string? DeliveryStatus);

public sealed record ResendResponse(string Date, bool DryRun, int Requested, int Sent, int Failed, int Skipped, int WouldSend, IReadOnlyList<ResendLine> Recipients);

public sealed record DigestPreview(string SubscriberId, string Date, int PapersOfTheDay, IReadOnlyList<PreviewedPaper> Papers);

public sealed record PreviewedPaper(string Id, string Title, double Score, IReadOnlyList<string> Matched);

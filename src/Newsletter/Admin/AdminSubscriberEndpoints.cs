using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Newsletter.Delivery;
using Newsletter.Matching;
using Newsletter.Subscribers;

namespace Newsletter.Admin;

/// <summary>/admin/api/subscribers: list, get, create, update, suppress, erase, and each one's delivery log.</summary>
public static class AdminSubscriberEndpoints
{
    private static readonly string[] Statuses = [SubscriberStatus.Pending, SubscriberStatus.Active, SubscriberStatus.Unsubscribed, SubscriberStatus.Suppressed];

    public static RouteGroupBuilder MapAdminSubscribers(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/subscribers").WithTags("Subscribers");
        group.MapGet("/", ListAsync).WithSummary("Subscribers, newest first; search by part of an email or keyword, filter by status.");
        group.MapGet("/{id}", GetAsync).WithName("GetSubscriber");
        group.MapPost("/", CreateAsync).WithSummary("Add a subscriber; confirmed=true skips the opt-in email.");
        group.MapPatch("/{id}", UpdateAsync).WithSummary("Change keywords and settings; checked like the subscribe form.");
        group.MapPost("/{id}/suppress", SuppressAsync).WithSummary("Stop all mail to this subscriber.");
        group.MapDelete("/{id}", EraseAsync).WithSummary("Erase the subscriber's personal data (GDPR); delivery counts stay, anonymous.");
        group.MapGet("/{id}/deliveries", DeliveriesAsync).WithSummary("This subscriber's delivery log.");
        return api;
    }

    private static async Task<Results<Ok<SubscriberPage>, ValidationProblem>> ListAsync(
        SubscriberStore subscribers, ProfileStore profiles, CancellationToken cancellationToken, int page = 1, int pageSize = 50, string? search = null, string? status = null)
    {
        if (page < 1)
        {
            return AdminProblems.Invalid("page", $"must be 1 or more (was {page})");
        }
        if (pageSize is < 1 or > 500)
        {
            return AdminProblems.Invalid("pageSize", $"must be between 1 and 500 (was {pageSize})");
        }
        if (status is not null && !Statuses.Contains(status))
        {
            return AdminProblems.Invalid("status", $"'{status}' is not one of {string.Join(", ", Statuses)}");
        }
        var (items, total) = await subscribers.PageAsync(status, search, page, pageSize, cancellationToken);
        var stored = await profiles.GetManyAsync([.. items.Select(s => s.Id)], cancellationToken);
        return TypedResults.Ok(new SubscriberPage([.. items.Select(s => SubscriberDto.From(s, stored.GetValueOrDefault(s.Id)))], page, pageSize, total));
    }

    private static async Task<Results<Ok<SubscriberDto>, ProblemHttpResult>> GetAsync(string id, SubscriberStore subscribers, ProfileStore profiles, CancellationToken cancellationToken)
    {
        var subscriber = await subscribers.GetAsync(id, cancellationToken);
        return subscriber is null
            ? AdminProblems.NotFound($"There is no subscriber with the id '{id}'.")
            : TypedResults.Ok(SubscriberDto.From(subscriber, await profiles.GetAsync(id, cancellationToken)));
    }

    private static async Task<Results<Created<SubscriberDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateSubscriberRequest body, HttpContext context, SubscriptionService subscriptions, ConfirmationSender confirmations, ProfileStore profiles, AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Email))
        {
            return AdminProblems.Invalid("email", "is required");
        }
        if (body.Keywords is null || body.Keywords.Count == 0)
        {
            return AdminProblems.Invalid("keywords", "at least one keyword is required");
        }
        NewSubscriber added;
        try
        {
            added = await subscriptions.AddAsync(new NewSubscription(body.Email, body.Name, body.Keywords, body.Exclude ?? [], body.MaxPapers, body.MinScore,
                body.SendHour, body.TimeZone, body.Confirmed)
            {
                Delivery = body.Delivery,
                Frequency = body.Frequency,
                Weekday = body.Weekday,
                Focus = SubscriptionService.FocusOf(body.Focus),
            }, cancellationToken);
        }
        catch (SubscriptionException e) when (e.IsDuplicate)
        {
            return AdminProblems.Conflict($"{e.Message}; update it with PATCH instead.");
        }
        catch (Exception e) when (e is ProfileValidationException or SubscriptionException)
        {
            return AdminProblems.Of(e);
        }
        var s = added.Subscriber;
        // sent now rather than by the pump, so the audit says whether it went out (should the pump take it first, it is sent once all the same)
        var confirmationProblem = s.Status == SubscriberStatus.Pending
            ? (await confirmations.SendOwedAsync(s.Id, cancellationToken)).GetValueOrDefault(s.Id)
            : null;
        await audit.WriteAsync(context, "subscribers.create", s.Id, new { confirmed = body.Confirmed, confirmationProblem }, cancellationToken);
        return TypedResults.Created($"/admin/api/subscribers/{s.Id}", SubscriberDto.From(s, await profiles.GetAsync(s.Id, cancellationToken)));
    }

    private static async Task<Results<Ok<SubscriberDto>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string id, UpdateSubscriberRequest body, HttpContext context, SubscriberStore subscribers, ProfileStore profiles, AdminActions actions,
        CancellationToken cancellationToken)
    {
        try
        {
            if (!await actions.UpdateAsync(context, id, body, cancellationToken))
            {
                return AdminProblems.NotFound($"There is no subscriber with the id '{id}'.");
            }
        }
        catch (Exception e) when (e is ProfileValidationException or SubscriptionException)
        {
            return AdminProblems.Of(e);
        }
        return TypedResults.Ok(SubscriberDto.From((await subscribers.GetAsync(id, cancellationToken))!, await profiles.GetAsync(id, cancellationToken)));
    }

    private static async Task<Results<Ok<SubscriberDto>, ProblemHttpResult>> SuppressAsync(
        string id, SuppressRequest? body, HttpContext context, SubscriberStore subscribers, ProfileStore profiles, AdminActions actions, CancellationToken cancellationToken)
    {
        if (!await actions.SuppressAsync(context, id, body?.Reason, cancellationToken))
        {
            return AdminProblems.NotFound($"There is no subscriber with the id '{id}'.");
        }
        return TypedResults.Ok(SubscriberDto.From((await subscribers.GetAsync(id, cancellationToken))!, await profiles.GetAsync(id, cancellationToken)));
    }

    private static async Task<Results<Ok<ErasedSubscriber>, ProblemHttpResult>> EraseAsync(
        string id, HttpContext context, AdminActions actions, CancellationToken cancellationToken)
    {
        var kept = await actions.EraseAsync(context, id, cancellationToken);
        return kept is null
            ? AdminProblems.NotFound($"There is no subscriber with the id '{id}'.")
            : TypedResults.Ok(new ErasedSubscriber(id, true, kept.Value));
    }

    private static async Task<Results<Ok<IReadOnlyList<DeliveryRecord>>, ProblemHttpResult>> DeliveriesAsync(
        string id, SubscriberStore subscribers, Outbox outbox, CancellationToken cancellationToken)
    {
        var log = await outbox.ListAsync(null, id, cancellationToken);
        if (log.Count == 0 && await subscribers.GetAsync(id, cancellationToken) is null)
        {
            return AdminProblems.NotFound($"There is no subscriber with the id '{id}'.");
        }
        return TypedResults.Ok(log);
    }
}

public sealed record ErasedSubscriber(string Id, bool Erased, int DeliveriesKept);

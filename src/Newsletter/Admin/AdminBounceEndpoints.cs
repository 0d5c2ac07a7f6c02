using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Newsletter.Inbound;

namespace Newsletter.Admin;

/// <summary>/admin/api/bounces: what came back (bounces, complaints, mailto unsubscribes, and what was ignored).</summary>
public static class AdminBounceEndpoints
{
    private static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(7);

    public static RouteGroupBuilder MapAdminBounces(this RouteGroupBuilder api)
    {
        api.MapGet("/bounces", BouncesAsync).WithTags("Bounces")
            .WithSummary("Inbound messages processed since a time (default: the last 7 days), newest first, with counts by kind.");
        return api;
    }

    /// <param name="since">A day (YYYY-MM-DD, from its start in UTC) or a time with its offset (ISO 8601).</param>
    /// <param name="kind">Only this kind (hard-bounce, soft-bounce, complaint, unsubscribe, auto-reply, unrecognised, forged).</param>
    private static async Task<Results<Ok<BounceLog>, ValidationProblem>> BouncesAsync(
        InboundLog log, TimeProvider clock, CancellationToken cancellationToken, string? since = null, string? kind = null, int limit = 100)
    {
        DateTimeOffset from;
        if (string.IsNullOrWhiteSpace(since))
        {
            from = clock.GetUtcNow() - DefaultPeriod;
        }
        else if (DateOnly.TryParseExact(since, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }
        else if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out from))
        {
            return AdminProblems.Invalid("since", $"'{since}' is neither a day (YYYY-MM-DD) nor a time (2026-03-11T08:00:00Z)");
        }
        if (kind is not null && !InboundKind.Recorded.Contains(kind))
        {
            return AdminProblems.Invalid("kind", $"'{kind}' is not one of {string.Join(", ", InboundKind.Recorded)}");
        }
        if (limit is < 1 or > 1000)
        {
            return AdminProblems.Invalid("limit", $"must be between 1 and 1000 (was {limit})");
        }
        var items = await log.ListAsync(from, kind, limit, cancellationToken);
        var counts = await log.CountsAsync(from, cancellationToken);
        return TypedResults.Ok(new BounceLog(from.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), counts, items));
    }
}

/// <param name="Counts">Per kind, every message processed since then (not only the items listed).</param>
public sealed record BounceLog(string Since, IReadOnlyDictionary<string, long> Counts, IReadOnlyList<InboundRecord> Items);

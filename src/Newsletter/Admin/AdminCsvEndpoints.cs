using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Newsletter.Matching;
using Newsletter.Subscribers;

namespace Newsletter.Admin;

/// <summary>/admin/api/subscribers/export and /import: the subscriber list as CSV, out and back in.</summary>
public static class AdminCsvEndpoints
{
    public static RouteGroupBuilder MapAdminSubscriberCsv(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/subscribers").WithTags("Subscribers");
        group.MapGet("/export", ExportAsync).WithSummary("Every subscriber as CSV (text/csv, RFC 4180): the columns import reads.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
        group.MapPost("/import", ImportAsync).WithSummary(
            "Add or update subscribers from a CSV body (email and keywords required); each row checked like the subscribe form. " +
            "dryRun=true writes nothing; confirmed=true makes new subscribers active without the opt-in email.");
        return api;
    }

    /// <summary>Every subscriber as CSV, oldest first (also the console's download).</summary>
    public static async Task ExportAsync(HttpContext context, SubscriberStore subscribers, ProfileStore profiles, CancellationToken cancellationToken)
    {
        var all = await subscribers.ListAsync(null, cancellationToken);
        var stored = await profiles.GetManyAsync([.. all.Select(s => s.Id)], cancellationToken);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"subscribers.csv\"";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        await SubscriberCsv.WriteAsync(writer, all.OrderBy(s => s.CreatedAt, StringComparer.Ordinal).ThenBy(s => s.Email, StringComparer.Ordinal)
            .Select(s => (s, stored.GetValueOrDefault(s.Id))), cancellationToken);
    }

    private static async Task<IResult> ImportAsync(
        HttpContext context, AdminActions actions, CancellationToken cancellationToken, bool dryRun = false, bool confirmed = false)
    {
        var (answer, error) = await actions.ImportAsync(context, context.Request.Body, dryRun, confirmed, cancellationToken);
        return error is not null ? AdminProblems.Of(error) : TypedResults.Ok(answer!);
    }
}

public sealed record ImportResponse(bool DryRun, int Added, int Updated, int Unchanged, int Failed, IReadOnlyList<ImportError> Errors);

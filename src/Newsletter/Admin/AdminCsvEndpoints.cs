using System.Text;
using CsvHelper;
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

    private static async Task ExportAsync(HttpContext context, SubscriberStore subscribers, ProfileStore profiles, CancellationToken cancellationToken)
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
        HttpContext context, SubscriberImport import, AuditLog audit, CancellationToken cancellationToken, bool dryRun = false, bool confirmed = false)
    {
        List<ImportRow> rows;
        List<ImportError> unreadable;
        try
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            (rows, unreadable) = await SubscriberCsv.ReadAsync(reader, cancellationToken);
        }
        catch (Exception e) when (e is CsvFormatException or CsvHelperException)
        {
            return AdminProblems.Invalid("body", $"the CSV cannot be read: {e.Message.Split('\n')[0]}");
        }
        var report = await import.ImportAsync(rows, confirmed, dryRun, cancellationToken);
        var errors = unreadable.Concat(report.Errors).OrderBy(e => e.Line).ToList();
        var answer = new ImportResponse(dryRun, report.Added, report.Updated, report.Unchanged, errors.Count, errors);
        if (!dryRun)
        {
            await audit.WriteAsync(context, "subscribers.import", null,
                new { added = answer.Added, updated = answer.Updated, unchanged = answer.Unchanged, failed = answer.Failed, confirmed }, cancellationToken);
        }
        return TypedResults.Ok(answer);
    }
}

public sealed record ImportResponse(bool DryRun, int Added, int Updated, int Unchanged, int Failed, IReadOnlyList<ImportError> Errors);

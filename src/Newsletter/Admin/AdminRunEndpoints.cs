using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Newsletter.Scheduling;
using Newsletter.Sources;

namespace Newsletter.Admin;

/// <summary>/admin/api/ingest, /runs and /audit: fetch a day's papers now, and what the service and its admins did.</summary>
public static class AdminRunEndpoints
{
    public static RouteGroupBuilder MapAdminRuns(this RouteGroupBuilder api)
    {
        api.MapPost("/ingest", IngestAsync).WithTags("Papers").WithSummary("Fetch a day's trending papers from the configured source now.");
        api.MapGet("/runs", RunsAsync).WithTags("Runs").WithSummary("Digest runs, newest first, with their phases, counts, errors and durations.");
        api.MapGet("/runs/{id}", RunAsync).WithTags("Runs").WithSummary("One digest run with its phases.");
        api.MapGet("/audit", AuditAsync).WithTags("Audit").WithSummary("What was done through this API, newest first.");
        return api;
    }

    private static async Task<Results<Ok<IngestResult>, ValidationProblem, ProblemHttpResult>> IngestAsync(
        IngestBody? body, HttpContext context, Ingestor ingestor, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!AdminProblems.TryDate(body?.Date, "date", out var date, out var problem))
        {
            return problem!;
        }
        IngestReport report;
        try
        {
            report = await ingestor.IngestAsync(new IngestRequest(null, Date: date, DryRun: body?.DryRun ?? false), cancellationToken);
        }
        catch (ListingException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The paper source failed", detail: e.Message);
        }
        var result = new IngestResult(report.Date.ToString("yyyy-MM-dd"), report.Source, report.DryRun, report.Papers.Count,
            report.Changes.New, report.Changes.Updated, report.Changes.Changed, report.Warnings);
        if (!report.DryRun)
        {
            await audit.WriteAsync(context, "papers.ingest", result.Date, new { result.Fetched, result.New, result.Updated }, cancellationToken);
        }
        return TypedResults.Ok(result);
    }

    private static async Task<Results<Ok<IReadOnlyList<RunRecord>>, ValidationProblem>> RunsAsync(RunLog runs, CancellationToken cancellationToken, int limit = 50) =>
        limit is < 1 or > 1000
            ? AdminProblems.Invalid("limit", $"must be between 1 and 1000 (was {limit})")
            : TypedResults.Ok(await runs.ListAsync(limit, cancellationToken));

    private static async Task<Results<Ok<RunRecord>, ProblemHttpResult>> RunAsync(string id, RunLog runs, CancellationToken cancellationToken) =>
        await runs.FindAsync(id, cancellationToken) is { } run ? TypedResults.Ok(run) : AdminProblems.NotFound($"There is no run with the id '{id}'.");

    private static async Task<Results<Ok<IReadOnlyList<AuditEntry>>, ValidationProblem>> AuditAsync(AuditLog audit, CancellationToken cancellationToken, int limit = 100) =>
        limit is < 1 or > 1000
            ? AdminProblems.Invalid("limit", $"must be between 1 and 1000 (was {limit})")
            : TypedResults.Ok(await audit.ListAsync(limit, cancellationToken));
}

public sealed record IngestBody(string? Date, bool DryRun = false);

public sealed record IngestResult(string Date, string Source, bool DryRun, int Fetched, int New, int Updated, int Changed, IReadOnlyList<string> Warnings);

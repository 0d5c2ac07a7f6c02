using Microsoft.Extensions.Logging;
using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Sources;

namespace Newsletter.Scheduling;

/// <summary>
/// The daily job, top to bottom: ingest the day's list, match it against every due subscriber and record the
/// digests owed, then render and send them. Scheduled and manual runs both come through here.
/// </summary>
public sealed partial class DailyRun(
    Ingestor ingestor,
    PaperStore papers,
    DigestPlanner planner,
    DigestSender sender,
    RunLog runs,
    ILogger<DailyRun> logger)
{
    public async Task<RunReport> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        var runId = await runs.StartAsync(request.Kind, request.Date, cancellationToken);
        using var scope = logger.BeginScope("run {RunId}", runId);
        try
        {
            if (!request.SkipIngest)
            {
                await IngestAsync(request.Date, cancellationToken);
            }
            var dayPapers = await papers.PapersOnAsync(request.Date, cancellationToken);
            if (dayPapers.Count == 0)
            {
                LogNoPapers(request.Date);
                var empty = new RunReport(runId, request.Date, 0, [], new SendReport(0, 0, 0, 0));
                await runs.FinishAsync(runId, empty.Counts, null, cancellationToken);
                return empty;
            }
            var plan = await planner.PlanAsync(request.Date, dayPapers, request.SubscriberIds, record: !request.DryRun, cancellationToken);
            var sent = request.DryRun ? new SendReport(0, 0, 0, 0) : await sender.SendOwedAsync(request.Date, cancellationToken);
            var report = new RunReport(runId, request.Date, dayPapers.Count, plan, sent);
            await runs.FinishAsync(runId, report.Counts, null, cancellationToken);
            LogFinished(request.Date, dayPapers.Count, plan.Count, sent.Sent, sent.Failed, sent.Suppressed);
            return report;
        }
        catch (Exception e)
        {
            await runs.FinishAsync(runId, new RunCounts(0, 0, 0, 0, 0), e.Message, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Fetches the day's list; when that fails but the day was stored earlier, the run goes on with what is stored.</summary>
    private async Task IngestAsync(DateOnly date, CancellationToken cancellationToken)
    {
        try
        {
            await ingestor.IngestAsync(new IngestRequest(null, Date: date), cancellationToken);
        }
        catch (ListingException e)
        {
            if ((await papers.PapersOnAsync(date, cancellationToken)).Count == 0)
            {
                throw;
            }
            LogIngestFailedUsingStored(date, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No papers listed for {Date}; no digests to send")]
    private partial void LogNoPapers(DateOnly date);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch the list for {Date} ({Reason}); using the papers already stored for that day")]
    private partial void LogIngestFailedUsingStored(DateOnly date, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run for {Date}: {Papers} papers, {Planned} digests planned, {Sent} sent, {Failed} failed, {Suppressed} suppressed")]
    private partial void LogFinished(DateOnly date, int papers, int planned, int sent, int failed, int suppressed);
}

/// <param name="SubscriberIds">Only these subscribers (a scheduled slot); null: every active subscriber.</param>
public sealed record RunRequest(DateOnly Date, string Kind, bool DryRun = false, bool SkipIngest = false, IReadOnlySet<string>? SubscriberIds = null);

public sealed record RunReport(string RunId, DateOnly Date, int Papers, IReadOnlyList<PlannedDigest> Planned, SendReport Sent)
{
    public RunCounts Counts => new(Papers, Planned.Count, Sent.Sent, Sent.Failed, Sent.Suppressed);
}

using System.Diagnostics;
using Newsletter.Common;
using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Sources;

namespace Newsletter.Scheduling;

/// <summary>
/// The daily job, top to bottom: ingest the day's list, match it against every due subscriber and record the
/// digests owed, then render and send them. Scheduled and manual runs both come through here. Every log line of
/// a run carries its run id (a logging scope), and every phase is timed into the run history and the metrics.
/// </summary>
public sealed partial class DailyRun(
    Ingestor ingestor,
    PaperStore papers,
    DigestPlanner planner,
    DigestSender sender,
    RunLog runs,
    NewsletterMetrics metrics,
    TimeProvider clock,
    ILogger<DailyRun> logger)
{
    /// <summary>How often a running run writes its counts and its sign of life (a run silent for longer than a few of these is abandoned).</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    public async Task<RunReport> RunAsync(RunRequest request, CancellationToken cancellationToken, WorkProgress? progress = null)
    {
        progress ??= WorkProgress.None;
        var started = Stopwatch.GetTimestamp();
        var runId = await runs.StartAsync(request.Kind, request.Date, cancellationToken);
        using var scope = logger.BeginScope("run {RunId}", runId);
        LogStarted(request.Kind, Day(request.Date), request.DryRun);
        var phases = new RunPhases(runId, runs, metrics, clock, logger);
        var report = new RunReport(runId, request.Date, 0, [], SendReport.Nothing);
        SendTally? tally = null;
        using var stopBeating = new CancellationTokenSource();
        // the history shows how far a run got while it runs, and a run whose process died stops beating (abandoned)
        var beating = BeatAsync(runId, () => tally is null ? report.Counts : (report with { Sent = tally.Report() }).Counts, stopBeating.Token);
        try
        {
            if (!request.SkipIngest)
            {
                await phases.TimeAsync("ingest", progress, null, _ => IngestAsync(request.Date, cancellationToken), count => count, cancellationToken);
            }
            var dayPapers = await papers.PapersOnAsync(request.Date, cancellationToken);
            report = report with { Papers = dayPapers.Count };
            if (dayPapers.Count == 0)
            {
                LogNoPapers(Day(request.Date));
                if (!request.DryRun)
                {
                    await planner.PlanAsync(request.Date, dayPapers, request.SubscriberIds, record: true, cancellationToken); // records that the day is done
                }
                return await FinishAsync(report, request, started, null, stopBeating, beating);
            }
            var plan = await phases.TimeAsync("match", progress, null,
                phase => planner.PlanAsync(request.Date, dayPapers, request.SubscriberIds, record: !request.DryRun, cancellationToken, phase),
                planned => planned.Count, cancellationToken);
            report = report with { Planned = plan };
            if (!request.DryRun)
            {
                var sendStartedAt = clock.GetUtcNow();
                var sent = await phases.TimeAsync("send", progress, plan.Count,
                    phase => sender.SendOwedAsync(request.Date, cancellationToken, phase, tally = new SendTally(phase, runId)), s => s.Sent, cancellationToken);
                await phases.RecordAsync("render", sendStartedAt, sent.RenderTime, sent.Rendered, cancellationToken);
                report = report with { Sent = sent };
            }
            return await FinishAsync(report, request, started, null, stopBeating, beating);
        }
        catch (Exception e)
        {
            LogFailed(e, e.Message);
            // what went out before the failure is counted: the history never says "sent 0" for digests that were delivered
            await FinishAsync(tally is null ? report : report with { Sent = tally.Report() }, request, started, e.Message, stopBeating, beating);
            throw;
        }
    }

    private async Task<RunReport> FinishAsync(RunReport report, RunRequest request, long started, string? error, CancellationTokenSource stopBeating, Task beating)
    {
        await stopBeating.CancelAsync();
        await beating;
        var duration = Stopwatch.GetElapsedTime(started);
        var counts = report.Counts;
        await runs.FinishAsync(report.RunId, counts, duration, error, CancellationToken.None);
        metrics.RunFinished(request.Kind, RunLog.StatusOf(counts, error), duration, clock.GetUtcNow(), counts.Planned, counts.Matches, counts.Sent, counts.Failed, counts.Suppressed, counts.Retried);
        if (error is null)
        {
            LogFinished(Day(report.Date), counts.Papers, counts.Planned, counts.Matches, counts.Sent, counts.Failed, counts.Suppressed, counts.Deferred, counts.Retried, (long)duration.TotalMilliseconds);
        }
        return report;
    }

    private async Task BeatAsync(string runId, Func<RunCounts> counts, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await runs.BeatAsync(runId, counts(), stop);
                }
                catch (System.Data.Common.DbException e)
                {
                    LogBeatFailed(e.Message); // a busy database; the next beat tries again
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Fetches the day's list; when that fails but the day was stored earlier, the run goes on with what is stored.</summary>
    private async Task<int> IngestAsync(DateOnly date, CancellationToken cancellationToken)
    {
        try
        {
            return (await ingestor.IngestAsync(new IngestRequest(null, Date: date), cancellationToken)).Papers.Count;
        }
        catch (ListingException e)
        {
            var stored = await papers.PapersOnAsync(date, cancellationToken);
            if (stored.Count == 0)
            {
                throw;
            }
            LogIngestFailedUsingStored(Day(date), e.Message);
            return 0;
        }
    }

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run started ({Kind}) for {Date}; dry run: {DryRun}")]
    private partial void LogStarted(string kind, string date, bool dryRun);

    [LoggerMessage(Level = LogLevel.Information, Message = "No papers listed for {Date}; no digests to send")]
    private partial void LogNoPapers(string date);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch the list for {Date} ({Reason}); using the papers already stored for that day")]
    private partial void LogIngestFailedUsingStored(string date, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run failed: {Reason}")]
    private partial void LogFailed(Exception exception, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run for {Date} finished in {DurationMs} ms: {Papers} papers, {Planned} digests planned ({Matches} matches), {Sent} sent, {Failed} failed, {Suppressed} suppressed, {Deferred} deferred, {Retried} retries")]
    private partial void LogFinished(string date, int papers, int planned, int matches, int sent, int failed, int suppressed, int deferred, int retried, long durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the run's progress: {Problem}")]
    private partial void LogBeatFailed(string problem);
}

/// <param name="SubscriberIds">Only these subscribers (a scheduled slot); null: every active subscriber.</param>
public sealed record RunRequest(DateOnly Date, string Kind, bool DryRun = false, bool SkipIngest = false, IReadOnlySet<string>? SubscriberIds = null);

public sealed record RunReport(string RunId, DateOnly Date, int Papers, IReadOnlyList<PlannedDigest> Planned, SendReport Sent)
{
    public RunCounts Counts => new(Papers, Planned.Count, Sent.Sent, Sent.Failed, Sent.Suppressed, Planned.Sum(p => p.Papers.Count), Sent.Retried, Sent.Deferred);
}

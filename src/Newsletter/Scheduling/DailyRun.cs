using System.Globalization;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Sources;
using Newsletter.Subscribers;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Scheduling;

/// <summary>
/// The daily job, top to bottom: decide which digests are due, then for each listing day ingest its list, match it
/// against the due subscribers and record the digests owed, then render and send them. The schedule
/// (<see cref="RunDueAsync"/>), <c>digest run</c> (<see cref="RunAsync"/>) and the pump in <c>serve</c>
/// (<see cref="SendOwedAsync"/>) all come through here. Every log line of a run carries its run id, and every phase
/// is timed into the run history and the metrics.
/// </summary>
/// <remarks>
/// An active subscriber is due, once their local clock has passed their send hour, the listing of that local day
/// (minus <c>Schedule:ListingLagDays</c>) and every listing day since the last one they were planned for: a service
/// that was down for a day (or a week, up to <see cref="MaxCatchUpDays"/>) sends what it missed, one digest per
/// listing day, never a day twice and never a day from before they subscribed. Each day runs on its own: one that
/// cannot be fetched fails alone, is recorded, and stays due for the next wake-up, while the others go out.
/// </remarks>
public sealed partial class DailyRun(
    SubscriberStore subscribers,
    Ingestor ingestor,
    PaperStore papers,
    DigestPlanner planner,
    DigestSender sender,
    RunLog runs,
    NewsletterMetrics metrics,
    IOptions<ScheduleOptions> options,
    TimeProvider clock,
    ILogger<DailyRun> logger)
{
    /// <summary>How often a running run writes its counts and its sign of life (a run silent for longer than a few of these is abandoned).</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    /// <summary>How many listing days a subscriber's catch-up goes back at most (today's included).</summary>
    public const int MaxCatchUpDays = DigestPlanner.CatchUpDays;

    /// <summary>The scheduled run: every listing day some subscriber is due, oldest first.</summary>
    public async Task<IReadOnlyList<RunReport>> RunDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = await DueAsync(now, cancellationToken);
        // a listing day is fetched once: later wake-ups for the same day (other time zones, late subscribers) use the stored list
        var listed = await papers.ListedDaysAsync(due.Keys, cancellationToken);
        var reports = new List<RunReport>();
        foreach (var (date, ids) in due.OrderBy(d => d.Key))
        {
            LogDue(ids.Count, Day(date));
            try
            {
                reports.Add(await RunAsync(new RunRequest(date, "scheduled", SkipIngest: listed.Contains(date), SubscriberIds: ids), cancellationToken));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // the run history has it (failed, with the phase and the reason); the day stays due for the next wake-up
                LogDayFailed(Day(date), e.Message);
            }
        }
        return reports;
    }

    /// <summary>One listing day: ingest, match and plan, then render and send.</summary>
    public async Task<RunReport> RunAsync(RunRequest request, CancellationToken cancellationToken, WorkProgress? progress = null)
    {
        progress ??= WorkProgress.None;
        var runId = await runs.StartAsync(request.Kind, request.Date, cancellationToken);
        using var scope = logger.BeginScope("run {RunId}", runId);
        await using var run = RunInProgress.Start(runs, metrics, clock, logger, request, runId);
        try
        {
            if (!request.SkipIngest)
            {
                await using var phase = run.Phase("ingest", progress);
                var (fetched, sourceFailures) = await IngestAsync(request.Date, cancellationToken);
                phase.Done(fetched, sourceFailures);
            }
            var dayPapers = await papers.PapersOnAsync(request.Date, cancellationToken);
            run.Report = run.Report with { Papers = dayPapers.Count };
            if (dayPapers.Count == 0)
            {
                LogNoPapers(Day(request.Date));
                if (!request.DryRun)
                {
                    await planner.PlanAsync(request.Date, dayPapers, request.SubscriberIds, record: true, cancellationToken); // records that the day is done
                }
                return run.Report;
            }

            await using (var phase = run.Phase("match", progress))
            {
                var plan = await planner.PlanAsync(request.Date, dayPapers, request.SubscriberIds, record: !request.DryRun, cancellationToken, phase.Progress);
                run.Report = run.Report with { Planned = plan };
                phase.Done(plan.Count);
            }
            if (request.DryRun)
            {
                return run.Report;
            }

            var sendStartedAt = clock.GetUtcNow();
            SendReport sent;
            await using (var phase = run.Phase("send", progress, run.Report.Planned.Count(p => !p.FeedOnly)))
            {
                // rendering streams into the send (a day's rendered mail would not fit in memory): it is timed as it goes
                run.Tally = new SendTally(phase.Progress, run.Id);
                sent = await SendOwedAsync(request.Date, cancellationToken, phase.Progress, run.Tally);
                phase.Done(sent.Sent);
            }
            await run.RecordAsync("render", sendStartedAt, sent.RenderTime, sent.Rendered, cancellationToken);
            run.Report = run.Report with { Sent = sent };
            return run.Report;
        }
        catch (Exception e)
        {
            await run.FailedAsync(e);
            throw;
        }
    }

    /// <summary>Renders and sends every digest owed (of the day, or of any day), shared with other senders through the claims.</summary>
    public Task<SendReport> SendOwedAsync(DateOnly? date, CancellationToken cancellationToken, ProgressPhase? progress = null, SendTally? tally = null) =>
        sender.SendOwedAsync(date, cancellationToken, progress, tally);

    /// <summary>
    /// Fetches the day's list (with the sources that failed while others were fetched, for the run history); when that
    /// fails but the day was stored earlier, the run goes on with what is stored.
    /// </summary>
    private async Task<(int Fetched, string? SourceFailures)> IngestAsync(DateOnly date, CancellationToken cancellationToken)
    {
        try
        {
            var report = await ingestor.IngestAsync(new IngestRequest(null, Date: date), cancellationToken);
            return (report.Papers.Count, report.SourceFailures);
        }
        catch (ListingException e)
        {
            var stored = await papers.PapersOnAsync(date, cancellationToken);
            if (stored.Count == 0)
            {
                throw;
            }
            LogIngestFailedUsingStored(Day(date), e.Message);
            return (0, null);
        }
    }

    /// <summary>Due subscribers by the listing day their digest carries.</summary>
    public async Task<Dictionary<DateOnly, HashSet<string>>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var byDate = new Dictionary<DateOnly, HashSet<string>>();
        var lag = options.Value.ListingLagDays;
        foreach (var subscriber in await subscribers.ListReceivingAsync(cancellationToken))
        {
            var zone = TimeZoneInfo.TryFindSystemTimeZoneById(subscriber.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
            var local = TimeZoneInfo.ConvertTime(now, zone);
            // the slot of today has come, or the one of yesterday is the latest that has
            var latest = DateOnly.FromDateTime(local.DateTime).AddDays(-lag - (local.Hour < subscriber.SendHour ? 1 : 0));
            var first = latest.AddDays(1 - MaxCatchUpDays);
            if (Joined(subscriber, zone, lag) is { } joined && joined > first)
            {
                first = joined;
            }
            // every day after the mark: a day that failed holds the mark back, so it is planned again until it goes through
            if (subscriber.LastPlannedDay is { } last
                && DateOnly.TryParseExact(last, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var lastDay) && lastDay >= first)
            {
                first = lastDay.AddDays(1);
            }
            for (var day = first; day <= latest; day = day.AddDays(1))
            {
                if (!byDate.TryGetValue(day, out var ids))
                {
                    byDate[day] = ids = [];
                }
                ids.Add(subscriber.Id);
            }
        }
        return byDate;
    }

    /// <summary>The first listing day owed to a subscriber: the one of the local day they confirmed (none from before).</summary>
    private static DateOnly? Joined(Subscriber subscriber, TimeZoneInfo zone, int lag) =>
        DateTimeOffset.TryParse(subscriber.ConfirmedAt ?? subscriber.CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime).AddDays(-lag)
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} subscribers are due a digest for {Date}")]
    private partial void LogDue(int count, string date);

    [LoggerMessage(Level = LogLevel.Error, Message = "The digests for {Date} could not be sent ({Reason}); the day stays due and is tried again at the next wake-up")]
    private partial void LogDayFailed(string date, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "No papers listed for {Date}; no digests to send")]
    private partial void LogNoPapers(string date);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch the list for {Date} ({Reason}); using the papers already stored for that day")]
    private partial void LogIngestFailedUsingStored(string date, string reason);
}

/// <param name="SubscriberIds">Only these subscribers (a scheduled slot); null: every active subscriber.</param>
public sealed record RunRequest(DateOnly Date, string Kind, bool DryRun = false, bool SkipIngest = false, IReadOnlySet<string>? SubscriberIds = null);

public sealed record RunReport(string RunId, DateOnly Date, int Papers, IReadOnlyList<PlannedDigest> Planned, SendReport Sent)
{
    public RunCounts Counts => new(Papers, Planned.Count, Sent.Sent, Sent.Failed, Sent.Suppressed, Planned.Sum(p => p.Papers.Count), Sent.Retried, Sent.Deferred);
}

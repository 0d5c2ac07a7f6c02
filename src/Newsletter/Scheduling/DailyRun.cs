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
/// An active subscriber is due, once their local clock has passed their send hour on a day their frequency sends on
/// (every day, Monday to Friday, or their weekday), one digest covering every listing day since their last one: the
/// listing of that local day (minus <c>Schedule:ListingLagDays</c>) and the days before it back to their last digest
/// (at most <see cref="DigestFrequency.MaxDays"/>, never a day from before they subscribed). So a service that was
/// down, a subscriber back from a pause and a weekend without listings all end in one digest, never a day twice.
/// A day that cannot be fetched fails the run, is recorded, and its digests stay due for the next wake-up.
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

    /// <summary>How long a source that failed for a stored listing day waits before a wake-up fetches it again.</summary>
    public static readonly TimeSpan SourceRetryInterval = TimeSpan.FromHours(1);

    /// <summary>The scheduled run: one digest per due subscriber, dated the newest listing day it covers; those days oldest first.</summary>
    public async Task<IReadOnlyList<RunReport>> RunDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = await DueAsync(now, cancellationToken);
        var reports = new List<RunReport>();
        foreach (var (date, day) in due.OrderBy(d => d.Key))
        {
            LogDue(day.Count, Day(date));
            try
            {
                // a listing day is fetched once: later wake-ups for the same days (other time zones, late subscribers) use the stored list
                reports.Add(await RunAsync(new RunRequest(date, "scheduled") { Due = day }, cancellationToken));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // the run history has it (failed, with the phase and the reason); the days stay due for the next wake-up
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
            if (request.Due is not null)
            {
                await PlanCoveringAsync(request, run, progress, cancellationToken);
                if (run.Report.Papers == 0)
                {
                    return run.Report;
                }
            }
            else
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
                    var plan = await planner.PlanAsync(request.Date, dayPapers, request.SubscriberIds, record: !request.DryRun, cancellationToken, phase.Progress,
                        keep: request.KeepDigests);
                    run.Report = run.Report with { Planned = plan };
                    phase.Done(plan.Count);
                }
            }
            if (request.DryRun)
            {
                return run.Report;
            }

            var sendStartedAt = clock.GetUtcNow();
            SendReport sent;
            await using (var phase = run.Phase("send", progress, run.Report.Planned.Mailed))
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

    /// <summary>
    /// The scheduled digests dated <see cref="RunRequest.Date"/>: each due subscriber's covers the listing days since
    /// their last digest (<see cref="RunRequest.Due"/>). Every such day not stored yet is fetched (one that
    /// cannot be fails the run: the digests wait for it rather than leave it out), then subscribers who cover the
    /// same days are planned together over those days' papers, each paper once (as listed on its newest day).
    /// </summary>
    private async Task PlanCoveringAsync(RunRequest request, RunInProgress run, WorkProgress progress, CancellationToken cancellationToken)
    {
        var due = request.Due!;
        var days = Days(due.CountsByFirstDay.Keys.Min(), request.Date);
        if (!request.SkipIngest)
        {
            var listed = await papers.ListedDaysAsync(days, cancellationToken);
            var missing = days.Where(d => !listed.Contains(d)).ToList();
            // a source that failed for a day the others stored: the subscribers due later that day get its papers
            var retry = await papers.SourcesToRetryAsync([.. days.Where(listed.Contains)], clock.GetUtcNow() - SourceRetryInterval, cancellationToken);
            if (missing.Count > 0 || retry.Count > 0)
            {
                await using var phase = run.Phase("ingest", progress);
                var fetched = 0;
                var sourceFailures = new List<string>();
                foreach (var day in missing)
                {
                    var (count, failures) = await IngestAsync(day, cancellationToken);
                    fetched += count;
                    if (failures is not null)
                    {
                        sourceFailures.Add(missing.Count == 1 ? failures : $"{Day(day)}: {failures}");
                    }
                }
                foreach (var (day, source) in retry)
                {
                    var (count, failure) = await RetrySourceAsync(day, source, cancellationToken);
                    fetched += count;
                    if (failure is not null)
                    {
                        sourceFailures.Add($"{Day(day)}: {failure}");
                    }
                }
                phase.Done(fetched, sourceFailures.Count == 0 ? null : string.Join("; ", sourceFailures));
            }
        }
        var byDay = new Dictionary<DateOnly, IReadOnlyList<Paper>>();
        foreach (var day in days)
        {
            byDay[day] = await papers.PapersOnAsync(day, cancellationToken);
        }
        run.Report = run.Report with { Papers = byDay.Values.SelectMany(p => p).Select(p => p.Id).Distinct(StringComparer.Ordinal).Count() };
        if (run.Report.Papers == 0)
        {
            LogNoPapers(days.Count == 1 ? Day(request.Date) : $"{Day(days[0])} to {Day(request.Date)}");
            if (!request.DryRun)
            {
                foreach (var (first, count) in due.CountsByFirstDay)
                {
                    await planner.PlanCoveringAsync(first, request.Date, [], due.CoveringFrom(first), count, record: true, cancellationToken); // the days are done
                }
            }
            return;
        }
        await using var match = run.Phase("match", progress);
        var planned = DayPlan.Nothing;
        foreach (var (first, count) in due.CountsByFirstDay)
        {
            var covered = Days(first, request.Date).AsEnumerable().Reverse().SelectMany(d => byDay[d]).DistinctBy(p => p.Id, StringComparer.Ordinal).ToList();
            planned = planned.Plus(await planner.PlanCoveringAsync(first, request.Date, covered, due.CoveringFrom(first), count, record: !request.DryRun,
                cancellationToken, match.Progress, keep: request.KeepDigests));
        }
        run.Report = run.Report with { Planned = planned };
        match.Done(planned.Count);
    }

    private static List<DateOnly> Days(DateOnly first, DateOnly last) =>
        [.. Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(first.AddDays)];

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

    /// <summary>Fetches one source again for a stored day; failing again is recorded (the next try waits) and stops nothing.</summary>
    private async Task<(int New, string? Failure)> RetrySourceAsync(DateOnly day, string source, CancellationToken cancellationToken)
    {
        try
        {
            var report = await ingestor.IngestAsync(new IngestRequest(null, Date: day, SourceName: source), cancellationToken);
            LogSourceRetried(source, Day(day), report.Changes.New);
            return (report.Changes.New, null);
        }
        catch (Exception e) when (e is ListingException or ArgumentException)
        {
            // ArgumentException: the source is no longer configured; its failure stays visible until it is cleared by hand
            LogSourceRetryFailed(source, Day(day), e.Message);
            return (0, $"source {source} failed again: {e.Message}");
        }
    }

    /// <summary>
    /// Who is due a digest at <paramref name="now"/>, by the listing day it is dated (its newest), counted by the
    /// oldest listing day it covers (<see cref="DueRule"/>). Read as the rows come; no subscriber is held.
    /// </summary>
    public async Task<Dictionary<DateOnly, DueDay>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var byDate = new Dictionary<DateOnly, DueDay>();
        var rule = new DueRule(now, options.Value.ListingLagDays);
        await foreach (var subscriber in subscribers.ReceivingScheduleAsync(cancellationToken))
        {
            if (rule.Slot(subscriber) is { } slot)
            {
                if (!byDate.TryGetValue(slot.Latest, out var day))
                {
                    byDate[slot.Latest] = day = new DueDay(slot.Latest, rule);
                }
                day.Add(slot.First);
            }
        }
        return byDate;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} subscribers are due a digest for {Date}")]
    private partial void LogDue(int count, string date);

    [LoggerMessage(Level = LogLevel.Error, Message = "The digests for {Date} could not be sent ({Reason}); the day stays due and is tried again at the next wake-up")]
    private partial void LogDayFailed(string date, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {Source} fetched again for {Date}: {New} new papers")]
    private partial void LogSourceRetried(string source, string date, int @new);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {Source} failed again for {Date} ({Reason}); tried again in an hour at the earliest")]
    private partial void LogSourceRetryFailed(string source, string date, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "No papers listed for {Date}; no digests to send")]
    private partial void LogNoPapers(string date);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch the list for {Date} ({Reason}); using the papers already stored for that day")]
    private partial void LogIngestFailedUsingStored(string date, string reason);
}

/// <param name="SubscriberIds">Only these subscribers (a scheduled slot); null: every active subscriber.</param>
public sealed record RunRequest(DateOnly Date, string Kind, bool DryRun = false, bool SkipIngest = false, IReadOnlySet<string>? SubscriberIds = null)
{
    /// <summary>
    /// A scheduled run: each due subscriber's digest, dated <see cref="Date"/>, covers the listing days from their
    /// first day to <see cref="Date"/>. Null (a manual run): <see cref="Date"/> alone for every active subscriber.
    /// </summary>
    public DueDay? Due { get; init; }

    /// <summary>Keep the planned digests in the report (<c>digest run --json</c> lists them), not only their counts.</summary>
    public bool KeepDigests { get; init; }
}

public sealed record RunReport(string RunId, DateOnly Date, int Papers, DayPlan Planned, SendReport Sent)
{
    public RunCounts Counts => new(Papers, Planned.Count, Sent.Sent, Sent.Failed, Sent.Suppressed, Planned.Matches, Sent.Retried, Sent.Deferred);
}

using System.Diagnostics;
using System.Globalization;
using Newsletter.Common;
using Newsletter.Delivery;
using Newsletter.Digests;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Scheduling;

/// <summary>
/// One run while it runs: its row in the run history (with a heartbeat, so a run whose process died shows as
/// abandoned), its counts, and its phases, each timed into the history, the phase-duration metric and the log. Ends
/// the run when disposed: finished, or failed with the reason given to <see cref="FailedAsync"/>.
/// </summary>
internal sealed partial class RunInProgress : IAsyncDisposable
{
    private readonly RunLog _runs;
    private readonly NewsletterMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly RunRequest _request;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly CancellationTokenSource _stopBeating = new();
    private Task _beating = Task.CompletedTask;
    private int _position;
    private Exception? _failed;
    private (string Name, DateTimeOffset StartedAt, TimeSpan Duration, ProgressPhase Progress)? _unfinished;

    private RunInProgress(RunLog runs, NewsletterMetrics metrics, TimeProvider clock, ILogger logger, RunRequest request, string id)
    {
        (_runs, _metrics, _clock, _logger, _request) = (runs, metrics, clock, logger, request);
        Report = new RunReport(id, request.Date, 0, DayPlan.Nothing, SendReport.Nothing);
    }

    /// <param name="id">The run's row, from <see cref="RunLog.StartAsync"/> (the caller opens its logging scope with it first).</param>
    public static RunInProgress Start(RunLog runs, NewsletterMetrics metrics, TimeProvider clock, ILogger logger, RunRequest request, string id)
    {
        var run = new RunInProgress(runs, metrics, clock, logger, request, id);
        run._beating = run.BeatAsync(run._stopBeating.Token);
        LogStarted(logger, request.Kind, Day(request.Date), request.DryRun);
        return run;
    }

    public string Id => Report.RunId;

    /// <summary>What the run has done so far; the send's counts are read from <see cref="Tally"/> while it sends.</summary>
    public RunReport Report { get; set; }

    /// <summary>The send's live counts, once it started: what went out before a failure is counted too.</summary>
    public SendTally? Tally { get; set; }

    private RunReport Current => Tally is null ? Report : Report with { Sent = Tally.Report() };

    /// <summary>Starts timing a phase; it is recorded when disposed, with its count if <see cref="TimedPhase.Done"/> was called, else as failed (with the reason <see cref="FailedAsync"/> gives).</summary>
    public TimedPhase Phase(string name, WorkProgress progress, long? total = null) => new(this, name, progress.Begin(name, total), _clock.GetUtcNow());

    /// <summary>The run failed: the phase that was running records why, and so will the run when it ends.</summary>
    public async Task FailedAsync(Exception e)
    {
        _failed ??= e;
        await RecordUnfinishedAsync();
    }

    private async Task RecordUnfinishedAsync()
    {
        if (_unfinished is { } phase)
        {
            _unfinished = null;
            var reason = _failed?.Message ?? "stopped";
            phase.Progress.Complete($"failed: {reason}");
            phase.Progress.Dispose();
            await RecordAsync(phase.Name, phase.StartedAt, phase.Duration, 0, reason, CancellationToken.None);
        }
    }

    /// <summary>Records a phase that was timed elsewhere (rendering, which overlaps the send).</summary>
    public Task RecordAsync(string phase, DateTimeOffset startedAt, TimeSpan duration, long items, CancellationToken cancellationToken) =>
        RecordAsync(phase, startedAt, duration, items, null, cancellationToken);

    private async Task RecordAsync(string phase, DateTimeOffset startedAt, TimeSpan duration, long items, string? error, CancellationToken cancellationToken)
    {
        _metrics.PhaseDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("phase", phase));
        LogPhase(_logger, phase, (long)duration.TotalMilliseconds, items, error ?? "none");
        await _runs.RecordPhaseAsync(Id, _position++,
            new RunPhase(phase, startedAt.ToString("O", CultureInfo.InvariantCulture), (long)duration.TotalMilliseconds, items, error), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await RecordUnfinishedAsync();
        await _stopBeating.CancelAsync();
        await _beating;
        var report = Current;
        var duration = Stopwatch.GetElapsedTime(_started);
        var counts = report.Counts;
        var failure = _failed?.Message;
        await _runs.FinishAsync(Id, counts, duration, failure, CancellationToken.None);
        _metrics.RunFinished(_request.Kind, RunLog.StatusOf(counts, failure), duration, _clock.GetUtcNow(),
            counts.Planned, counts.Matches, counts.Sent, counts.Failed, counts.Suppressed, counts.Retried);
        if (failure is null)
        {
            LogFinished(_logger, Day(report.Date), counts.Papers, counts.Planned, counts.Matches, counts.Sent, counts.Failed, counts.Suppressed, counts.Deferred,
                counts.Retried, (long)duration.TotalMilliseconds);
        }
        else
        {
            LogFailed(_logger, _failed, failure);
        }
        _stopBeating.Dispose();
    }

    private async Task BeatAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(DailyRun.Heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await _runs.BeatAsync(Id, Current.Counts, stop);
                }
                catch (System.Data.Common.DbException e)
                {
                    LogBeatFailed(_logger, e.Message); // a busy database; the next beat tries again
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One phase of the run, timed from its creation to its disposal.</summary>
    internal sealed class TimedPhase(RunInProgress run, string name, ProgressPhase progress, DateTimeOffset startedAt) : IAsyncDisposable
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private long? _items;
        private string? _problem;

        /// <summary>The phase's line in the progress display (a terminal's, or none).</summary>
        public ProgressPhase Progress => progress;

        /// <param name="items">What it counts, for the history: papers fetched, digests planned, digests sent.</param>
        /// <param name="problem">What went wrong without stopping it (a source that failed while the others were fetched): the phase's error in the history.</param>
        public void Done(long items, string? problem = null) => (_items, _problem) = (items, problem);

        public async ValueTask DisposeAsync()
        {
            var duration = Stopwatch.GetElapsedTime(_started);
            if (_items is { } items)
            {
                progress.Complete($"{items.ToString("N0", CultureInfo.InvariantCulture)} {Noun(name)}");
                progress.Dispose();
                await run.RecordAsync(name, startedAt, duration, items, _problem, CancellationToken.None);
                return;
            }
            // the reason is not known here (the exception is on its way out): FailedAsync records it, or the run's end does
            run._unfinished = (name, startedAt, duration, progress);
        }

        private static string Noun(string phase) => phase switch
        {
            "ingest" => "papers fetched",
            "match" => "digests planned",
            "send" => "digests sent",
            _ => "items",
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run started ({Kind}) for {Date}; dry run: {DryRun}")]
    private static partial void LogStarted(ILogger logger, string kind, string date, bool dryRun);

    [LoggerMessage(Level = LogLevel.Information, Message = "Phase {Phase} took {DurationMs} ms: {Items} items; error: {Error}")]
    private static partial void LogPhase(ILogger logger, string phase, long durationMs, long items, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception? exception, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run for {Date} finished in {DurationMs} ms: {Papers} papers, {Planned} digests planned ({Matches} matches), {Sent} sent, {Failed} failed, {Suppressed} suppressed, {Deferred} deferred, {Retried} retries")]
    private static partial void LogFinished(ILogger logger, string date, int papers, int planned, int matches, int sent, int failed, int suppressed, int deferred, int retried, long durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the run's progress: {Problem}")]
    private static partial void LogBeatFailed(ILogger logger, string problem);
}

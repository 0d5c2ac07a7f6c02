using System.Diagnostics;
using System.Globalization;
using Newsletter.Common;

namespace Newsletter.Scheduling;

/// <summary>Times one run's phases: each goes to the run history as it ends, to the phase-duration metric, and to the log.</summary>
internal sealed partial class RunPhases(string runId, RunLog runs, NewsletterMetrics metrics, TimeProvider clock, ILogger logger)
{
    private int _position;

    /// <param name="total">The phase's size for the progress display, when known before it starts.</param>
    /// <param name="items">What the result counts, for the history (papers fetched, digests planned, sent).</param>
    public async Task<T> TimeAsync<T>(string phase, WorkProgress progress, long? total, Func<ProgressPhase, Task<T>> work, Func<T, long> items, CancellationToken cancellationToken)
    {
        var startedAt = clock.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        using var shown = progress.Begin(phase, total);
        try
        {
            var result = await work(shown);
            var count = items(result);
            shown.Complete($"{count.ToString("N0", CultureInfo.InvariantCulture)} {Noun(phase)}");
            await RecordAsync(phase, startedAt, Stopwatch.GetElapsedTime(started), count, cancellationToken, null);
            return result;
        }
        catch (Exception e)
        {
            shown.Complete($"failed: {e.Message}");
            await RecordAsync(phase, startedAt, Stopwatch.GetElapsedTime(started), 0, CancellationToken.None, e.Message);
            throw;
        }
    }

    public Task RecordAsync(string phase, DateTimeOffset startedAt, TimeSpan duration, long items, CancellationToken cancellationToken) =>
        RecordAsync(phase, startedAt, duration, items, cancellationToken, null);

    private async Task RecordAsync(string phase, DateTimeOffset startedAt, TimeSpan duration, long items, CancellationToken cancellationToken, string? error)
    {
        metrics.PhaseDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("phase", phase));
        LogPhase(phase, (long)duration.TotalMilliseconds, items, error ?? "none");
        await runs.RecordPhaseAsync(runId, _position++,
            new RunPhase(phase, startedAt.ToString("O", CultureInfo.InvariantCulture), (long)duration.TotalMilliseconds, items, error), cancellationToken);
    }

    private static string Noun(string phase) => phase switch
    {
        "ingest" => "papers fetched",
        "match" => "digests planned",
        "send" => "digests sent",
        _ => "items",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Phase {Phase} took {DurationMs} ms: {Items} items; error: {Error}")]
    private partial void LogPhase(string phase, long durationMs, long items, string error);
}

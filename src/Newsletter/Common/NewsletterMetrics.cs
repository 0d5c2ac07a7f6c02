using System.Diagnostics.Metrics;

namespace Newsletter.Common;

/// <summary>
/// The service's own measurements (System.Diagnostics.Metrics), exported on /metrics in Prometheus format by
/// `serve`. Counts and durations only: no addresses, ids or keywords in any tag. Per-run figures are the
/// last_run gauges (a run id as a tag would grow without bound); the whole history is in the runs table.
/// </summary>
public sealed class NewsletterMetrics
{
    public const string MeterName = "Newsletter";

    private LastRun? _lastRun;

    public NewsletterMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        PapersIngested = meter.CreateCounter<long>("newsletter.papers.ingested", "{paper}", "Papers read from listings, by whether they were new.");
        DigestsSent = meter.CreateCounter<long>("newsletter.digests.sent", "{digest}", "Digests the mail server accepted.");
        DigestsFailed = meter.CreateCounter<long>("newsletter.digests.failed", "{digest}", "Digests given up on, by reason (temporary, permanent).");
        DigestsRetried = meter.CreateCounter<long>("newsletter.digests.retried", "{attempt}", "Extra attempts a digest needed before the server's final answer.");
        DigestsPlanned = meter.CreateCounter<long>("newsletter.digests.planned", "{digest}", "Digests recorded as owed by runs.");
        Matches = meter.CreateCounter<long>("newsletter.matches", "{match}", "(subscriber, paper) pairs selected for digests by runs.");
        Runs = meter.CreateCounter<long>("newsletter.runs", "{run}", "Digest runs finished, by kind (scheduled, manual, demo) and status (succeeded, failed).");
        InboundMessages = meter.CreateCounter<long>("newsletter.inbound.messages", "{message}", "Inbound messages processed, by kind (hard-bounce, soft-bounce, complaint, unsubscribe, auto-reply, unrecognised, forged, duplicate).");
        Bounces = meter.CreateCounter<long>("newsletter.bounces", "{bounce}", "Bounces of sent mail, by kind (hard, soft).");
        Complaints = meter.CreateCounter<long>("newsletter.complaints", "{complaint}", "Spam complaints about sent mail.");
        SendDuration = meter.CreateHistogram<double>("newsletter.send.duration", "s", "From handing a digest to the transport to the server's final answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        var phaseBuckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] };
        RunDuration = meter.CreateHistogram<double>("newsletter.run.duration", "s", "A digest run from start to finish, by kind.", advice: phaseBuckets);
        PhaseDuration = meter.CreateHistogram<double>("newsletter.run.phase.duration", "s", "A phase of a run (ingest, match, render, send).", advice: phaseBuckets);
        meter.CreateObservableGauge("newsletter.last_run.digests", ObserveLastRunDigests, "{digest}", "The last run on this node: digests by outcome (planned, sent, failed, suppressed, retried).");
        meter.CreateObservableGauge<double>("newsletter.last_run.duration", () => _lastRun is { } run ? [new Measurement<double>(run.Seconds)] : Array.Empty<Measurement<double>>(), "s", "How long the last run on this node took.");
        meter.CreateObservableGauge<long>("newsletter.last_run.finished", () => _lastRun is { } run ? [new Measurement<long>(run.FinishedUnixSeconds)] : Array.Empty<Measurement<long>>(), "s", "When the last run on this node ended (Unix time).");
    }

    public Counter<long> PapersIngested { get; }
    public Counter<long> DigestsSent { get; }
    public Counter<long> DigestsFailed { get; }
    public Counter<long> DigestsRetried { get; }
    public Counter<long> DigestsPlanned { get; }
    public Counter<long> Matches { get; }
    public Counter<long> Runs { get; }
    public Counter<long> InboundMessages { get; }
    public Counter<long> Bounces { get; }
    public Counter<long> Complaints { get; }
    public Histogram<double> SendDuration { get; }
    public Histogram<double> RunDuration { get; }
    public Histogram<double> PhaseDuration { get; }

    /// <param name="status">succeeded, partial or failed (as in the run history).</param>
    public void RunFinished(string kind, string status, TimeSpan duration, DateTimeOffset finished, int planned, int matches, int sent, int failed, int suppressed, int retried)
    {
        var kindTag = new KeyValuePair<string, object?>("kind", kind);
        Runs.Add(1, kindTag, new KeyValuePair<string, object?>("status", status));
        RunDuration.Record(duration.TotalSeconds, kindTag);
        DigestsPlanned.Add(planned);
        Matches.Add(matches);
        _lastRun = new LastRun(duration.TotalSeconds, finished.ToUnixTimeSeconds(), planned, sent, failed, suppressed, retried);
    }

    private IEnumerable<Measurement<long>> ObserveLastRunDigests()
    {
        if (_lastRun is not { } run)
        {
            yield break;
        }
        yield return new Measurement<long>(run.Planned, new KeyValuePair<string, object?>("outcome", "planned"));
        yield return new Measurement<long>(run.Sent, new KeyValuePair<string, object?>("outcome", "sent"));
        yield return new Measurement<long>(run.Failed, new KeyValuePair<string, object?>("outcome", "failed"));
        yield return new Measurement<long>(run.Suppressed, new KeyValuePair<string, object?>("outcome", "suppressed"));
        yield return new Measurement<long>(run.Retried, new KeyValuePair<string, object?>("outcome", "retried"));
    }

    private sealed record LastRun(double Seconds, long FinishedUnixSeconds, long Planned, long Sent, long Failed, long Suppressed, long Retried);
}

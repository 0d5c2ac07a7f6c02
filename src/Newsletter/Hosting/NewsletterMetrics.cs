using System.Diagnostics.Metrics;

namespace Newsletter.Hosting;

/// <summary>
/// The service's own measurements (System.Diagnostics.Metrics), exported on /metrics in Prometheus format by
/// `serve`. Counts and durations only: no addresses, ids or keywords in any tag.
/// </summary>
public sealed class NewsletterMetrics
{
    public const string MeterName = "Newsletter";

    public NewsletterMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        PapersIngested = meter.CreateCounter<long>("newsletter.papers.ingested", "{paper}", "Papers read from listings, by whether they were new.");
        DigestsSent = meter.CreateCounter<long>("newsletter.digests.sent", "{digest}", "Digests the mail server accepted.");
        DigestsFailed = meter.CreateCounter<long>("newsletter.digests.failed", "{digest}", "Digests given up on, by reason (temporary, permanent).");
        SendDuration = meter.CreateHistogram<double>("newsletter.send.duration", "s", "From handing a digest to the transport to the server's final answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
    }

    public Counter<long> PapersIngested { get; }
    public Counter<long> DigestsSent { get; }
    public Counter<long> DigestsFailed { get; }
    public Histogram<double> SendDuration { get; }
}

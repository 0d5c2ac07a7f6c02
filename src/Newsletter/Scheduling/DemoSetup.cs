using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Delivery;
using Newsletter.Papers;
using Newsletter.Sources;
using Newsletter.Subscribers;

namespace Newsletter.Scheduling;

/// <summary>
/// The embedded demo: the bundled sample day, three demo subscribers with real research interests, and their
/// digests written to the outbox (or sent, if SMTP is configured). Safe to run again: nothing is added twice.
/// </summary>
public sealed class DemoSetup(
    NewsletterHome home,
    Ingestor ingestor,
    PaperStore papers,
    SubscriberStore subscribers,
    SubscriptionService subscriptions,
    DailyRun dailyRun,
    IOptions<SmtpOptions> smtp)
{
    public const string SampleName = "daily-papers-2026-03-11.json";

    public static readonly IReadOnlyList<NewSubscription> Subscribers =
    [
        new("ada@example.org", "Ada", ["quantization", "LoRA", "\"low-rank\""], ["survey"], 5, Confirmed: true),
        new("grace@example.org", "Grace", ["diffusion", "\"flow matching\"", "text-to-image OR layout-to-image"], [], 5, Confirmed: true),
        new("alan@example.org", "Alan", ["\"large language model\" AND reasoning", "\"mixture of experts\"", "RL"], [], 5, Confirmed: true),
    ];

    public async Task<DemoReport> RunAsync(CancellationToken cancellationToken)
    {
        var samplePath = home.Resolve(Path.Combine("data", "sample", SampleName));
        await ExtractSampleAsync(samplePath, cancellationToken);
        var ingest = await ingestor.IngestAsync(new IngestRequest(samplePath), cancellationToken);
        foreach (var subscription in Subscribers)
        {
            if (await subscribers.FindByEmailAsync(subscription.Email, cancellationToken) is null)
            {
                await subscriptions.AddAsync(subscription, cancellationToken);
            }
        }
        var run = await dailyRun.RunAsync(new RunRequest(ingest.Date, "demo", SkipIngest: true), cancellationToken);
        var stored = await papers.ListAsync(ingest.Date, cancellationToken);
        var where = string.IsNullOrWhiteSpace(smtp.Value.Host) ? home.Resolve(smtp.Value.PickupFolder) : $"{smtp.Value.Host}:{smtp.Value.Port}";
        return new DemoReport(ingest, stored, run, where, string.IsNullOrWhiteSpace(smtp.Value.Host));
    }

    private static async Task ExtractSampleAsync(string path, CancellationToken cancellationToken)
    {
        PrivateFiles.CreateFolder(Path.GetDirectoryName(path)!); // under data/, which holds secrets
        await using var resource = typeof(DemoSetup).Assembly.GetManifestResourceStream("sample/" + SampleName)
            ?? throw new InvalidOperationException("the bundled sample listing is missing from this build.");
        await using var file = File.Create(path);
        await resource.CopyToAsync(file, cancellationToken);
    }

    public async Task WriteSummaryAsync(DemoReport report, TextWriter output)
    {
        await output.WriteLineAsync($"Ingested the sample listing for {report.Ingest.Date:yyyy-MM-dd}: {report.Ingest.Papers.Count} papers ({report.Ingest.Changes.New} new, {report.Ingest.Changes.Updated} already stored).");
        await output.WriteLineAsync($"Demo subscribers: {string.Join(", ", Subscribers.Select(s => s.Email))}.");
        await output.WriteLineAsync(report.Run.Planned.Count == 0
            ? "Their digests for that day were already delivered on an earlier run."
            : $"Digests: {report.Run.Sent.Sent} written, {report.Run.Sent.Failed} failed.");
        await output.WriteLineAsync(report.ToFolder
            ? $"Look at them in {report.Destination}/ (one .eml file per digest; open with any mail program)."
            : $"They were sent through {report.Destination}.");
    }
}

public sealed record DemoReport(IngestReport Ingest, IReadOnlyList<StoredPaper> Papers, RunReport Run, string Destination, bool ToFolder);

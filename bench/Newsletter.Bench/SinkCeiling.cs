using System.Diagnostics;
using Newsletter.Digests;
using Newsletter.Sources;

namespace Newsletter.Bench;

/// <summary>
/// What the sink itself can take, measured beside the daily run: digests of the day's papers, as many papers each as
/// the run's digests had on average, composed by the app's composer and pre-serialised, then sent over raw sockets
/// (<see cref="SendBenchRawClient"/>) on as many connections as the run used, with nothing else to do.
/// </summary>
public static class SinkCeiling
{
    /// <summary>Distinct messages composed; the count sent cycles through them (serialising them all would take memory the run needs).</summary>
    private const int Distinct = 1_000;

    public static async Task<(double Rate, int Messages, double AverageBytes)> MeasureAsync(int port, int connections, int papersPerDigest, int messages)
    {
        var composer = SendBench.Composer();
        var date = new DateOnly(2026, 3, 11);
        var papers = ListingParser.Parse(await File.ReadAllTextAsync(BenchSupport.Corpus("hf-api", "2026-03-11.json")), "2026-03-11.json").Papers;
        var selections = SendBench.Selections(papers, Math.Clamp(papersPerDigest, 1, papers.Count));
        var blocks = Enumerable.Range(0, Math.Min(Distinct, messages)).Select(i => SendBenchRawClient.DataBlock(composer.Compose(
            new DigestRecipient($"e{i:D7}", $"reader{i:D7}@example.org", null, "secret"), date, selections[i % selections.Length]))).ToArray();
        var sent = Enumerable.Range(0, messages).Select(i => blocks[i % blocks.Length]).ToList();
        var clock = Stopwatch.StartNew();
        var accepted = await SendBenchRawClient.SendAsync(port, sent, connections);
        return (accepted / clock.Elapsed.TotalSeconds, accepted, blocks.Average(b => b.Length));
    }
}

using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

/// <summary>`serve` sends what is owed by itself: how nodes share a send, and how a dead node's digests get out.</summary>
[Collection(nameof(WebCollection))]
public sealed class PumpTests(WebMaildev maildev)
{
    [Fact]
    public async Task Digests_recorded_as_owed_are_sent_by_the_running_service_without_a_run()
    {
        await maildev.Server.ClearAsync();
        await using var host = await WebTestHost.StartAsync(maildev.Server, "--Delivery:PumpIntervalSeconds=1");
        var add = await host.App.RunAsync("subscribers", "add", "--email", "ada@example.org", "--keyword", "reinforcement learning", "--confirmed");
        Assert.True(add.ExitCode == 0, add.ToString());
        await host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay("2026-03-11")), CancellationToken.None);
        var day = new DateOnly(2026, 3, 11);
        var papers = await host.Get<PaperStore>().PapersOnAsync(day, CancellationToken.None);

        var planned = await host.Get<DigestPlanner>().PlanAsync(day, papers, null, record: true, CancellationToken.None);
        var emails = await maildev.Server.WaitForAsync(1, TimeSpan.FromSeconds(10));

        Assert.Equal(1, planned.Count);
        Assert.Equal("ada@example.org", Assert.Single(emails).To.Single());
        Assert.Equal("sent", host.Query("SELECT status FROM deliveries"));
    }
}

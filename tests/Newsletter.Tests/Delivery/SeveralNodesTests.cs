using System.Diagnostics;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

/// <summary>
/// Three senders (separate processes) on one PostgreSQL database share a day's send through claims; one is killed
/// with SIGKILL in the middle and the other two take over its claims once its lease lapses.
/// </summary>
public sealed class SeveralNodesTests : IAsyncLifetime
{
    private const int Subscribers = 2000;
    private readonly MaildevServer _maildev = new();
    private readonly TempDirectory _dir = new();

    public Task InitializeAsync() => _maildev.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _maildev.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Three_nodes_one_killed_mid_send_deliver_exactly_one_digest_to_each_of_2000_subscribers()
    {
        await using var services = await TestServices.StartAsync(Backend.Postgres);
        var ingest = await services.App.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"));
        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        await ProgramProcess.AddSubscribersAsync(services, Subscribers, "learning");
        // Node B talks to a server that accepts 40 messages and then never answers again, so when it is killed its
        // in-flight messages were not accepted anywhere (the one window claims cannot close is a kill between the
        // server's 250 and the row being marked; that copy would carry the same Message-ID).
        await using var stalling = await SmtpTestServer.StartAsync(_dir.File("node-b.jsonl"), stallAfter: 40);
        string[] common =
        [
            .. services.App.Settings, "--Smtp:Host=127.0.0.1", "--Smtp:Security=None", "--Smtp:MaxPerSecond=0", "--Smtp:Connections=2",
            "--Smtp:TimeoutSeconds=120", "--Smtp:From=digest@papers.example.org", "--Delivery:ClaimBatchSize=50", "--Delivery:ClaimLeaseSeconds=3",
        ];

        var nodeA = Start([.. common, $"--Smtp:Port={_maildev.SmtpPort}"]);
        var nodeB = Start([.. common, $"--Smtp:Port={stalling.Port}"]);
        var nodeC = Start([.. common, $"--Smtp:Port={_maildev.SmtpPort}"]);

        static ProgramProcess Start(string[] settings) => ProgramProcess.Start(["digest", "run", "--date", "2026-03-11", "--skip-ingest", .. settings]);
        var clock = Stopwatch.StartNew();
        while (stalling.Accepted().Count < 40 && clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(50);
        }
        Assert.False(nodeB.Process.HasExited, "node B finished before it could be killed");
        nodeB.Process.Kill(entireProcessTree: true); // SIGKILL: no clean-up, its claims stay until their lease lapses
        var exits = await Task.WhenAll(nodeA.ExitAsync(), nodeC.ExitAsync());

        Assert.All(exits, e => Assert.True(e.Code == 0, e.ToString()));
        Assert.All(exits, e => Assert.DoesNotContain("fail", e.Stderr, StringComparison.OrdinalIgnoreCase));
        var received = (await _maildev.WaitForAsync(Subscribers - 40, TimeSpan.FromSeconds(30))).Select(m => m.To.Single())
            .Concat(stalling.Accepted().Select(to => to.Single()))
            .GroupBy(to => to)
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Subscribers, received.Count);
        Assert.All(received, r => Assert.True(r.Value == 1, $"{r.Key} got {r.Value} digests"));
        Assert.Equal((long)Subscribers, services.App.Query("SELECT count(*) FROM deliveries WHERE status = 'sent'"));
        // the plan was large enough that the node which made it analysed the outbox before sending (autovacuum's
        // analyses are counted apart, in last_autoanalyze)
        Assert.Equal(2L, services.App.Query("SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('deliveries', 'digest_papers') AND last_analyze IS NOT NULL"));
    }
}

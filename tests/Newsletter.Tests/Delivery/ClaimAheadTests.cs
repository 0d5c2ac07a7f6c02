using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

/// <summary>
/// A sender claims its next batch while the current one goes out, so its connections never wait for the database
/// between batches; what it holds ahead stays claimed (never sent by anyone else) and is never sent twice.
/// </summary>
public abstract class ClaimAheadTests(Backend backend) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_next_batch_is_claimed_while_the_current_one_is_being_sent()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("stalls.jsonl"), stallAfter: 3);
        await using var services = await TestServices.StartAsync(backend, "--Smtp:Host=127.0.0.1", $"--Smtp:Port={server.Port}", "--Smtp:Security=None",
            "--Smtp:MaxPerSecond=0", "--Smtp:Connections=1", "--Delivery:ClaimBatchSize=10");
        for (var i = 0; i < 25; i++)
        {
            Assert.Equal(0, (await services.App.RunAsync("subscribers", "add", "--email", $"reader{i:00}@example.org", "--keyword", "reinforcement learning", "--confirmed")).ExitCode);
        }
        Assert.Equal(0, (await services.App.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"))).ExitCode);
        using var stop = new CancellationTokenSource();

        var running = services.Get<Newsletter.Scheduling.DailyRun>().RunAsync(new(new DateOnly(2026, 3, 11), "manual", SkipIngest: true), stop.Token);
        while (server.Accepted().Count < 3)
        {
            await Task.Delay(50);
        }
        await Task.Delay(500); // the third is recorded; the fourth hangs at the server

        // the first batch of ten fills the connection's queue (four) and holds the sender there: without claiming
        // ahead nothing more would be claimed. Three of it are sent, seven held, and the second batch is claimed
        // too; the last five are nobody's yet
        Assert.Equal(25L, services.App.Query("SELECT count(*) FROM deliveries"));
        Assert.Equal(3L, services.App.Query("SELECT count(*) FROM deliveries WHERE status = 'sent'"));
        Assert.Equal(17L, services.App.Query("SELECT count(*) FROM deliveries WHERE status = 'pending' AND claimed_by IS NOT NULL"));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(3, server.Accepted().Count);
        Assert.Equal(3L, services.App.Query("SELECT count(*) FROM deliveries WHERE status = 'sent'"));
        Assert.Equal(22L, services.App.Query("SELECT count(*) FROM deliveries WHERE status = 'pending'"));
    }
}

public sealed class ClaimAheadOnSqlite() : ClaimAheadTests(Backend.Sqlite);

public sealed class ClaimAheadOnPostgres() : ClaimAheadTests(Backend.Postgres);

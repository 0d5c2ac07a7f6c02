using System.Collections.Concurrent;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Subscribers;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

/// <summary>Senders at once take disjoint owed digests; a dead sender's claims are taken over when its lease lapses.</summary>
public abstract class ClaimTests(Backend backend) : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 3, 11);
    private TestServices _services = null!;

    public async Task InitializeAsync()
    {
        _services = await TestServices.StartAsync(backend);
        await _services.App.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"));
        var papers = await _services.Get<PaperStore>().PapersOnAsync(Day, CancellationToken.None);
        await using (var connection = await _services.Get<Database>().OpenAsync(CancellationToken.None))
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            for (var i = 0; i < 300; i++)
            {
                await _services.Get<SubscriberStore>().InsertAsync(connection, transaction, new Subscriber
                {
                    Id = $"s{i:000}", Email = $"s{i:000}@example.org", Status = SubscriberStatus.Active, Secret = "x", CreatedAt = "2026-03-01T00:00:00Z",
                });
            }
            await transaction.CommitAsync();
        }
        await _services.Get<DigestPlans>().AddAsync([.. Enumerable.Range(0, 300).Select(i => new PlannedDigest($"s{i:000}", Day, 0, $"m{i}@example.org",
            [new SelectedPaper(papers[i % papers.Count], 2, ["kw"], [], [])], "2026-03-11T08:00:00Z"))], CancellationToken.None);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private Outbox Outbox => _services.Get<Outbox>();

    [Fact]
    public async Task Senders_claiming_at_once_get_disjoint_batches_that_cover_every_owed_digest()
    {
        var claimed = new ConcurrentBag<(string Claimer, string Delivery)>();
        using var start = new Barrier(4);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(n => Task.Run(async () =>
        {
            var claimer = $"sender-{n}";
            start.SignalAndWait();
            while (true)
            {
                var batch = await Outbox.ClaimAsync(Day, claimer, 10, TimeSpan.FromMinutes(5), CancellationToken.None);
                if (batch.Count == 0)
                {
                    return;
                }
                foreach (var owed in batch)
                {
                    claimed.Add((claimer, owed.DeliveryId));
                }
                await Task.Delay(2); // as if sending: the others get their turn
            }
        })));

        Assert.Equal(300, claimed.Count);
        Assert.Equal(300, claimed.Select(c => c.Delivery).Distinct().Count());
        Assert.True(claimed.Select(c => c.Claimer).Distinct().Count() > 1, "one sender took everything: the test proves nothing");
    }

    [Fact]
    public async Task A_claim_whose_lease_lapsed_is_taken_over_and_a_live_one_is_not()
    {
        var dead = await Outbox.ClaimAsync(Day, "dead-sender", 1000, TimeSpan.FromSeconds(1), CancellationToken.None);
        var whileAlive = await Outbox.ClaimAsync(Day, "other", 1000, TimeSpan.FromMinutes(5), CancellationToken.None);
        await Task.Delay(1500);
        var afterLapse = await Outbox.ClaimAsync(Day, "other", 1000, TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.Equal(300, dead.Count);
        Assert.Empty(whileAlive);
        Assert.Equal(300, afterLapse.Count);
        Assert.True(await Outbox.AnyOwedAsync(Day, CancellationToken.None));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_sender_goes_on_after_its_last_claim_and_comes_back_for_lapsed_claims_behind_it(bool oneDay)
    {
        DateOnly? day = oneDay ? Day : null;
        var dead = await Outbox.ClaimAsync(day, "dead-sender", 10, TimeSpan.FromSeconds(1), CancellationToken.None);
        var cursor = new ClaimCursor();
        var batches = new List<IReadOnlyList<OwedDigest>>();
        for (var i = 0; i < 3; i++)
        {
            batches.Add(await Outbox.ClaimAsync(day, "live", 100, TimeSpan.FromMinutes(5), CancellationToken.None, cursor));
        }
        var whileHeld = await Outbox.ClaimAsync(day, "live", 100, TimeSpan.FromMinutes(5), CancellationToken.None, cursor);
        await Task.Delay(1500);
        var afterLapse = await Outbox.ClaimAsync(day, "live", 100, TimeSpan.FromMinutes(5), CancellationToken.None, cursor);

        string[] Subscribers(IEnumerable<OwedDigest> batch) => [.. batch.Select(o => o.Recipient.SubscriberId)];
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"s{i:000}"), Subscribers(dead));
        Assert.Equal(Enumerable.Range(10, 100).Select(i => $"s{i:000}"), Subscribers(batches[0]));
        Assert.Equal(Enumerable.Range(110, 100).Select(i => $"s{i:000}"), Subscribers(batches[1]));
        Assert.Equal(Enumerable.Range(210, 90).Select(i => $"s{i:000}"), Subscribers(batches[2]));
        Assert.Empty(whileHeld);
        Assert.Equal(Subscribers(dead), Subscribers(afterLapse));
    }

    [Fact]
    public async Task A_renewed_claim_does_not_lapse()
    {
        await Outbox.ClaimAsync(Day, "alive", 1000, TimeSpan.FromSeconds(1), CancellationToken.None);
        await Task.Delay(600);
        await Outbox.RenewClaimsAsync("alive", TimeSpan.FromSeconds(5), CancellationToken.None);
        await Task.Delay(800);

        Assert.Empty(await Outbox.ClaimAsync(Day, "other", 1000, TimeSpan.FromMinutes(5), CancellationToken.None));
    }
}

public sealed class ClaimTestsOnSqlite() : ClaimTests(Backend.Sqlite);

public sealed class ClaimTestsOnPostgres() : ClaimTests(Backend.Postgres);

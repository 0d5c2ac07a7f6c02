using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

/// <summary>
/// Planning walks the day's subscribers a page at a time, and nodes running the same day share the pages out; what
/// is owed stays decided by the outbox's unique key, whoever planned which page.
/// </summary>
public abstract class PlanPagesTests(Backend backend) : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 3, 11);
    private static readonly string[] Emails = ["ada@example.org", "bob@example.org", "cy@example.org", "dee@example.org", "eve@example.org"];
    private TestServices _services = null!;
    private IReadOnlyList<Paper> _papers = null!;

    public async Task InitializeAsync()
    {
        _services = await TestServices.StartAsync(backend);
        foreach (var email in Emails)
        {
            var added = await _services.App.RunAsync("subscribers", "add", "--email", email, "--keyword", "model", "--confirmed");
            Assert.True(added.ExitCode == 0, added.ToString());
        }
        await _services.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay("2026-03-11")), CancellationToken.None);
        _papers = await _services.Get<PaperStore>().PapersOnAsync(Day, CancellationToken.None);
        _services.Get<DigestPlanner>().PageSize = 2; // five subscribers: three pages
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private long Count(string sql) => Convert.ToInt64(_services.App.Query(sql), System.Globalization.CultureInfo.InvariantCulture);

    private Task<DayPlan> PlanAsync() => _services.Get<DigestPlanner>().PlanAsync(Day, _papers, null, record: true, CancellationToken.None);

    [Fact]
    public async Task A_page_another_node_took_and_never_finished_is_planned_by_the_last_pass()
    {
        // the database's order of ids (its collation), as the pages are cut
        var second = (string)_services.App.Query("SELECT id FROM subscribers ORDER BY id LIMIT 1 OFFSET 2")!;
        _services.App.Query($"INSERT INTO plan_pages (digest_date, first_id, taken_by, taken_at) VALUES ('2026-03-11', '{second}', 'a node that died', '2026-03-11T06:00:00Z')");

        var plan = await PlanAsync();

        Assert.Equal(5, plan.Count);
        Assert.Equal(5L, Count("SELECT count(DISTINCT subscriber_id) FROM deliveries WHERE digest_date = '2026-03-11' AND sequence = 0"));
        Assert.Equal(5L, Count("SELECT count(*) FROM deliveries"));
        Assert.Equal(3L, Count("SELECT count(*) FROM plan_pages WHERE digest_date = '2026-03-11'"));
        Assert.Equal(1L, Count("SELECT count(*) FROM plan_pages WHERE taken_by = 'a node that died'"));
    }

    [Fact]
    public async Task Two_nodes_planning_the_same_day_at_once_owe_each_digest_once_and_take_each_page_once()
    {
        var plans = await Task.WhenAll(Task.Run(PlanAsync), Task.Run(PlanAsync));

        Assert.Equal(5L, Count("SELECT count(*) FROM deliveries"));
        Assert.Equal(5L, Count("SELECT count(DISTINCT subscriber_id) FROM deliveries"));
        Assert.Equal(3L, Count("SELECT count(*) FROM plan_pages"));
        Assert.All(plans, plan => Assert.InRange(plan.Count, 0, 5));
        Assert.InRange(plans.Sum(p => p.Count), 5, 10);
    }

    [Fact]
    public async Task A_subscriber_who_joins_after_the_day_was_planned_is_planned_when_the_day_runs_again()
    {
        Assert.Equal(5, (await PlanAsync()).Count);
        var added = await _services.App.RunAsync("subscribers", "add", "--email", "fay@example.org", "--keyword", "model", "--confirmed");
        Assert.True(added.ExitCode == 0, added.ToString());

        var again = await PlanAsync();

        Assert.Equal(1, again.Count);
        Assert.Equal(6L, Count("SELECT count(*) FROM deliveries"));
    }

    [Fact]
    public async Task Nodes_marking_the_whole_day_at_once_all_finish_and_mark_everyone()
    {
        var store = _services.Get<Newsletter.Subscribers.SubscriberStore>();

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => store.MarkPlannedAsync(Day, null, DigestPlanner.CatchUpDays, CancellationToken.None))));

        Assert.Equal(5L, Count("SELECT count(*) FROM subscribers WHERE last_planned_day = '2026-03-11'"));
    }

    [Fact]
    public async Task Pages_of_earlier_days_are_forgotten_when_a_later_day_is_planned()
    {
        _services.App.Query("INSERT INTO plan_pages (digest_date, first_id, taken_by, taken_at) VALUES ('2026-03-01', 'x', 'n', '2026-03-01T06:00:00Z')");

        await PlanAsync();

        Assert.Equal(0L, Count("SELECT count(*) FROM plan_pages WHERE digest_date < '2026-03-11'"));
    }
}

public sealed class PlanPagesOnSqlite() : PlanPagesTests(Backend.Sqlite);

public sealed class PlanPagesOnPostgres() : PlanPagesTests(Backend.Postgres);

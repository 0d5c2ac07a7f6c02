using Newsletter.Digests;
using Newsletter.Scheduling;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Scheduling;

/// <summary>
/// The schedule never drops a listing day: a service down for a whole day sends that day in the next digest, and a
/// day whose listing cannot be fetched holds back the digest covering it, which is tried again at the next wake-up.
/// </summary>
public abstract class CatchUpTests(Backend backend) : IAsyncLifetime
{
    private readonly TempDirectory _outbox = new();
    private LoopbackServer _source = null!;
    private TestServices _services = null!;

    public async Task InitializeAsync()
    {
        _source = await LoopbackServer.StartAsync();
        _services = await TestServices.StartAsync(backend, $"--Smtp:PickupFolder={_outbox.Path}",
            $"--Sources:DailyUrl={_source.Url("/daily/{date}.json")}", "--Sources:MaxRetries=0", "--Schedule:ListingLagDays=1");
        var added = await _services.App.RunAsync("subscribers", "add", "--email", "ada@example.org", "--keyword", "model", "--confirmed", "--send-hour", "8");
        Assert.True(added.ExitCode == 0, added.ToString());
        // subscribed on 2026-03-20: owed the listings from 2026-03-19 on
        _services.App.Query("UPDATE subscribers SET confirmed_at = '2026-03-20T00:00:00.0000000+00:00', created_at = '2026-03-20T00:00:00.0000000+00:00'");
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _source.DisposeAsync();
        _outbox.Dispose();
    }

    private void Serve(string day, string corpusDay) =>
        _source.Script($"/daily/{day}.json", LoopbackServer.File(Corpus.ApiDay(corpusDay), "application/json"));

    private Task<IReadOnlyList<RunReport>> WakeUpAsync(string utc) =>
        _services.Get<DailyRun>().RunDueAsync(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);

    /// <summary>The listing days of the digests recorded, in order, comma-separated.</summary>
    private string DigestDays() => Days("SELECT digest_date AS day FROM deliveries WHERE sequence = 0");

    private string Days(string select) => (string?)_services.App.Query(backend == Backend.Postgres
        ? $"SELECT string_agg(day, ',' ORDER BY day) FROM (SELECT DISTINCT day FROM ({select}) s) d"
        : $"SELECT group_concat(day, ',') FROM (SELECT DISTINCT day FROM ({select}) s ORDER BY day) d") ?? "";

    [Fact]
    public async Task Days_the_service_was_down_for_come_in_one_digest_at_the_next_wake_up_and_no_day_twice()
    {
        Serve("2026-03-19", "2026-03-11");
        Serve("2026-03-20", "2026-03-12");
        Serve("2026-03-21", "2026-03-14");

        await WakeUpAsync("2026-03-20T09:00:00Z");
        Assert.Equal("2026-03-19", DigestDays());

        // down from 2026-03-20 10:00 to 2026-03-22 09:00: the 21st's wake-ups never happened
        var reports = await WakeUpAsync("2026-03-22T09:00:00Z");
        Assert.Equal(["2026-03-21"], reports.Select(r => r.Date.ToString("yyyy-MM-dd")));
        Assert.Equal("2026-03-19,2026-03-21", DigestDays());
        Assert.Equal("2026-03-20", _services.App.Query("SELECT first_day FROM deliveries WHERE digest_date = '2026-03-21'"));
        // papers of both days, ranked together, none of them in the digest before
        Assert.Equal(0, _services.App.DigestPapers().GroupBy(r => r.Paper.PaperId).Count(g => g.Count() > 1));

        Assert.Empty(await WakeUpAsync("2026-03-22T10:00:00Z"));
        Assert.Equal(2L, _services.App.Query("SELECT count(*) FROM deliveries"));
        Assert.Equal(2L, _services.App.Query("SELECT count(*) FROM deliveries WHERE status = 'sent'"));
        // each listing day was fetched once, however many wake-ups it was due in
        Assert.Equal(3, _source.Requests.Count);
    }

    [Fact]
    public async Task A_wake_up_plans_page_by_page_every_due_subscriber_once_over_two_spans_of_days()
    {
        Serve("2026-03-19", "2026-03-11");
        Serve("2026-03-20", "2026-03-12");
        Serve("2026-03-21", "2026-03-14");
        foreach (var name in new[] { "bea", "cy", "dee", "eve" })
        {
            var added = await _services.App.RunAsync("subscribers", "add", "--email", $"{name}@example.org", "--keyword", "model", "--confirmed", "--send-hour", "8");
            Assert.True(added.ExitCode == 0, added.ToString());
        }
        _services.App.Query("UPDATE subscribers SET confirmed_at = '2026-03-20T00:00:00.0000000+00:00', created_at = '2026-03-20T00:00:00.0000000+00:00'");
        // two of them had their digest of the 20th already: the next covers the 21st alone; the other three are owed the 19th on
        _services.App.Query("UPDATE subscribers SET last_planned_day = '2026-03-20' WHERE email IN ('bea@example.org', 'dee@example.org')");
        _services.Get<DigestPlanner>().PageSize = 2; // five subscribers: three pages for each span

        var reports = await WakeUpAsync("2026-03-22T09:00:00Z");

        Assert.Equal(["2026-03-21"], reports.Select(r => r.Date.ToString("yyyy-MM-dd")));
        Assert.Equal(5, reports[0].Planned.Count);
        Assert.Equal(5L, _services.App.Query("SELECT count(DISTINCT subscriber_id) FROM deliveries WHERE digest_date = '2026-03-21' AND sequence = 0"));
        Assert.Equal(3L, _services.App.Query("SELECT count(*) FROM deliveries WHERE first_day = '2026-03-19'"));
        Assert.Equal(2L, _services.App.Query(
            "SELECT count(*) FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE d.first_day IS NULL AND s.email IN ('bea@example.org', 'dee@example.org')"));
        Assert.Equal(5L, _services.App.Query("SELECT count(*) FROM subscribers WHERE last_planned_day = '2026-03-21'"));

        Assert.Empty(await WakeUpAsync("2026-03-22T10:00:00Z"));
        Assert.Equal(5L, _services.App.Query("SELECT count(*) FROM deliveries"));
    }

    [Fact]
    public async Task A_day_whose_listing_cannot_be_fetched_holds_its_digest_back_until_it_can_be()
    {
        Serve("2026-03-19", "2026-03-11");
        await WakeUpAsync("2026-03-20T09:00:00Z");
        _source.Script("/daily/2026-03-20.json", LoopbackServer.Status(503));
        Serve("2026-03-21", "2026-03-14");

        var reports = await WakeUpAsync("2026-03-22T09:00:00Z");

        // the digest covering the 20th and the 21st failed (and says so in the history): nothing goes out without the 20th
        Assert.Empty(reports);
        Assert.Equal("2026-03-19", DigestDays());
        Assert.Equal("failed", _services.App.Query("SELECT status FROM runs WHERE digest_date = '2026-03-21'"));
        Assert.Contains("503", (string)_services.App.Query("SELECT error FROM runs WHERE digest_date = '2026-03-21'")!);

        Serve("2026-03-20", "2026-03-12");
        var retried = await WakeUpAsync("2026-03-22T10:00:00Z");

        // both days go out now, in one digest
        Assert.Equal(1, retried.Single().Sent.Sent);
        Assert.Equal("2026-03-19,2026-03-21", DigestDays());
        Assert.Equal("2026-03-20", _services.App.Query("SELECT first_day FROM deliveries WHERE digest_date = '2026-03-21'"));
        Assert.Equal(2L, _services.App.Query("SELECT count(*) FROM deliveries"));
        Assert.Empty(await WakeUpAsync("2026-03-22T11:00:00Z"));
    }

    [Fact]
    public async Task Catching_up_goes_back_a_week_at_most()
    {
        foreach (var day in Enumerable.Range(0, 12).Select(i => new DateOnly(2026, 3, 10).AddDays(i).ToString("yyyy-MM-dd")))
        {
            Serve(day, "2026-03-11");
        }
        _services.App.Query("UPDATE subscribers SET confirmed_at = '2026-03-01T00:00:00.0000000+00:00'");

        await WakeUpAsync("2026-03-21T09:00:00Z");

        // subscribed long ago, never planned: one digest covering the last 7 listing days, not more
        Assert.Equal("2026-03-20", Days("SELECT digest_date AS day FROM runs WHERE kind = 'scheduled'"));
        Assert.Equal("2026-03-20", DigestDays());
        Assert.Equal("2026-03-14", _services.App.Query("SELECT first_day FROM deliveries"));
        Assert.Equal(7, _source.Requests.Count);
        Assert.Empty(await WakeUpAsync("2026-03-21T10:00:00Z"));
    }

    [Theory]
    [InlineData("America/New_York", "2026-03-08", 2)] // clocks go forward: 02:00 does not exist
    [InlineData("America/New_York", "2026-11-01", 1)] // and back: 01:00 happens twice
    [InlineData("America/New_York", "2026-11-01", 2)]
    [InlineData("Europe/Berlin", "2026-03-29", 2)]
    [InlineData("Europe/Berlin", "2026-10-25", 2)] // 02:00 happens twice
    public async Task Hourly_wake_ups_across_a_daylight_saving_change_send_each_listing_day_once(string zone, string changeDay, int sendHour)
    {
        var change = DateOnly.Parse(changeDay, System.Globalization.CultureInfo.InvariantCulture);
        for (var i = -3; i <= 2; i++)
        {
            Serve(change.AddDays(i).ToString("yyyy-MM-dd"), Corpus.Days[(i + 3) % Corpus.Days.Length]);
        }
        // and a weekly subscriber whose day is the change day (a Sunday in both zones)
        var weekly = await _services.App.RunAsync("subscribers", "add", "--email", "bob@example.org", "--keyword", "model", "--confirmed",
            "--frequency", "weekly", "--weekday", "sunday");
        Assert.True(weekly.ExitCode == 0, weekly.ToString());
        var joined = change.AddDays(-1).ToDateTime(new TimeOnly(12, 0)).ToString("yyyy-MM-dd'T'HH:mm:ss'.0000000+00:00'");
        _services.App.Query($"UPDATE subscribers SET time_zone = '{zone}', send_hour = {sendHour}, confirmed_at = '{joined}'");

        // every hour for three days around the change
        for (var at = change.AddDays(-1).ToDateTime(TimeOnly.MinValue); at < change.AddDays(2).ToDateTime(TimeOnly.MinValue); at = at.AddHours(1))
        {
            await WakeUpAsync(at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        }

        var planned = Days("SELECT digest_date AS day FROM runs WHERE kind = 'scheduled'").Split(',');
        Assert.Equal(planned.Distinct(), planned);
        Assert.Equal((long)planned.Length, _services.App.Query("SELECT count(*) FROM runs WHERE kind = 'scheduled'"));
        Assert.Equal(0L, _services.App.Query("SELECT count(*) FROM runs WHERE status <> 'succeeded'"));
        Assert.Contains(change.AddDays(-1).ToString("yyyy-MM-dd"), planned);
        Assert.Equal(0L, _services.App.Query("SELECT count(*) FROM (SELECT subscriber_id, digest_date FROM deliveries WHERE sequence = 0 GROUP BY subscriber_id, digest_date HAVING count(*) > 1) twice"));
        // the daily subscriber: the day before the change, the change day and the day after, each in its own digest
        Assert.Equal(0L, _services.App.Query("SELECT count(*) FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE s.email = 'ada@example.org' AND d.first_day IS NOT NULL"));
        // the weekly one: exactly one digest, the change day's
        Assert.Equal(change.AddDays(-1).ToString("yyyy-MM-dd"),
            _services.App.Query("SELECT d.digest_date FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE s.email = 'bob@example.org'"));
    }
}

public sealed class CatchUpOnSqlite() : CatchUpTests(Backend.Sqlite);

public sealed class CatchUpOnPostgres() : CatchUpTests(Backend.Postgres);

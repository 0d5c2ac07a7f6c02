using System.Globalization;
using Newsletter.Scheduling;
using Newsletter.Subscribers;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Scheduling;

/// <summary>
/// Daily, weekdays or weekly: whichever, a digest covers every listing day since the subscriber's last one, ranked
/// together, capped once, never a paper sent before; nobody misses a listing day and nobody gets one twice. The
/// real daily run, woken at the hours given, against the corpus days served over loopback HTTP.
/// </summary>
public abstract class FrequencyTests(Backend backend) : IAsyncLifetime
{
    private readonly TempDirectory _outbox = new();
    private readonly TempDirectory _files = new();
    private LoopbackServer _source = null!;
    private TestServices _services = null!;

    public async Task InitializeAsync()
    {
        _source = await LoopbackServer.StartAsync();
        _services = await TestServices.StartAsync(backend, $"--Smtp:PickupFolder={_outbox.Path}",
            $"--Sources:DailyUrl={_source.Url("/daily/{date}.json")}", "--Sources:MaxRetries=0", "--Schedule:ListingLagDays=1");
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _source.DisposeAsync();
        _outbox.Dispose();
        _files.Dispose();
    }

    /// <summary>Listing days from <paramref name="first"/> to <paramref name="last"/>, each one of the five corpus days in turn.</summary>
    private void ServeDays(string first, string last)
    {
        var day = DateOnly.Parse(first, CultureInfo.InvariantCulture);
        for (var i = 0; day <= DateOnly.Parse(last, CultureInfo.InvariantCulture); day = day.AddDays(1), i++)
        {
            _source.Script($"/daily/{day:yyyy-MM-dd}.json", LoopbackServer.File(Corpus.ApiDay(Corpus.Days[i % Corpus.Days.Length]), "application/json"));
        }
    }

    private void ServeEmpty(string day)
    {
        File.WriteAllText(_files.File(day + ".json"), "[]");
        _source.Script($"/daily/{day}.json", LoopbackServer.File(_files.File(day + ".json"), "application/json"));
    }

    private async Task AddAsync(string email, string joined, params string[] options)
    {
        var added = await _services.App.RunAsync(["subscribers", "add", "--email", email, "--keyword", "model OR agent OR language", "--confirmed", "--send-hour", "8", "--max", "5", .. options]);
        Assert.True(added.ExitCode == 0, added.ToString());
        _services.App.Query($"UPDATE subscribers SET confirmed_at = '{joined}T00:00:00.0000000+00:00', created_at = '{joined}T00:00:00.0000000+00:00' WHERE email = '{email}'");
    }

    /// <summary>Wakes the run at 09:00 UTC (after the 08:00 send hour) on every day from <paramref name="first"/> to <paramref name="last"/>, and at 21:00.</summary>
    private async Task WakeUpDailyAsync(string first, string last)
    {
        for (var day = DateOnly.Parse(first, CultureInfo.InvariantCulture); day <= DateOnly.Parse(last, CultureInfo.InvariantCulture); day = day.AddDays(1))
        {
            await WakeUpAsync($"{day:yyyy-MM-dd}T09:00:00Z");
            await WakeUpAsync($"{day:yyyy-MM-dd}T21:00:00Z");
        }
    }

    private Task<IReadOnlyList<RunReport>> WakeUpAsync(string utc) =>
        _services.Get<DailyRun>().RunDueAsync(DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture), CancellationToken.None);

    /// <summary>A subscriber's digests as "first..last" (or "day" for one listing day), in order, comma-separated.</summary>
    private string Digests(string email)
    {
        var rows = _services.App.QueryRows(
            $"SELECT d.first_day, d.digest_date FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id WHERE s.email = '{email}' AND d.sequence = 0 ORDER BY d.digest_date");
        return string.Join(",", rows.Select(r => r[0] is string first ? $"{first}..{r[1]}" : (string)r[1]!));
    }

    private long PapersSentTwice() => _services.App.DigestPapers().GroupBy(r => (r.SubscriberId, r.Paper.PaperId)).LongCount(g => g.Count() > 1);

    [Fact]
    public async Task A_weekly_subscriber_gets_one_digest_a_week_with_the_best_papers_of_its_listing_days_none_seen_before()
    {
        ServeDays("2026-03-15", "2026-03-29");
        await AddAsync("ada@example.org", "2026-03-17", "--frequency", "weekly", "--weekday", "monday");

        await WakeUpDailyAsync("2026-03-16", "2026-03-31");

        // Mondays 23 and 30 March carry the listings of the days before (a day's lag): the 16th (the listing of the day
        // she joined) to the 22nd, then the 23rd to the 29th
        Assert.Equal("2026-03-16..2026-03-22,2026-03-23..2026-03-29", Digests("ada@example.org"));
        Assert.Equal(0L, PapersSentTwice());
        // ranked together and capped once: five papers each (her cap), taken from several listing days, best first
        var first = _services.App.DigestPapers("d.id LIKE '%:2026-03-22:0'").Select(r => r.Paper).ToList();
        Assert.Equal(5, first.Count);
        Assert.Equal(first.Select(p => p.Score).OrderDescending(), first.Select(p => p.Score));
        var days = (long)_services.App.Query(
            $"SELECT count(DISTINCT day) FROM paper_days WHERE paper_id IN ({string.Join(", ", first.Select(p => $"'{p.PaperId}'"))}) AND day BETWEEN '2026-03-16' AND '2026-03-22'")!;
        Assert.True(days > 1, $"the papers come from {days} listing day(s)");
        // the best of the week: the top five of all papers listed those days (each once) as her profile ranks them
        var store = _services.Get<Newsletter.Papers.PaperStore>();
        var week = new List<Newsletter.Papers.Paper>();
        for (var day = new DateOnly(2026, 3, 22); day >= new DateOnly(2026, 3, 16); day = day.AddDays(-1))
        {
            week.AddRange(await store.PapersOnAsync(day, CancellationToken.None));
        }
        week = [.. week.DistinctBy(p => p.Id)];
        var (profiles, _) = await _services.Get<Newsletter.Matching.ProfileStore>().LoadAsync(
            [(string)_services.App.Query("SELECT id FROM subscribers")!], CancellationToken.None);
        var best = new Newsletter.Matching.ProfileMatcher(Newsletter.Matching.PaperIndex.Build(week)).Select(profiles[0], null).Select(m => week[m.Paper].Id);
        Assert.Equal(best, first.Select(p => p.PaperId));
        // and the mail says which days it covers
        var subjects = Directory.GetFiles(_outbox.Path, "digest.*.eml", SearchOption.AllDirectories).Select(f => MimeKit.MimeMessage.Load(f).Subject ?? "").Order().ToList();
        Assert.Equal(2, subjects.Count);
        Assert.Contains(subjects, s => s.Contains("16–22 Mar", StringComparison.Ordinal));
        Assert.Contains(subjects, s => s.Contains("23–29 Mar", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_weekdays_subscriber_gets_nothing_at_the_weekend_and_mondays_digest_covers_it()
    {
        ServeDays("2026-03-17", "2026-03-24");
        await AddAsync("ada@example.org", "2026-03-19", "--frequency", "weekdays");

        await WakeUpDailyAsync("2026-03-19", "2026-03-24"); // Thursday to Tuesday

        // Thursday and Friday carry Wednesday's and Thursday's listings; Monday carries Friday's, Saturday's and Sunday's
        Assert.Equal("2026-03-18,2026-03-19,2026-03-20..2026-03-22,2026-03-23", Digests("ada@example.org"));
        Assert.Equal(0L, _services.App.Query("SELECT count(*) FROM runs WHERE started_at LIKE '2026-03-21%' OR started_at LIKE '2026-03-22%'"));
        // the delivery log (admin API and console) says which days Monday's digest covers
        var log = await _services.Get<Newsletter.Delivery.Outbox>().ListAsync(new DateOnly(2026, 3, 22), null, CancellationToken.None);
        Assert.Equal(("2026-03-20", "2026-03-22"), (Assert.Single(log).FirstDay, log[0].DigestDate));
        Assert.Equal(0L, PapersSentTwice());
    }

    [Fact]
    public async Task A_daily_subscriber_back_from_a_pause_of_three_listing_days_gets_one_digest_covering_them()
    {
        ServeDays("2026-03-17", "2026-03-24");
        await AddAsync("ada@example.org", "2026-03-19");
        var subscriber = await _services.Get<SubscriberStore>().FindByEmailAsync("ada@example.org", CancellationToken.None);
        var subscriptions = _services.Get<SubscriptionService>();

        await WakeUpDailyAsync("2026-03-19", "2026-03-20");
        await subscriptions.UpdateAsync(subscriber!.Id, new SubscriptionChange(Paused: true), CancellationToken.None);
        await WakeUpDailyAsync("2026-03-21", "2026-03-23"); // paused over the listings of the 20th, 21st and 22nd
        await subscriptions.UpdateAsync(subscriber.Id, new SubscriptionChange(Paused: false), CancellationToken.None);
        await WakeUpDailyAsync("2026-03-24", "2026-03-24");

        Assert.Equal("2026-03-18,2026-03-19,2026-03-20..2026-03-23", Digests("ada@example.org"));
        Assert.Equal(0L, PapersSentTwice());
    }

    [Fact]
    public async Task A_weekend_without_listings_sends_no_empty_digest_and_misses_nothing()
    {
        ServeDays("2026-03-19", "2026-03-20");
        ServeEmpty("2026-03-21");
        ServeEmpty("2026-03-22");
        ServeDays("2026-03-23", "2026-03-23");
        await AddAsync("ada@example.org", "2026-03-20");

        await WakeUpDailyAsync("2026-03-20", "2026-03-24");
        Assert.Equal("", _services.App.Query("SELECT coalesce(max(error), '') FROM runs"));

        Assert.Equal("2026-03-19,2026-03-20,2026-03-23", Digests("ada@example.org"));
        Assert.Equal(0L, _services.App.Query("SELECT count(*) FROM deliveries WHERE paper_count = 0"));
        Assert.Equal("2026-03-23", _services.App.Query("SELECT last_planned_day FROM subscribers"));
        Assert.Equal(5, _source.Requests.Count); // each day fetched once, the empty ones too
    }

    [Fact]
    public async Task A_manual_run_of_a_day_sends_that_day_to_a_weekly_subscriber_and_the_weekly_digest_still_covers_the_rest_without_repeating_it()
    {
        ServeDays("2026-03-15", "2026-03-29");
        await AddAsync("ada@example.org", "2026-03-17", "--frequency", "weekly", "--weekday", "monday");
        await WakeUpDailyAsync("2026-03-17", "2026-03-23");

        var manual = await _services.App.RunAsync("digest", "run", "--date", "2026-03-26");
        Assert.True(manual.ExitCode == 0, manual.ToString());
        await WakeUpDailyAsync("2026-03-24", "2026-03-31");

        // the 26th by hand, then Monday's digest over the whole week since the last weekly one, none of the 26th's papers again
        Assert.Equal("2026-03-16..2026-03-22,2026-03-26,2026-03-23..2026-03-29", Digests("ada@example.org"));
        Assert.Equal(0L, PapersSentTwice());

        // a copy of a digest covering several days covers them too
        var resent = await _services.App.RunAsync("digest", "resend", "--date", "2026-03-29", "--email", "ada@example.org");
        Assert.True(resent.ExitCode == 0, resent.ToString());
        Assert.Equal("2026-03-23", _services.App.Query("SELECT first_day FROM deliveries WHERE digest_date = '2026-03-29' AND sequence = 1"));
    }

    [Fact]
    public async Task A_wake_up_after_a_crash_left_a_mark_behind_counts_the_digest_already_planned_and_plans_nobody_twice()
    {
        ServeDays("2026-03-15", "2026-03-24");
        await AddAsync("ada@example.org", "2026-03-17");
        await AddAsync("bob@example.org", "2026-03-17");
        await WakeUpAsync("2026-03-18T09:00:00Z");
        // a crash after the digests were recorded, before Ada's mark moved: hers is owed again, Bob's is not
        _services.App.Query("UPDATE subscribers SET last_planned_day = NULL WHERE email = 'ada@example.org'");

        var again = await WakeUpAsync("2026-03-18T09:30:00Z");

        Assert.Equal(0, again.Sum(r => r.Planned.Count));
        Assert.Equal("2026-03-17", _services.App.Query("SELECT last_planned_day FROM subscribers WHERE email = 'ada@example.org'"));
        await WakeUpAsync("2026-03-19T09:00:00Z");
        Assert.Equal("2026-03-16..2026-03-17,2026-03-18", Digests("ada@example.org"));
        Assert.Equal("2026-03-16..2026-03-17,2026-03-18", Digests("bob@example.org"));
        Assert.Equal(0L, PapersSentTwice());
    }

    [Fact]
    public async Task A_weekly_digest_catches_up_two_weeks_at_most()
    {
        ServeDays("2026-03-01", "2026-03-29");
        await AddAsync("ada@example.org", "2026-02-01", "--frequency", "weekly", "--weekday", "monday");

        await WakeUpAsync("2026-03-30T09:00:00Z");

        // never planned, subscribed long ago: the 14 listing days up to Sunday the 29th, in one digest
        Assert.Equal("2026-03-16..2026-03-29", Digests("ada@example.org"));
        Assert.Equal(14, _source.Requests.Count);
    }

    [Fact]
    public async Task Subscribers_of_every_frequency_due_the_same_morning_each_get_their_own_days_once()
    {
        ServeDays("2026-03-15", "2026-03-24");
        await AddAsync("daily@example.org", "2026-03-17");
        await AddAsync("weekdays@example.org", "2026-03-17", "--frequency", "weekdays");
        await AddAsync("weekly@example.org", "2026-03-17", "--frequency", "weekly", "--weekday", "tuesday");

        await WakeUpDailyAsync("2026-03-17", "2026-03-24");

        Assert.Equal("2026-03-16,2026-03-17,2026-03-18,2026-03-19,2026-03-20,2026-03-21,2026-03-22,2026-03-23", Digests("daily@example.org"));
        Assert.Equal("2026-03-16,2026-03-17,2026-03-18,2026-03-19,2026-03-20..2026-03-22,2026-03-23", Digests("weekdays@example.org"));
        Assert.Equal("2026-03-16,2026-03-17..2026-03-23", Digests("weekly@example.org"));
        Assert.Equal(0L, PapersSentTwice());
        // a second wake-up the same hour adds nothing
        Assert.Empty(await WakeUpAsync("2026-03-24T09:30:00Z"));
    }
}

public sealed class FrequencyOnSqlite() : FrequencyTests(Backend.Sqlite);

public sealed class FrequencyOnPostgres() : FrequencyTests(Backend.Postgres);

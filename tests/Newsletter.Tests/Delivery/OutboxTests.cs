using Newsletter.Matching;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Subscribers;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

public abstract class OutboxTests(Backend backend) : IAsyncLifetime
{
    private static readonly DateOnly Day1 = new(2026, 3, 11);
    private static readonly DateOnly Day2 = new(2026, 3, 12);
    private TestServices _services = null!;
    private IReadOnlyList<Paper> _papers = null!;

    public async Task InitializeAsync()
    {
        _services = await TestServices.StartAsync(backend);
        await _services.App.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"));
        _papers = await _services.Get<PaperStore>().PapersOnAsync(Day1, CancellationToken.None);
        await AddSubscriberAsync("s1", "one@example.org", SubscriberStatus.Active);
        await AddSubscriberAsync("s2", "two@example.org", SubscriberStatus.Active);
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private Outbox Outbox => _services.Get<Outbox>();

    private DigestPlans Plans => _services.Get<DigestPlans>();

    /// <summary>The day's digests still owed, as a sender reads them.</summary>
    private async Task<IReadOnlyList<OwedDigest>> OwedAsync(DateOnly date) =>
        await Outbox.OwedByIdAsync([.. (await Outbox.ListAsync(date, null, CancellationToken.None)).Select(r => r.Id)], CancellationToken.None);

    private async Task AddSubscriberAsync(string id, string email, string status)
    {
        await using var connection = await _services.Get<Database>().OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await _services.Get<SubscriberStore>().InsertAsync(connection, transaction, new Subscriber
        {
            Id = id, Email = email, Status = status, Secret = "secret-" + id, CreatedAt = "2026-03-01T00:00:00Z",
        });
        await transaction.CommitAsync();
    }

    private PlannedDigest Plan(string subscriber, DateOnly date, params int[] paperIndexes) => new(
        subscriber, date, 0, $"digest.{subscriber}@example.org",
        [.. paperIndexes.Select((i, rank) => new SelectedPaper(_papers[i], 10 - rank, ["kw " + i], [new TextSpan(0, 4)], [new TextSpan(5, 3), new TextSpan(20, 2)]))],
        "2026-03-11T08:00:00Z");

    [Fact]
    public async Task Planning_the_same_digest_twice_records_it_once()
    {
        var first = await Plans.AddAsync([Plan("s1", Day1, 0, 1), Plan("s2", Day1, 2)], CancellationToken.None);
        var again = await Plans.AddAsync([Plan("s1", Day1, 3), Plan("s2", Day1, 2)], CancellationToken.None);

        Assert.Equal(2, first);
        Assert.Equal(0, again);
        var owed = await OwedAsync(Day1);
        Assert.Equal(2, owed.Count);
        Assert.Equal([_papers[0].Id, _papers[1].Id], owed.Single(o => o.Recipient.SubscriberId == "s1").Papers.Select(p => p.Paper.Id));
    }

    [Fact]
    public async Task Owed_digests_come_back_with_their_papers_matches_and_spans_in_order()
    {
        await Plans.AddAsync([Plan("s1", Day1, 4, 2, 7)], CancellationToken.None);

        var owed = Assert.Single(await OwedAsync(Day1));

        Assert.Equal("one@example.org", owed.Recipient.Email);
        Assert.Equal("secret-s1", owed.Recipient.Secret);
        Assert.Equal(SubscriberStatus.Active, owed.SubscriberStatus);
        Assert.Equal([_papers[4].Id, _papers[2].Id, _papers[7].Id], owed.Papers.Select(p => p.Paper.Id));
        Assert.Equal(_papers[4].Summary, owed.Papers[0].Paper.Summary);
        Assert.Equal(["kw 4"], owed.Papers[0].Matched);
        Assert.Equal([new TextSpan(5, 3), new TextSpan(20, 2)], owed.Papers[0].SummarySpans);
        Assert.Equal(10, owed.Papers[0].Score);
    }

    [Fact]
    public async Task A_sent_digest_is_no_longer_owed_and_a_second_mark_changes_nothing()
    {
        await Plans.AddAsync([Plan("s1", Day1, 0), Plan("s2", Day1, 1)], CancellationToken.None);
        var s1 = DigestPlans.DeliveryId("s1", Day1, 0);

        await Outbox.MarkSentAsync([(s1, new SendOutcome(SendStatus.Sent, "250 OK", 1, TimeSpan.Zero))], CancellationToken.None);
        await Outbox.MarkFailedAsync(s1, "late failure report", 1, CancellationToken.None);

        var owed = Assert.Single(await OwedAsync(Day1));
        Assert.Equal("s2", owed.Recipient.SubscriberId);
        var record = (await Outbox.ListAsync(Day1, "s1", CancellationToken.None)).Single();
        Assert.Equal("sent", record.Status);
        Assert.Equal("250 OK", record.ServerReply);
        Assert.NotNull(record.SentAt);
    }

    [Fact]
    public async Task Marks_written_together_keep_each_reply_and_attempt_count_and_leave_closed_rows_alone()
    {
        await AddSubscriberAsync("s3", "three@example.org", SubscriberStatus.Active);
        await Plans.AddAsync([Plan("s1", Day1, 0), Plan("s2", Day1, 1), Plan("s3", Day1, 2)], CancellationToken.None);
        await Outbox.MarkFailedAsync(DigestPlans.DeliveryId("s3", Day1, 0), "550 no such user", 1, CancellationToken.None);

        await Outbox.MarkSentAsync(
        [
            (DigestPlans.DeliveryId("s1", Day1, 0), new SendOutcome(SendStatus.Sent, "250 2.0.0 queued as A1", 1, TimeSpan.Zero)),
            (DigestPlans.DeliveryId("s2", Day1, 0), new SendOutcome(SendStatus.Sent, "250 2.0.0 queued as B2", 3, TimeSpan.Zero)),
            (DigestPlans.DeliveryId("s3", Day1, 0), new SendOutcome(SendStatus.Sent, "250 too late", 1, TimeSpan.Zero)),
        ], CancellationToken.None);

        var records = (await Outbox.ListAsync(Day1, null, CancellationToken.None)).ToDictionary(r => r.SubscriberId);
        Assert.Equal(("sent", "250 2.0.0 queued as A1", 1L), (records["s1"].Status, records["s1"].ServerReply, records["s1"].Attempts));
        Assert.Equal(("sent", "250 2.0.0 queued as B2", 3L), (records["s2"].Status, records["s2"].ServerReply, records["s2"].Attempts));
        Assert.Equal(("failed", "550 no such user"), (records["s3"].Status, records["s3"].ServerReply));
        Assert.NotNull(records["s2"].SentAt);
        Assert.Empty(await OwedAsync(Day1));
    }

    [Fact]
    public async Task Marks_arriving_while_one_is_written_are_written_together_and_each_caller_waits_for_its_own()
    {
        var subscribers = Enumerable.Range(0, 40).Select(i => $"g{i:D2}").ToList();
        foreach (var id in subscribers)
        {
            await AddSubscriberAsync(id, id + "@example.org", SubscriberStatus.Active);
        }
        await Plans.AddAsync([.. subscribers.Select(id => Plan(id, Day1, 0))], CancellationToken.None);
        var marks = new SentMarks(Outbox);

        await Task.WhenAll(subscribers.Select(id => Task.Run(() =>
            marks.MarkAsync(DigestPlans.DeliveryId(id, Day1, 0), new SendOutcome(SendStatus.Sent, "250 ok " + id, 1, TimeSpan.Zero)))));

        // every caller's task completed only after its row was written
        var records = await Outbox.ListAsync(Day1, null, CancellationToken.None);
        Assert.All(records.Where(r => r.SubscriberId.StartsWith('g')), r => Assert.Equal(("sent", "250 ok " + r.SubscriberId), (r.Status, r.ServerReply)));
        Assert.Equal(40, records.Count(r => r.SubscriberId.StartsWith('g')));
    }

    [Fact]
    public async Task Originals_of_many_subscribers_are_read_at_once_with_their_status_and_papers_and_none_for_those_without()
    {
        await AddSubscriberAsync("s3", "three@example.org", SubscriberStatus.Active);
        await Plans.AddAsync([Plan("s1", Day1, 0, 1), Plan("s2", Day1, 2)], CancellationToken.None);
        await Outbox.MarkSentAsync([(DigestPlans.DeliveryId("s1", Day1, 0), new SendOutcome(SendStatus.Sent, "250 OK", 1, TimeSpan.Zero))], CancellationToken.None);
        await Outbox.MarkFailedAsync(DigestPlans.DeliveryId("s2", Day1, 0), "550 no such user", 1, CancellationToken.None);

        var statuses = await Outbox.OriginalStatusesAsync(["s1", "s2", "s3"], Day1, CancellationToken.None);
        var originals = await Outbox.OriginalsAsync(["s1", "s2", "s3"], Day1, CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { ["s1"] = "sent", ["s2"] = "failed" }, statuses);
        Assert.Equal(["s1", "s2"], originals.Keys.Order());
        Assert.Equal([_papers[0].Id, _papers[1].Id], originals["s1"].Papers.Select(p => p.Paper.Id));
        Assert.Equal("failed", originals["s2"].Status);
        Assert.Empty(await Outbox.OriginalStatusesAsync(["s1"], Day2, CancellationToken.None));
    }

    [Fact]
    public async Task Papers_in_earlier_digests_count_as_received_unless_that_digest_failed()
    {
        await Plans.AddAsync([Plan("s1", Day1, 0, 1), Plan("s2", Day1, 1)], CancellationToken.None);
        await Outbox.MarkFailedAsync(DigestPlans.DeliveryId("s2", Day1, 0), "550 no such user", 1, CancellationToken.None);
        var ids = _papers.Select(p => p.Id).ToList();

        var laterDay = await Plans.AlreadyReceivedAsync(await Plans.EarlierListingsAsync(Day2, ids, CancellationToken.None), ["s1", "s2"], CancellationToken.None);
        var sameDay = await Plans.AlreadyReceivedAsync(await Plans.EarlierListingsAsync(Day1, ids, CancellationToken.None), ["s1", "s2"], CancellationToken.None);

        Assert.Equal([_papers[0].Id, _papers[1].Id], laterDay["s1"].Order());
        Assert.False(laterDay.ContainsKey("s2"));
        Assert.Empty(sameDay);
    }

    [Fact]
    public async Task A_paper_listed_again_weeks_later_counts_as_received_from_a_one_day_digest_and_from_one_covering_several_days()
    {
        await AddSubscriberAsync("s3", "three@example.org", SubscriberStatus.Active);
        var weeksLater = Day1.AddDays(40);
        await Plans.AddAsync(
        [
            Plan("s1", Day1, 0),
            Plan("s2", Day1.AddDays(3), 1) with { FirstDay = Day1.AddDays(-2) }, // a weekly digest of the days around the listing
            Plan("s3", Day1, 2, 3),
        ], CancellationToken.None);
        _services.App.Query($"INSERT INTO paper_days (day, paper_id, position, upvotes) VALUES ('{weeksLater:yyyy-MM-dd}', '{_papers[0].Id}', 1, 1), ('{weeksLater:yyyy-MM-dd}', '{_papers[1].Id}', 2, 1)");

        var earlier = await Plans.EarlierListingsAsync(weeksLater, [_papers[0].Id, _papers[1].Id], CancellationToken.None);
        var received = await Plans.AlreadyReceivedAsync(earlier, ["s1", "s2", "s3"], CancellationToken.None);

        Assert.Equal([_papers[0].Id], received["s1"]);
        Assert.Equal([_papers[1].Id], received["s2"]);
        Assert.False(received.ContainsKey("s3")); // had other papers of that day, not these
        var nothingBefore = await Plans.EarlierListingsAsync(Day1, [_papers[0].Id], CancellationToken.None);
        Assert.Same(EarlierListings.None, nothingBefore);
        Assert.Empty(await Plans.AlreadyReceivedAsync(nothingBefore, ["s1", "s2", "s3"], CancellationToken.None));
    }

    [Fact]
    public async Task A_large_plan_is_recorded_whole_with_awkward_text_intact_and_a_second_time_not_at_all()
    {
        // enough rows for PostgreSQL's COPY path; keywords holding what a text format would have to escape
        const int count = PostgresDialect.CopyFrom + 50;
        await AddBulkSubscribersAsync(count);
        string[] awkward = ["tab\there", "line\nbreak", "back\\slash \\N", "\"quoted\" ünïcödé ∑", "carriage\rreturn"];
        var digests = Enumerable.Range(0, count).Select(i => new PlannedDigest(
            $"bulk{i:D4}", Day1, 0, $"digest.bulk{i}@example.org",
            [new SelectedPaper(_papers[i % _papers.Count], 3.25 + i, [awkward[i % awkward.Length]], [], [new TextSpan(i, 2)]),
             new SelectedPaper(_papers[(i + 1) % _papers.Count], 0.1, ["plain"], [new TextSpan(0, 1)], [])],
            "2026-03-11T08:00:00Z")).ToList();

        var added = await Plans.AddAsync(digests, CancellationToken.None);
        var again = await Plans.AddAsync(digests, CancellationToken.None);

        Assert.Equal(count, added);
        Assert.Equal(0, again);
        // on PostgreSQL the second batch is first copied in whole and fails on the first key: nothing of it may stay
        Assert.Equal((long)count, Convert.ToInt64(_services.App.Query("SELECT count(*) FROM deliveries"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((long)count, Convert.ToInt64(_services.App.Query("SELECT count(*) FROM digest_papers"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2 * count, _services.App.DigestPapers().Count);
        var owed = (await OwedAsync(Day1)).ToDictionary(o => o.Recipient.SubscriberId);
        Assert.Equal(count, owed.Count);
        foreach (var digest in digests)
        {
            var stored = owed[digest.SubscriberId];
            Assert.Equal(digest.Papers.Select(p => p.Paper.Id), stored.Papers.Select(p => p.Paper.Id));
            Assert.Equal(digest.Papers[0].Matched, stored.Papers[0].Matched);
            Assert.Equal(digest.Papers[0].Score, stored.Papers[0].Score);
            Assert.Equal(digest.Papers[0].SummarySpans, stored.Papers[0].SummarySpans);
            Assert.Equal([new TextSpan(0, 1)], stored.Papers[1].TitleSpans);
        }
    }

    [Fact]
    public async Task A_large_plan_overlapping_recorded_digests_adds_the_new_ones_with_their_papers_and_leaves_the_others_as_they_were()
    {
        // large enough that PostgreSQL writes the new digests' papers by COPY straight into the table
        const int recorded = 150, count = 2 * PostgresDialect.CopyFrom;
        await AddBulkSubscribersAsync(count);
        PlannedDigest Bulk(int i, params int[] papers) => Plan($"bulk{i:D4}", Day1, papers);

        var first = await Plans.AddAsync([.. Enumerable.Range(0, recorded).Select(i => Bulk(i, 0))], CancellationToken.None);
        var second = await Plans.AddAsync([.. Enumerable.Range(0, count).Select(i => Bulk(i, 1, 2, 3))], CancellationToken.None);

        Assert.Equal(recorded, first);
        Assert.Equal(count - recorded, second);
        var owed = (await OwedAsync(Day1)).ToDictionary(o => o.Recipient.SubscriberId);
        Assert.Equal(count, owed.Count);
        for (var i = 0; i < count; i++)
        {
            var expected = i < recorded ? new[] { _papers[0].Id } : [_papers[1].Id, _papers[2].Id, _papers[3].Id];
            Assert.Equal(expected, owed[$"bulk{i:D4}"].Papers.Select(p => p.Paper.Id));
        }
    }

    private async Task AddBulkSubscribersAsync(int count)
    {
        await using var connection = await _services.Get<Database>().OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        for (var i = 0; i < count; i++)
        {
            await _services.Get<SubscriberStore>().InsertAsync(connection, transaction, new Subscriber
            {
                Id = $"bulk{i:D4}", Email = $"bulk{i:D4}@example.org", Status = SubscriberStatus.Active, Secret = "s", CreatedAt = "2026-03-01T00:00:00Z",
            });
        }
        await transaction.CommitAsync();
    }
}

public sealed class OutboxTestsOnSqlite() : OutboxTests(Backend.Sqlite);

public sealed class OutboxTestsOnPostgres() : OutboxTests(Backend.Postgres);

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Globalization;
using MimeKit;
using Newsletter.Common;
using Newsletter.Matching;
using Newsletter.Papers;
using Newsletter.Subscribers;

namespace Newsletter.Digests;

/// <summary>
/// Decides who gets which papers for a day: every due active subscriber's profile against the day's index, minus
/// papers they already received, capped; then records those digests as owed in the plans. Subscribers whose
/// digest for the day is already owed or sent are left alone, so planning twice plans nothing new.
/// </summary>
public sealed partial class DigestPlanner(
    SubscriberStore subscribers,
    ProfileStore profiles,
    DigestPlans plans,
    TimeProvider clock,
    MailboxAddress from,
    ILogger<DigestPlanner> logger)
{
    private const int RecordBatch = 1_000;

    /// <summary>
    /// Subscribers planned at a time: their profiles loaded, matched, their digests recorded, then let go. Memory
    /// stays the same for a thousand subscribers or a million; a page is large enough that matching it keeps both
    /// cores busy and its digests fill whole batches. Two pages are alive at once (one matched, one recorded), ~3 KB
    /// a planned digest: pages of 8,192 made the match phase the run's memory peak (289-344 MB at 100,000 on SQLite,
    /// against 268-270 MB with 4,096, whose match phase took as long within the machine's noise).
    /// </summary>
    public const int DefaultPageSize = 4_096;

    /// <summary>Subscribers per page (<see cref="DefaultPageSize"/>; tests make pages small to have several).</summary>
    public int PageSize { get; set; } = DefaultPageSize;

    /// <summary>How many listing days the schedule catches up at most (Scheduling plans them; it is later in the flow than this folder).</summary>
    public const int CatchUpDays = 7;

    /// <param name="only">Just these subscribers (a schedule slot); null: every active one.</param>
    /// <param name="record">False for a dry run: decide, but write nothing.</param>
    /// <param name="keep">Return the digests themselves, not only their counts (a day of a million would not fit in memory).</param>
    public async Task<DayPlan> PlanAsync(DateOnly date, IReadOnlyList<Paper> papers, IReadOnlySet<string>? only, bool record, CancellationToken cancellationToken,
        Common.ProgressPhase? progress = null, bool keep = false)
    {
        progress?.SetTotal(only?.Count ?? await subscribers.CountReceivingAsync(date, cancellationToken));
        return await PlanAsync(date, null, papers, ReceivingPagesAsync(date, only, record, cancellationToken), keep, record,
            // the day is done for everyone asked about (the mark moves on over days without a gap)
            () => subscribers.MarkPlannedAsync(date, only, CatchUpDays, cancellationToken), cancellationToken, progress);
    }

    /// <summary>
    /// The subscribers who receive digests and have none for the day yet, a page at a time in the database's order.
    /// Several nodes running the same day share the pages out: each takes a page before planning it, and a page
    /// another node took is left to it. A last pass then plans whoever is still unplanned on the pages this node did
    /// not do (a node that stopped midway, or is still at its last page: at worst a page matched twice, recorded once).
    /// </summary>
    private async IAsyncEnumerable<IReadOnlyList<ReceivingSubscriber>> ReceivingPagesAsync(DateOnly date, IReadOnlySet<string>? only, bool record,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var taker = Guid.NewGuid().ToString("N");
        var mine = new HashSet<string>(StringComparer.Ordinal);
        if (record)
        {
            await plans.ForgetPagesBeforeAsync(date, cancellationToken);
        }
        await foreach (var page in PagesAsync(date, cancellationToken))
        {
            var due = Due(page);
            if (due.Count == 0
                || (record && !await plans.TakePageAsync(date, page[0].Id, taker, StoredTime.Now(clock), cancellationToken)))
            {
                continue;
            }
            mine.Add(page[0].Id);
            yield return due;
        }
        if (!record)
        {
            yield break;
        }
        await foreach (var page in PagesAsync(date, cancellationToken))
        {
            if (!mine.Contains(page[0].Id) && Due(page) is { Count: > 0 } due)
            {
                yield return due;
            }
        }

        List<ReceivingSubscriber> Due(IReadOnlyList<ReceivingSubscriber> page) => [.. page.Where(s => !s.Planned && (only is null || only.Contains(s.Id)))];
    }

    private IAsyncEnumerable<IReadOnlyList<ReceivingSubscriber>> PagesAsync(DateOnly date, CancellationToken cancellationToken) =>
        ByIdPagesAsync(after => subscribers.ReceivingPageAsync(after, PageSize, date, cancellationToken), s => s.Id);

    /// <summary>Rows read a page at a time in the order of their ids, each page after the last id of the one before.</summary>
    private static async IAsyncEnumerable<IReadOnlyList<T>> ByIdPagesAsync<T>(Func<string?, Task<IReadOnlyList<T>>> read, Func<T, string> id)
    {
        string? after = null;
        while (true)
        {
            var page = await read(after);
            if (page.Count == 0)
            {
                yield break;
            }
            after = id(page[^1]);
            yield return page;
        }
    }

    /// <summary>
    /// One digest per subscriber covering the listing days <paramref name="first"/> to <paramref name="date"/>:
    /// <paramref name="papers"/> are those days' papers (each once), ranked together, the cap applied once. It is
    /// dated <paramref name="date"/>, its newest day. Subscribers are read a page at a time in the order of their ids
    /// and <paramref name="due"/> picks the page's due ones; once a page's digests are recorded its subscribers'
    /// mark moves to <paramref name="date"/> (a crash plans the pages after it again, and the outbox's key adds
    /// nothing twice).
    /// </summary>
    /// <param name="due">Whether a subscriber, as read now, is due this digest (a schedule slot): their last digest is the day before <paramref name="first"/>, or none.</param>
    /// <param name="expected">How many were found due (for the progress; the pages decide who is planned).</param>
    public async Task<DayPlan> PlanCoveringAsync(DateOnly first, DateOnly date, IReadOnlyList<Paper> papers, Func<ScheduledSubscriber, bool> due, int expected,
        bool record, CancellationToken cancellationToken, Common.ProgressPhase? progress = null, bool keep = false)
    {
        progress?.SetTotal(expected);
        var pages = CoveringPagesAsync(first, date, due, record, cancellationToken);
        Task MarkCovered(IReadOnlyList<ReceivingSubscriber> page) => subscribers.MarkCoveredAsync(date, [.. page.Select(s => s.Id)], cancellationToken);
        if (papers.Count == 0)
        {
            // nothing listed: the days are done all the same
            await foreach (var page in pages.WithCancellation(cancellationToken))
            {
                if (record)
                {
                    await MarkCovered(page);
                }
            }
            return DayPlan.Nothing;
        }
        return await PlanAsync(date, first, papers, pages, keep, record, () => Task.CompletedTask, cancellationToken, progress, pageRecorded: MarkCovered);
    }

    /// <summary>The subscribers due a digest covering <paramref name="first"/> to <paramref name="date"/> who have none for the day yet, a page at a time.</summary>
    private async IAsyncEnumerable<IReadOnlyList<ReceivingSubscriber>> CoveringPagesAsync(DateOnly first, DateOnly date, Func<ScheduledSubscriber, bool> due, bool record,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var firstDay = StoredTime.Day(first);
        await foreach (var page in ByIdPagesAsync(after => subscribers.SchedulePageAsync(after, PageSize, date, cancellationToken), s => s.Id))
        {
            var planning = new List<ReceivingSubscriber>();
            var done = new List<string>();
            foreach (var subscriber in page.Where(due))
            {
                if (subscriber.CoveredFrom is not { } coveredFrom)
                {
                    planning.Add(new ReceivingSubscriber { Id = subscriber.Id, Delivery = subscriber.Delivery == DeliveryMode.Feed ? DeliveryMode.Feed : DeliveryMode.Email });
                }
                else if (string.CompareOrdinal(coveredFrom, firstDay) <= 0)
                {
                    // a digest for the day that already covers these days (planned before a crash, before the mark moved)
                    // counts as planned; one that covers less (a manual run of the day alone) does not move the mark, so
                    // the next digest covers the days it left out (its papers are not sent again: the already-received rule)
                    done.Add(subscriber.Id);
                }
            }
            if (record)
            {
                await subscribers.MarkCoveredAsync(date, done, cancellationToken);
            }
            if (planning.Count > 0)
            {
                yield return planning;
            }
        }
    }

    /// <param name="pages">The subscribers due, a page at a time; those marked feed-only get digests recorded for their feed, never mailed.</param>
    /// <param name="pageRecorded">What follows a page once its digests are recorded (the covering plan moves the page's marks).</param>
    private async Task<DayPlan> PlanAsync(DateOnly date, DateOnly? first, IReadOnlyList<Paper> papers, IAsyncEnumerable<IReadOnlyList<ReceivingSubscriber>> pages,
        bool keep, bool record, Func<Task> markPlanned, CancellationToken cancellationToken, Common.ProgressPhase? progress,
        Func<IReadOnlyList<ReceivingSubscriber>, Task>? pageRecorded = null)
    {
        if (papers.Count == 0)
        {
            if (record)
            {
                await markPlanned(); // nothing listed: the day is done all the same
            }
            return DayPlan.Nothing;
        }
        var firstDay = first < date ? first : null;
        var earlier = await plans.EarlierListingsAsync(date, [.. papers.Select(p => p.Id)], cancellationToken);
        var matcher = new ProfileMatcher(PaperIndex.Build(papers));
        var createdAt = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var (count, mailed, matches) = (0, 0, 0);
        var kept = new List<PlannedDigest>();
        var recording = Task.CompletedTask;
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            var ordered = await MatchAsync(page);
            // one page is recorded while the next is matched: the writer and the matcher use different cores
            await recording;
            if (record)
            {
                recording = Task.Run(async () =>
                {
                    await RecordAsync(ordered, cancellationToken);
                    if (pageRecorded is not null)
                    {
                        await pageRecorded(page);
                    }
                }, cancellationToken);
            }
            count += ordered.Count;
            mailed += ordered.Count(p => !p.FeedOnly);
            matches += ordered.Sum(p => p.Papers.Count);
            if (keep)
            {
                kept.AddRange(ordered);
            }
            progress?.Advance(page.Count);
        }
        await recording;
        if (record)
        {
            if (count >= DigestPlans.ManyDigests)
            {
                await plans.RefreshStatisticsAsync(cancellationToken);
            }
            // after the digests are owed: a crash in between plans the day again, and the outbox's key adds nothing twice
            await markPlanned();
        }
        return new DayPlan(count, mailed, matches, kept);

        async Task<List<PlannedDigest>> MatchAsync(IReadOnlyList<ReceivingSubscriber> page)
        {
            List<string> ids = [.. page.Select(s => s.Id)];
            var (compiled, broken) = await profiles.LoadAsync(ids, cancellationToken);
            var received = await plans.AlreadyReceivedAsync(earlier, ids, cancellationToken);
            foreach (var (subscriberId, problem) in broken)
            {
                LogBrokenProfile(subscriberId, problem);
            }
            var feedOnly = page.Where(s => s.FeedOnly).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
            var planned = new ConcurrentBag<PlannedDigest>();
            Parallel.ForEach(compiled, new ParallelOptions { CancellationToken = cancellationToken }, profile =>
            {
                var selection = matcher.Select(profile, received.GetValueOrDefault(profile.Id));
                if (selection.Count == 0)
                {
                    return; // nothing matched: no email at all
                }
                var chosen = selection.Select(match =>
                {
                    var why = matcher.Explain(profile, match);
                    return new SelectedPaper(papers[match.Paper], match.Score, why.Keywords, why.TitleSpans, why.SummarySpans);
                }).ToList();
                planned.Add(new PlannedDigest(profile.Id, date, 0, DigestComposer.MessageId(profile.Id, date, 0, from.Domain), chosen, createdAt)
                {
                    FirstDay = firstDay,
                    FeedOnly = feedOnly.Contains(profile.Id),
                });
            });
            return planned.OrderBy(p => p.SubscriberId, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>
    /// Each batch is its own transaction; PostgreSQL writes several at once (a server process each). SQLite has one
    /// writer, so the page goes in one transaction: a commit writes out every page of the file it changed, and each
    /// batch's commit wrote the same index pages again (the commits of a plan of 100,000 took 1.0 s this way, against
    /// 2.1 s in batches of 1,000; single runs).
    /// </summary>
    private Task RecordAsync(List<PlannedDigest> digests, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(digests.Chunk(plans.ConcurrentWriters == 1 ? Math.Max(1, digests.Count) : RecordBatch),
            new ParallelOptions { MaxDegreeOfParallelism = plans.ConcurrentWriters, CancellationToken = cancellationToken },
            async (batch, token) => await plans.AddAsync(batch, token));

    /// <summary>What one subscriber's digest for the day would hold, whatever their status and whether or not it was sent; writes nothing.</summary>
    public async Task<IReadOnlyList<SelectedPaper>> PreviewAsync(string subscriberId, DateOnly date, IReadOnlyList<Paper> papers, CancellationToken cancellationToken)
    {
        var (compiled, broken) = await profiles.LoadAsync([subscriberId], cancellationToken);
        if (broken.Count > 0)
        {
            throw new ProfileValidationException(broken[0].Problem, "keyword", 0, null, "", broken[0].Problem);
        }
        if (compiled.Count == 0 || papers.Count == 0)
        {
            return [];
        }
        var earlier = await plans.EarlierListingsAsync(date, [.. papers.Select(p => p.Id)], cancellationToken);
        var received = await plans.AlreadyReceivedAsync(earlier, [subscriberId], cancellationToken);
        var matcher = new ProfileMatcher(PaperIndex.Build(papers));
        var profile = compiled[0];
        return [.. matcher.Select(profile, received.GetValueOrDefault(subscriberId)).Select(match =>
        {
            var why = matcher.Explain(profile, match);
            return new SelectedPaper(papers[match.Paper], match.Score, why.Keywords, why.TitleSpans, why.SummarySpans);
        })];
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Subscriber {SubscriberId} gets no digest: their stored profile no longer compiles ({Problem})")]
    private partial void LogBrokenProfile(string subscriberId, string problem);
}

/// <summary>
/// What planning decided: how many digests (of them mailed, the rest feed-only) with how many papers in all; the
/// digests themselves only when asked for.
/// </summary>
public sealed record DayPlan(int Count, int Mailed, int Matches, IReadOnlyList<PlannedDigest> Digests)
{
    public static readonly DayPlan Nothing = new(0, 0, 0, []);

    public DayPlan Plus(DayPlan other) => new(Count + other.Count, Mailed + other.Mailed, Matches + other.Matches, [.. Digests, .. other.Digests]);
}

using System.Collections.Concurrent;
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

    /// <summary>How many listing days the schedule catches up at most (Scheduling plans them; it is later in the flow than this folder).</summary>
    public const int CatchUpDays = 7;
    private const int ProgressStep = 256;

    /// <param name="only">Just these subscribers (a schedule slot); null: every active one.</param>
    /// <param name="record">False for a dry run: decide, but write nothing.</param>
    public async Task<IReadOnlyList<PlannedDigest>> PlanAsync(DateOnly date, IReadOnlyList<Paper> papers, IReadOnlySet<string>? only, bool record, CancellationToken cancellationToken, Common.ProgressPhase? progress = null)
    {
        var alreadyPlanned = await plans.PlannedSubscribersAsync(date, cancellationToken);
        var receiving = (await subscribers.ListReceivingAsync(cancellationToken))
            .Where(s => (only is null || only.Contains(s.Id)) && !alreadyPlanned.Contains(s.Id))
            .ToList();
        var due = receiving.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        return await PlanAsync(date, null, papers, due, FeedOnly(receiving), record,
            // the day is done for everyone asked about (the mark moves on over days without a gap)
            () => subscribers.MarkPlannedAsync(date, only, CatchUpDays, cancellationToken), cancellationToken, progress);
    }

    /// <summary>
    /// One digest per subscriber covering the listing days <paramref name="first"/> to <paramref name="date"/>:
    /// <paramref name="papers"/> are those days' papers (each once), ranked together, the cap applied once. It is
    /// dated <paramref name="date"/>, its newest day. Afterwards the subscribers' mark moves to <paramref name="date"/>.
    /// </summary>
    /// <param name="only">The subscribers due this digest (a schedule slot): every one's last digest is the day before <paramref name="first"/>, or none.</param>
    public async Task<IReadOnlyList<PlannedDigest>> PlanCoveringAsync(DateOnly first, DateOnly date, IReadOnlyList<Paper> papers, IReadOnlySet<string> only, bool record,
        CancellationToken cancellationToken, Common.ProgressPhase? progress = null)
    {
        var coveredFrom = await plans.CoveredFromAsync(date, cancellationToken);
        var receiving = (await subscribers.ListReceivingAsync(cancellationToken)).Where(s => only.Contains(s.Id)).ToList();
        // another node (or an earlier wake-up) planned some of these days meanwhile: left for the next wake-up, which sees the new mark
        var fresh = receiving.Where(s => s.LastPlannedDay is null || string.CompareOrdinal(s.LastPlannedDay, StoredTime.Day(first)) < 0).ToList();
        var due = fresh.Where(s => !coveredFrom.ContainsKey(s.Id)).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        // a digest for the day that already covers these days (planned before a crash, before the mark moved) counts
        // as planned; one that covers less (a manual run of the day alone) does not move the mark, so the next
        // digest covers the days it left out (its papers are not sent again: the already-received rule)
        var done = fresh.Where(s => coveredFrom.TryGetValue(s.Id, out var from) && from <= first).Select(s => s.Id);
        return await PlanAsync(date, first, papers, due, FeedOnly(fresh), record,
            () => subscribers.MarkCoveredAsync(date, [.. due, .. done], cancellationToken), cancellationToken, progress);
    }

    /// <summary>Subscribers matched like everyone, their digests recorded for their feed and archive, never mailed.</summary>
    private static HashSet<string> FeedOnly(IEnumerable<Subscriber> subscribers) =>
        subscribers.Where(s => s.Delivery == DeliveryMode.Feed).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);

    /// <param name="feedOnly">Of <paramref name="due"/>, those who read their digests in their feed only.</param>
    private async Task<IReadOnlyList<PlannedDigest>> PlanAsync(DateOnly date, DateOnly? first, IReadOnlyList<Paper> papers, HashSet<string> due, HashSet<string> feedOnly,
        bool record, Func<Task> markPlanned, CancellationToken cancellationToken, Common.ProgressPhase? progress)
    {
        if (due.Count == 0 || papers.Count == 0)
        {
            if (record)
            {
                // nothing listed, or all of them planned before
                await markPlanned();
            }
            return [];
        }
        var firstDay = first < date ? first : null;
        var (compiled, broken) = await profiles.LoadAsync(due, cancellationToken);
        foreach (var (subscriberId, problem) in broken)
        {
            LogBrokenProfile(subscriberId, problem);
        }
        var received = await plans.AlreadyReceivedAsync(date, [.. papers.Select(p => p.Id)], cancellationToken);
        var matcher = new ProfileMatcher(PaperIndex.Build(papers));
        var createdAt = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var planned = new ConcurrentBag<PlannedDigest>();
        progress?.SetTotal(compiled.Count);
        var sinceReport = 0;
        Parallel.ForEach(compiled, new ParallelOptions { CancellationToken = cancellationToken }, profile =>
        {
            if (progress is not null && Interlocked.Increment(ref sinceReport) % ProgressStep == 0)
            {
                progress.Advance(ProgressStep);
            }
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
        progress?.Advance(sinceReport % ProgressStep);
        var ordered = planned.OrderBy(p => p.SubscriberId, StringComparer.Ordinal).ToList();
        if (record)
        {
            // each batch is its own transaction; PostgreSQL writes several at once (a server process each), SQLite has one writer
            await Parallel.ForEachAsync(ordered.Chunk(RecordBatch),
                new ParallelOptions { MaxDegreeOfParallelism = plans.ConcurrentWriters, CancellationToken = cancellationToken },
                async (batch, token) => await plans.AddAsync(batch, token));
            if (ordered.Count >= DigestPlans.ManyDigests)
            {
                await plans.RefreshStatisticsAsync(cancellationToken);
            }
            // after the digests are owed: a crash in between plans the day again, and the outbox's key adds nothing twice
            await markPlanned();
        }
        return ordered;
    }

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
        var received = await plans.AlreadyReceivedAsync(date, [.. papers.Select(p => p.Id)], cancellationToken);
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

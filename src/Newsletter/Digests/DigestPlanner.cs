using System.Collections.Concurrent;
using System.Globalization;
using MimeKit;
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
        // matched like everyone, recorded for their feed and archive, never mailed
        var feedOnly = receiving.Where(s => s.Delivery == DeliveryMode.Feed).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        if (due.Count == 0 || papers.Count == 0)
        {
            if (record)
            {
                // nothing listed, or all of them planned before: the day is done for everyone asked about
                await subscribers.MarkPlannedAsync(date, only, CatchUpDays, cancellationToken);
            }
            return [];
        }
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
            await subscribers.MarkPlannedAsync(date, only, CatchUpDays, cancellationToken);
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

using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsletter.Papers;
using Newsletter.Subscribers;

namespace Newsletter.Scheduling;

/// <summary>
/// Decides, at any moment, which digests are due, and runs them. An active subscriber is due, once their local clock
/// has passed their send hour, the listing of that local day (minus <c>Schedule:ListingLagDays</c>) and every listing
/// day since the last one they were planned for: a service that was down for a day (or a week, up to
/// <see cref="MaxCatchUpDays"/>) sends what it missed, one digest per listing day, never a day twice and never a day
/// from before they subscribed. Each day runs on its own: one that cannot be fetched fails alone, is recorded, and
/// stays due for the next wake-up, while the others go out.
/// </summary>
public sealed partial class ScheduledDigests(
    SubscriberStore subscribers,
    PaperStore papers,
    DailyRun dailyRun,
    IOptions<ScheduleOptions> options,
    ILogger<ScheduledDigests> logger)
{
    /// <summary>How many listing days a subscriber's catch-up goes back at most (today's included).</summary>
    public const int MaxCatchUpDays = Digests.DigestPlanner.CatchUpDays;

    public async Task<IReadOnlyList<RunReport>> RunDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = await DueAsync(now, cancellationToken);
        // a listing day is fetched once: later wake-ups for the same day (other time zones, late subscribers) use the stored list
        var listed = await papers.ListedDaysAsync(due.Keys, cancellationToken);
        var reports = new List<RunReport>();
        foreach (var (date, ids) in due.OrderBy(d => d.Key))
        {
            LogDue(ids.Count, Day(date));
            try
            {
                reports.Add(await dailyRun.RunAsync(new RunRequest(date, "scheduled", SkipIngest: listed.Contains(date), SubscriberIds: ids), cancellationToken));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // the run history has it (failed, with the phase and the reason); the day stays due for the next wake-up
                LogDayFailed(Day(date), e.Message);
            }
        }
        return reports;
    }

    /// <summary>Due subscribers by the listing day their digest carries.</summary>
    public async Task<Dictionary<DateOnly, HashSet<string>>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var byDate = new Dictionary<DateOnly, HashSet<string>>();
        var lag = options.Value.ListingLagDays;
        foreach (var subscriber in await subscribers.ListReceivingAsync(cancellationToken))
        {
            var zone = TimeZoneInfo.TryFindSystemTimeZoneById(subscriber.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
            var local = TimeZoneInfo.ConvertTime(now, zone);
            // the slot of today has come, or the one of yesterday is the latest that has
            var latest = DateOnly.FromDateTime(local.DateTime).AddDays(-lag - (local.Hour < subscriber.SendHour ? 1 : 0));
            var first = latest.AddDays(1 - MaxCatchUpDays);
            if (Joined(subscriber, zone, lag) is { } joined && joined > first)
            {
                first = joined;
            }
            // every day after the mark: a day that failed holds the mark back, so it is planned again until it goes through
            if (subscriber.LastPlannedDay is { } last
                && DateOnly.TryParseExact(last, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var lastDay) && lastDay >= first)
            {
                first = lastDay.AddDays(1);
            }
            for (var day = first; day <= latest; day = day.AddDays(1))
            {
                if (!byDate.TryGetValue(day, out var ids))
                {
                    byDate[day] = ids = [];
                }
                ids.Add(subscriber.Id);
            }
        }
        return byDate;
    }

    /// <summary>The first listing day owed to a subscriber: the one of the local day they confirmed (none from before).</summary>
    private static DateOnly? Joined(Subscriber subscriber, TimeZoneInfo zone, int lag) =>
        DateTimeOffset.TryParse(subscriber.ConfirmedAt ?? subscriber.CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime).AddDays(-lag)
            : null;

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} subscribers are due a digest for {Date}")]
    private partial void LogDue(int count, string date);

    [LoggerMessage(Level = LogLevel.Error, Message = "The digests for {Date} could not be sent ({Reason}); the day stays due and is tried again at the next wake-up")]
    private partial void LogDayFailed(string date, string reason);
}

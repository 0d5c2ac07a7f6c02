using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsletter.Delivery;
using Newsletter.Subscribers;

namespace Newsletter.Scheduling;

/// <summary>
/// Decides, at any moment, which digests are due: an active subscriber is due once their local clock has passed
/// their send hour and they have no digest yet for that local day's listing. Running it again, or late after the
/// service was down, sends only what is still owed.
/// </summary>
public sealed partial class ScheduledDigests(
    SubscriberStore subscribers,
    Outbox outbox,
    DailyRun dailyRun,
    IOptions<ScheduleOptions> options,
    ILogger<ScheduledDigests> logger)
{
    public async Task<IReadOnlyList<RunReport>> RunDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = await DueAsync(now, cancellationToken);
        var reports = new List<RunReport>();
        foreach (var (date, ids) in due.OrderBy(d => d.Key))
        {
            LogDue(ids.Count, date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            reports.Add(await dailyRun.RunAsync(new RunRequest(date, "scheduled", SubscriberIds: ids), cancellationToken));
        }
        return reports;
    }

    /// <summary>Due subscribers by the listing day their digest carries.</summary>
    public async Task<Dictionary<DateOnly, HashSet<string>>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var byDate = new Dictionary<DateOnly, HashSet<string>>();
        foreach (var subscriber in await subscribers.ListReceivingAsync(cancellationToken))
        {
            var zone = TimeZoneInfo.TryFindSystemTimeZoneById(subscriber.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
            var local = TimeZoneInfo.ConvertTime(now, zone);
            if (local.Hour < subscriber.SendHour)
            {
                continue;
            }
            var listingDay = DateOnly.FromDateTime(local.DateTime).AddDays(-options.Value.ListingLagDays);
            if (!byDate.TryGetValue(listingDay, out var ids))
            {
                byDate[listingDay] = ids = [];
            }
            ids.Add(subscriber.Id);
        }
        foreach (var (date, ids) in byDate)
        {
            ids.ExceptWith(await outbox.PlannedSubscribersAsync(date, cancellationToken));
        }
        return byDate.Where(kv => kv.Value.Count > 0).ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} subscribers are due a digest for {Date}")]
    private partial void LogDue(int count, string date);
}

using System.Globalization;
using Newsletter.Subscribers;

namespace Newsletter.Scheduling;

/// <summary>
/// Who is due at a wake-up, as a rule and counts rather than a list: <see cref="Slot"/> tells, from a subscriber's
/// schedule columns, which listing day their digest is dated and since which day it covers. The wake-up counts the
/// due per day and span; planning applies the same rule again to each page of subscribers it reads, so a wake-up
/// over a million subscribers holds a page of them, not a million ids (~800 MB at a million when it held them).
/// </summary>
/// <remarks>
/// A subscriber's latest slot is the latest local day their frequency sends on whose send hour has come; their
/// digest is dated that day's listing (minus the lag) and covers every listing day after their mark (the last
/// day a digest of theirs covered), at most <see cref="DigestFrequency.MaxDays"/> and none from before they
/// joined. A slot the service slept through is sent at the next wake-up, dated as it would have been.
/// </remarks>
public sealed class DueRule(DateTimeOffset now, int lagDays)
{
    /// <summary>The listing day their digest is dated and the first it covers; null: nothing is owed to them now.</summary>
    public (DateOnly Latest, DateOnly First)? Slot(ScheduledSubscriber subscriber)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(subscriber.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(now, zone);
        // the slot of today has come, or the one of yesterday is the latest that has; then back to a day they get one on
        var slot = DateOnly.FromDateTime(local.DateTime).AddDays(local.Hour < subscriber.SendHour ? -1 : 0);
        for (var back = 0; back < 7 && !DigestFrequency.SendsOn(subscriber.Frequency, subscriber.Weekday, slot.DayOfWeek); back++)
        {
            slot = slot.AddDays(-1);
        }
        var latest = slot.AddDays(-lagDays);
        var first = latest.AddDays(1 - DigestFrequency.MaxDays(subscriber.Frequency));
        if (Joined(subscriber, zone) is { } joined && joined > first)
        {
            first = joined;
        }
        // the days after the mark: a digest that failed to be planned holds the mark back, so its days are planned again
        if (subscriber.LastPlannedDay is { } last
            && DateOnly.TryParseExact(last, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var lastDay) && lastDay >= first)
        {
            first = lastDay.AddDays(1);
        }
        return first <= latest ? (latest, first) : null;
    }

    /// <summary>The first listing day owed to a subscriber: the one of the local day they confirmed (none from before).</summary>
    private DateOnly? Joined(ScheduledSubscriber subscriber, TimeZoneInfo zone) =>
        DateTimeOffset.TryParse(subscriber.ConfirmedAt ?? subscriber.CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime).AddDays(-lagDays)
            : null;
}

/// <summary>
/// The digests dated one listing day that a wake-up found due: how many subscribers cover each span of days (keyed
/// by its first day), and who they are, as the rule that picks them out again while they are planned.
/// </summary>
public sealed class DueDay(DateOnly date, DueRule rule)
{
    private readonly SortedDictionary<DateOnly, int> _byFirstDay = [];

    public DateOnly Date => date;

    /// <summary>How many are due from each first listing day, oldest first.</summary>
    public IReadOnlyDictionary<DateOnly, int> CountsByFirstDay => _byFirstDay;

    public int Count => _byFirstDay.Values.Sum();

    public void Add(DateOnly first) => _byFirstDay[first] = _byFirstDay.GetValueOrDefault(first) + 1;

    /// <summary>
    /// Whether a subscriber, as read now, is due this day's digest covering the days from <paramref name="first"/>.
    /// One planned meanwhile (by another node, or an earlier wake-up) has a later mark and is no longer picked.
    /// </summary>
    public Func<ScheduledSubscriber, bool> CoveringFrom(DateOnly first) =>
        subscriber => rule.Slot(subscriber) is { } slot && slot.Latest == date && slot.First == first;
}

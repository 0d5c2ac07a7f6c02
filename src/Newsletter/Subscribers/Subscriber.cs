namespace Newsletter.Subscribers;

public static class SubscriberStatus
{
    public const string Pending = "pending";
    public const string Active = "active";
    public const string Unsubscribed = "unsubscribed";
    public const string Suppressed = "suppressed";
}

/// <summary>A subscriber as stored: who, their state, and when they want their digest.</summary>
public sealed class Subscriber
{
    public string Id { get; init; } = "";
    public string Email { get; init; } = "";
    public string? Name { get; init; }
    public string Status { get; init; } = SubscriberStatus.Pending;
    public long SendHour { get; init; } = 8;
    public string TimeZone { get; init; } = "UTC";
    public string Secret { get; init; } = "";
    public string CreatedAt { get; init; } = "";
    public string? ConfirmedAt { get; init; }
    public string? StatusReason { get; init; }
    public string? PausedAt { get; init; }

    /// <summary>The last listing day (YYYY-MM-DD) they were planned for, whether or not anything matched.</summary>
    public string? LastPlannedDay { get; init; }

    /// <summary>How they read their digest: <see cref="DeliveryMode.Email"/> or <see cref="DeliveryMode.Feed"/> (nothing mailed).</summary>
    public string Delivery { get; init; } = DeliveryMode.Email;

    /// <summary>How often they get a digest: <see cref="DigestFrequency"/> (daily, weekdays, weekly).</summary>
    public string Frequency { get; init; } = DigestFrequency.Daily;

    /// <summary>The day of a weekly digest (monday … sunday); kept, unused, for the other frequencies.</summary>
    public string Weekday { get; init; } = DigestFrequency.DefaultWeekday;
}

/// <summary>
/// What the schedule needs to know of a subscriber who receives digests: when their digest is due and since which
/// listing day (their send hour and time zone, frequency, when they joined, the last day planned), and how they read it.
/// </summary>
public sealed class ScheduledSubscriber
{
    public string Id { get; init; } = "";
    public long SendHour { get; init; } = 8;
    public string TimeZone { get; init; } = "UTC";
    public string CreatedAt { get; init; } = "";
    public string? ConfirmedAt { get; init; }

    /// <summary>The last listing day (YYYY-MM-DD) they were planned for, whether or not anything matched.</summary>
    public string? LastPlannedDay { get; init; }

    public string Delivery { get; init; } = DeliveryMode.Email;
    public string Frequency { get; init; } = DigestFrequency.Daily;
    public string Weekday { get; init; } = DigestFrequency.DefaultWeekday;

    /// <summary>
    /// Read for a day's planning (<see cref="SubscriberStore.SchedulePageAsync"/>): the first listing day (YYYY-MM-DD)
    /// their digest dated that day already covers; null: they have none for that day.
    /// </summary>
    public string? CoveredFrom { get; init; }
}

/// <summary>What the daily run needs to know of a subscriber it plans for: who, whether their digests are mailed, whether they have the day's.</summary>
public sealed class ReceivingSubscriber
{
    public string Id { get; init; } = "";

    public string Delivery { get; init; } = DeliveryMode.Email;

    /// <summary>Their digest for the day is owed or sent already.</summary>
    public bool Planned { get; init; }

    public bool FeedOnly => Delivery == DeliveryMode.Feed;
}

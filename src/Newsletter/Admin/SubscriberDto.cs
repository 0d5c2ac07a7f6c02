using Newsletter.Matching;
using Newsletter.Subscribers;

namespace Newsletter.Admin;

/// <summary>A subscriber as the admin API shows it.</summary>
public sealed record SubscriberDto(
    string Id,
    string Email,
    string? Name,
    string Status,
    string? StatusReason,
    bool Paused,
    int SendHour,
    string TimeZone,
    IReadOnlyList<string> Keywords,
    IReadOnlyList<string> Exclude,
    int MaxPapers,
    double? MinScore,
    string CreatedAt,
    string? ConfirmedAt,
    string? PausedAt)
{
    /// <summary>daily, weekdays or weekly (<see cref="DigestFrequency"/>).</summary>
    public string Frequency { get; init; } = DigestFrequency.Daily;

    /// <summary>The day of a weekly digest, monday … sunday.</summary>
    public string Weekday { get; init; } = DigestFrequency.DefaultWeekday;

    /// <summary><c>broad</c> or <c>focused</c> (<see cref="ProfileFocus"/>).</summary>
    public string Focus { get; init; } = ProfileFocusNames.Broad;

    public static SubscriberDto From(Subscriber s, StoredProfile? p) => new(
        s.Id, s.Email, s.Name, s.Status, s.StatusReason, s.PausedAt is not null, (int)s.SendHour, s.TimeZone,
        p?.Keywords ?? [], p?.Exclusions ?? [], p?.MaxPapers ?? Profile.DefaultMaxPapers, p?.MinScore, s.CreatedAt, s.ConfirmedAt, s.PausedAt)
    {
        Delivery = s.Delivery,
        Frequency = s.Frequency,
        Weekday = s.Weekday,
        Focus = (p?.Focus ?? ProfileFocus.Broad).Name(),
    };

    /// <summary>How they get their digest: email, or feed (only their private Atom feed, nothing mailed).</summary>
    public string Delivery { get; init; } = DeliveryMode.Email;
}

public sealed record SubscriberPage(IReadOnlyList<SubscriberDto> Items, int Page, int PageSize, long Total);

public sealed record CreateSubscriberRequest(
    string? Email,
    string? Name,
    List<string>? Keywords,
    List<string>? Exclude,
    int? MaxPapers,
    double? MinScore,
    int? SendHour,
    string? TimeZone,
    bool Confirmed = false)
{
    /// <summary>email (default) or feed.</summary>
    public string? Delivery { get; init; }

    /// <summary>null: daily.</summary>
    public string? Frequency { get; init; }

    /// <summary>null: monday.</summary>
    public string? Weekday { get; init; }

    /// <summary><c>broad</c> (the default) or <c>focused</c>.</summary>
    public string? Focus { get; init; }
}

/// <summary>Only the fields given change; <see cref="Keywords"/> and <see cref="Exclude"/> replace the lists when given.</summary>
public sealed record UpdateSubscriberRequest(
    string? Name,
    List<string>? Keywords,
    List<string>? Exclude,
    int? MaxPapers,
    double? MinScore,
    int? SendHour,
    string? TimeZone,
    bool? Paused)
{
    /// <summary>email or feed; null keeps what is stored.</summary>
    public string? Delivery { get; init; }

    public string? Frequency { get; init; }

    public string? Weekday { get; init; }

    /// <summary><c>broad</c> or <c>focused</c>; null keeps what is stored.</summary>
    public string? Focus { get; init; }
}

public sealed record SuppressRequest(string? Reason);

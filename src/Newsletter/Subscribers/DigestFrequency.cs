namespace Newsletter.Subscribers;

/// <summary>
/// How often a subscriber gets a digest: every listing day (<c>daily</c>), Monday to Friday in their time zone
/// (<c>weekdays</c>), or once a week on their <c>weekday</c> (<c>weekly</c>), always at their send hour. Whatever
/// the frequency, a digest covers every listing day since their last one, up to <see cref="MaxDays"/>.
/// </summary>
public static class DigestFrequency
{
    public const string Daily = "daily";
    public const string Weekdays = "weekdays";
    public const string Weekly = "weekly";
    public const string DefaultWeekday = "monday";

    public static readonly IReadOnlyList<string> Names = [Daily, Weekdays, Weekly];

    /// <summary>The weekdays as stored and typed, Monday first.</summary>
    public static readonly string[] WeekdayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    /// <summary>How many listing days one digest covers at most: a week, two for a weekly digest (one missed week caught up).</summary>
    public static int MaxDays(string frequency) => frequency == Weekly ? 14 : 7;

    /// <summary>Whether a subscriber with this frequency gets a digest on this local day.</summary>
    public static bool SendsOn(string frequency, string weekday, DayOfWeek day) => frequency switch
    {
        Weekdays => day is not (DayOfWeek.Saturday or DayOfWeek.Sunday),
        Weekly => day == ToDayOfWeek(weekday),
        _ => true,
    };

    public static DayOfWeek ToDayOfWeek(string weekday) => (DayOfWeek)((Array.IndexOf(WeekdayNames, weekday) + 1) % 7);

    /// <summary>
    /// The frequency and weekday as stored (lower case, trimmed; none typed: daily, Monday), or the problem and the
    /// field it is in, for a value that is neither.
    /// </summary>
    public static (string Frequency, string Weekday, (string Field, string Message)? Problem) Parse(string? frequency, string? weekday)
    {
        var f = string.IsNullOrWhiteSpace(frequency) ? Daily : frequency.Trim().ToLowerInvariant();
        var w = string.IsNullOrWhiteSpace(weekday) ? DefaultWeekday : weekday.Trim().ToLowerInvariant();
        if (!Names.Contains(f))
        {
            return (f, w, ("frequency", $"'{frequency!.Trim()}' is not a frequency: use daily, weekdays or weekly"));
        }
        if (!WeekdayNames.Contains(w))
        {
            return (f, w, ("weekday", $"'{weekday!.Trim()}' is not a day of the week: use monday, tuesday, … or sunday"));
        }
        return (f, w, null);
    }

    /// <summary>"daily", "weekdays", "weekly on monday": for tables and lists.</summary>
    public static string Describe(string frequency, string weekday) => frequency == Weekly ? $"weekly on {weekday}" : frequency;
}

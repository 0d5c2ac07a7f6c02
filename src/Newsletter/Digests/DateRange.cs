using System.Globalization;

namespace Newsletter.Digests;

/// <summary>The listing days a digest covers, as a subject or a header says them: "9–11 Mar", "28 Feb – 2 Mar".</summary>
public static class DateRange
{
    /// <param name="dayMonth">The format of a day without its year ("d MMM").</param>
    /// <param name="last">The format of the last day ("d MMM", or with the year).</param>
    public static string Text(DateOnly first, DateOnly lastDay, string dayMonth, string last)
    {
        var end = lastDay.ToString(last, CultureInfo.InvariantCulture);
        if (first.Year != lastDay.Year)
        {
            // a year is written with both ends when they differ, whether or not the last one shows its own
            return $"{first.ToString(dayMonth + " yyyy", CultureInfo.InvariantCulture)} – {lastDay.ToString(dayMonth + " yyyy", CultureInfo.InvariantCulture)}";
        }
        return first.Month == lastDay.Month
            ? $"{first.Day.ToString(CultureInfo.InvariantCulture)}–{end}"
            : $"{first.ToString(dayMonth, CultureInfo.InvariantCulture)} – {end}";
    }
}

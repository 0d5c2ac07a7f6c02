using System.Globalization;

namespace Newsletter.Common;

/// <summary>
/// The range check the options validators use for every number. Each number is bounded on both sides, because a
/// value that passes start-up must not overflow where it is used later (days added to a date, seconds turned into
/// milliseconds, a rate turned into an interval), after something was already written.
/// </summary>
public static class SettingRange
{
    /// <param name="zeroMeans">What 0 means where it is allowed as a switch (e.g. "no limit"), shown beside the minimum.</param>
    public static void Check(List<string> failures, string setting, long value, long min, long max, string? zeroMeans = null)
    {
        if (value < min || value > max)
        {
            failures.Add(Invariant($"{setting}: must be between {min}{Meaning(min, zeroMeans)} and {max} (was {value})."));
        }
    }

    /// <summary>A fractional setting: also finite (configuration reads "1e999" as infinity and "NaN" as NaN).</summary>
    public static void Check(List<string> failures, string setting, double value, double min, double max, string? zeroMeans = null)
    {
        if (!double.IsFinite(value) || value < min || value > max)
        {
            failures.Add(Invariant($"{setting}: must be between {min}{Meaning(min, zeroMeans)} and {max} (was {value})."));
        }
    }

    private static string Meaning(double min, string? zeroMeans) => min == 0 && zeroMeans is not null ? $" ({zeroMeans})" : "";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

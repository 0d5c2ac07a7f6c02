using Microsoft.Extensions.Options;
using Newsletter.Common;
using Quartz;

namespace Newsletter.Scheduling;

public sealed class ScheduleOptions
{
    public const string Section = "Schedule";

    /// <summary>Run the scheduler inside <c>serve</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>When the digest job wakes up (Quartz cron, UTC). Each wake-up sends every digest that is due by then.</summary>
    public string Cron { get; set; } = "0 0 * * * ?";

    /// <summary>A digest sent on local day D carries the listing of day D minus this many days (1: yesterday's complete list).</summary>
    public int ListingLagDays { get; set; } = 1;

    // Schedule:DefaultSendHour and Schedule:DefaultTimeZone are read by Subscribers.SendTimeDefaults.
}

public sealed class ScheduleOptionsValidator : IValidateOptions<ScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, ScheduleOptions o)
    {
        var failures = new List<string>();
        try
        {
            _ = new CronExpression(o.Cron ?? "");
        }
        catch (FormatException e)
        {
            failures.Add($"{ScheduleOptions.Section}:Cron: '{o.Cron}' is not a valid Quartz cron expression (e.g. '0 0 * * * ?' for every hour): {e.Message}");
        }
        SettingRange.Check(failures, $"{ScheduleOptions.Section}:ListingLagDays", o.ListingLagDays, 0, 7);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

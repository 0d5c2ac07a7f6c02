using Microsoft.Extensions.Options;
using Newsletter.Common;

namespace Newsletter.Subscribers;

/// <summary>
/// The send time a new subscriber gets when they choose none. Bound to the <c>Schedule</c> section, where an admin
/// looks for it, but owned here: subscribing must not depend on the scheduler.
/// </summary>
public sealed class SendTimeDefaults
{
    public const string Section = "Schedule";

    /// <summary>Send hour for new subscribers who choose none (their time zone).</summary>
    public int DefaultSendHour { get; set; } = 8;

    /// <summary>Time zone for new subscribers who choose none (IANA name).</summary>
    public string DefaultTimeZone { get; set; } = "UTC";
}

public sealed class SendTimeDefaultsValidator : IValidateOptions<SendTimeDefaults>
{
    public ValidateOptionsResult Validate(string? name, SendTimeDefaults o)
    {
        var failures = new List<string>();
        SettingRange.Check(failures, $"{SendTimeDefaults.Section}:DefaultSendHour", o.DefaultSendHour, 0, 23);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(o.DefaultTimeZone ?? "", out _))
        {
            failures.Add($"{SendTimeDefaults.Section}:DefaultTimeZone: '{o.DefaultTimeZone}' is not a known IANA time zone.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

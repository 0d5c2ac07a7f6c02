using Microsoft.Extensions.Options;
using Newsletter.Common;

namespace Newsletter.Inbound;

/// <summary>The <c>Inbound</c> settings: what the processing of bounces, complaints and mailto unsubscribes does.</summary>
public sealed class InboundOptions
{
    public const string Section = "Inbound";

    /// <summary>
    /// Soft bounces (4.x.x: mailbox full, server busy) of different digests within <see cref="SoftBounceDays"/> that
    /// suppress the address. One is no reason to stop: the next day's digest usually arrives.
    /// </summary>
    public int SoftBounceLimit { get; set; } = 3;

    /// <summary>How far back soft bounces count towards <see cref="SoftBounceLimit"/>.</summary>
    public int SoftBounceDays { get; set; } = 14;
}

public sealed class InboundOptionsValidator : IValidateOptions<InboundOptions>
{
    public ValidateOptionsResult Validate(string? name, InboundOptions o)
    {
        var failures = new List<string>();
        SettingRange.Check(failures, $"{InboundOptions.Section}:SoftBounceLimit", o.SoftBounceLimit, 1, 1000);
        SettingRange.Check(failures, $"{InboundOptions.Section}:SoftBounceDays", o.SoftBounceDays, 1, 3650);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

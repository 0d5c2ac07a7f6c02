using Microsoft.Extensions.Options;
using Newsletter.Hosting;

namespace Newsletter.Delivery;

/// <summary>How senders share the outbox.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>Owed digests a sender claims at a time.</summary>
    public int ClaimBatchSize { get; set; } = 200;

    /// <summary>How long a claim holds without being renewed; a sender renews its claims every third of it, so only a dead sender's claims run out.</summary>
    public int ClaimLeaseSeconds { get; set; } = 60;

    /// <summary>How often `serve` looks for owed digests of any day to send (0: only the daily run sends). This is how several nodes share a send.</summary>
    public int PumpIntervalSeconds { get; set; } = 10;
}

public sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions o)
    {
        var failures = new List<string>();
        SettingRange.Check(failures, $"{DeliveryOptions.Section}:ClaimBatchSize", o.ClaimBatchSize, 1, 10_000);
        // renewed every third of it, so under 3 s a renewal would be due before the last one finished
        SettingRange.Check(failures, $"{DeliveryOptions.Section}:ClaimLeaseSeconds", o.ClaimLeaseSeconds, 3, 3600);
        SettingRange.Check(failures, $"{DeliveryOptions.Section}:PumpIntervalSeconds", o.PumpIntervalSeconds, 0, 3600, "off");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Microsoft.Extensions.Options;

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
        if (o.ClaimBatchSize is < 1 or > 10_000)
        {
            failures.Add($"{DeliveryOptions.Section}:ClaimBatchSize: must be between 1 and 10000 (was {o.ClaimBatchSize}).");
        }
        if (o.ClaimLeaseSeconds < 3)
        {
            failures.Add($"{DeliveryOptions.Section}:ClaimLeaseSeconds: must be at least 3 (was {o.ClaimLeaseSeconds}).");
        }
        if (o.PumpIntervalSeconds < 0)
        {
            failures.Add($"{DeliveryOptions.Section}:PumpIntervalSeconds: must be 0 (off) or more (was {o.PumpIntervalSeconds}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Microsoft.Extensions.Options;
using Newsletter.Common;

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

    /// <summary>
    /// How long a digest waits after each temporary fault before it is tried again, like a mail server's queue:
    /// "1m, 5m, 15m, 1h, 3h, 6h" (s, m, h, d), the last wait repeating until <see cref="GiveUpAfterHours"/>.
    /// </summary>
    public string RetrySchedule { get; set; } = "1m, 5m, 15m, 1h, 3h, 6h";

    /// <summary>A digest still failing temporarily this long after it was planned fails for good, with the last reason.</summary>
    public int GiveUpAfterHours { get; set; } = 48;

    /// <summary>The wait before the next attempt of a digest deferred <paramref name="deferrals"/> times before.</summary>
    public TimeSpan RetryWait(int deferrals)
    {
        var waits = Waits.Parse(RetrySchedule, out _) ?? [TimeSpan.FromMinutes(5)];
        return waits[Math.Clamp(deferrals, 0, waits.Count - 1)];
    }

    /// <summary>The retry schedule's notation: comma-separated numbers with a unit (s, m, h or d).</summary>
    public static class Waits
    {
        /// <returns>The waits, or null with <paramref name="problem"/> saying what is wrong.</returns>
        public static IReadOnlyList<TimeSpan>? Parse(string? text, out string problem)
        {
            problem = "";
            var waits = new List<TimeSpan>();
            foreach (var part in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var unit = part[^1] switch
                {
                    's' => TimeSpan.FromSeconds(1),
                    'm' => TimeSpan.FromMinutes(1),
                    'h' => TimeSpan.FromHours(1),
                    'd' => TimeSpan.FromDays(1),
                    _ => TimeSpan.Zero,
                };
                if (unit == TimeSpan.Zero || !int.TryParse(part[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
                    || count is < 1 or > 100_000 || unit * count > TimeSpan.FromDays(7))
                {
                    problem = $"'{part}' is not a wait such as 30s, 5m, 1h or 1d (at least 1 s, at most 7 days)";
                    return null;
                }
                waits.Add(unit * count);
            }
            if (waits.Count == 0)
            {
                problem = "it lists no wait (e.g. \"1m, 5m, 15m, 1h, 3h, 6h\")";
                return null;
            }
            return waits;
        }
    }
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
        if (DeliveryOptions.Waits.Parse(o.RetrySchedule, out var problem) is null)
        {
            failures.Add($"{DeliveryOptions.Section}:RetrySchedule: {problem}.");
        }
        SettingRange.Check(failures, $"{DeliveryOptions.Section}:GiveUpAfterHours", o.GiveUpAfterHours, 1, 720);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

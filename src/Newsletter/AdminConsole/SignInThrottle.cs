using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Newsletter.Admin;

namespace Newsletter.AdminConsole;

/// <summary>
/// Counts wrong keys per client address: after <see cref="AdminOptions.SignInFailuresPerMinute"/> in a minute the
/// address is refused until the minute is over, right key or not, so keys cannot be guessed at speed. Right keys
/// count nothing, so an admin signing in often is never refused.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;

    public SignInThrottle(IOptions<AdminOptions> options)
    {
        var perMinute = options.Value.SignInFailuresPerMinute;
        _failures = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));
    }

    public bool Refuses(string client) => _failures.GetStatistics(client) is { CurrentAvailablePermits: 0 };

    public void Failed(string client) => _failures.AttemptAcquire(client).Dispose();

    public void Dispose() => _failures.Dispose();
}

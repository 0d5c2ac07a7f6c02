using System.Diagnostics;

namespace Newsletter.Delivery;

/// <summary>Spaces sends evenly so all connections together stay under a messages-per-second limit.</summary>
public sealed class SendPacer(double maxPerSecond)
{
    private readonly long _interval = maxPerSecond > 0 ? (long)(Stopwatch.Frequency / maxPerSecond) : 0;
    private long _next = Stopwatch.GetTimestamp();

    public async ValueTask WaitTurnAsync(CancellationToken cancellationToken)
    {
        if (_interval == 0)
        {
            return;
        }
        long slot;
        while (true)
        {
            var next = Volatile.Read(ref _next);
            var now = Stopwatch.GetTimestamp();
            // an idle pacer does not bank unused slots for a burst later
            slot = Math.Max(next, now);
            if (Interlocked.CompareExchange(ref _next, slot + _interval, next) == next)
            {
                break;
            }
        }
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), slot);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }
}

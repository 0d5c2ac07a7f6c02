using System.Diagnostics;

namespace Newsletter.Delivery;

/// <summary>
/// Spaces sends evenly so that everything this process sends stays under a messages-per-second rate. One pacer
/// serves the whole process (the scheduled run, the pump, a resend); <see cref="SenderRegistry"/> lowers its rate
/// while other processes on the machine, or other nodes, send too.
/// </summary>
public sealed class SendPacer(double maxPerSecond)
{
    private long _interval = Interval(maxPerSecond);
    private long _next = Stopwatch.GetTimestamp();

    /// <summary>The rate now, messages per second (0: no limit).</summary>
    public double Rate => Volatile.Read(ref _interval) is var interval and > 0 ? (double)Stopwatch.Frequency / interval : 0;

    public void SetRate(double perSecond) => Volatile.Write(ref _interval, Interval(perSecond));

    public async ValueTask WaitTurnAsync(CancellationToken cancellationToken)
    {
        var interval = Volatile.Read(ref _interval);
        if (interval == 0)
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
            if (Interlocked.CompareExchange(ref _next, slot + interval, next) == next)
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

    private static long Interval(double perSecond) => perSecond > 0 ? Math.Max(1, (long)(Stopwatch.Frequency / perSecond)) : 0;
}

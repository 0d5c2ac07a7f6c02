using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Newsletter.Delivery;

/// <summary>
/// In `serve`, sends whatever is owed, of any day, every few seconds. The daily run fires on one node (Quartz
/// clustering); the pumps of all nodes then share its send through the claims, and pick up what a node that died
/// left owed once its lease lapses.
/// </summary>
public sealed partial class OutboxPump(Outbox outbox, DigestSender sender, IOptions<DeliveryOptions> options, ILogger<OutboxPump> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.PumpIntervalSeconds == 0)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PumpIntervalSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await outbox.AnyOwedAsync(null, stoppingToken))
                {
                    var report = await sender.SendOwedAsync(null, stoppingToken);
                    LogPumped(report.Sent, report.Failed, report.Suppressed);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPumpFailed(e); // the next tick tries again; nothing is lost, the rows stay owed
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent owed digests: {Sent} sent, {Failed} failed, {Suppressed} suppressed")]
    private partial void LogPumped(int sent, int failed, int suppressed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending owed digests failed; trying again at the next interval")]
    private partial void LogPumpFailed(Exception error);
}

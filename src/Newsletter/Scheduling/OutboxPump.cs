using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsletter.Delivery;
using Newsletter.Subscribers;

namespace Newsletter.Scheduling;

/// <summary>
/// In `serve`, sends whatever is owed: confirmation emails as soon as one is queued (and every few seconds, for those
/// another node queued), digests of any day every <see cref="DeliveryOptions.PumpIntervalSeconds"/>, by the daily run's own send. The daily run
/// fires on one node (Quartz clustering); the pumps of all nodes then share its send through the claims, and pick up
/// what a node that died left owed once its lease lapses.
/// </summary>
public sealed partial class OutboxPump(
    Outbox outbox, DailyRun dailyRun, ConfirmationRequests confirmationsQueued, ConfirmationSender confirmations, IOptions<DeliveryOptions> options,
    ILogger<OutboxPump> logger) : BackgroundService
{
    private static readonly TimeSpan ConfirmationPoll = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RepeatedErrorEvery = TimeSpan.FromMinutes(5);

    private string? _lastError;
    private long _lastErrorLogged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var digestInterval = TimeSpan.FromSeconds(options.Value.PumpIntervalSeconds);
        var wait = digestInterval > TimeSpan.Zero && digestInterval < ConfirmationPoll ? digestInterval : ConfirmationPoll;
        var digestsDue = Stopwatch.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await confirmationsQueued.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await GuardedAsync(() => confirmations.SendOwedAsync(null, stoppingToken), stoppingToken);
            if (digestInterval > TimeSpan.Zero && Stopwatch.GetElapsedTime(digestsDue) >= digestInterval)
            {
                digestsDue = Stopwatch.GetTimestamp();
                await GuardedAsync(async () =>
                {
                    if (await outbox.AnyOwedAsync(null, stoppingToken))
                    {
                        var report = await dailyRun.SendOwedAsync(null, stoppingToken);
                        LogPumped(report.Sent, report.Failed, report.Suppressed);
                    }
                }, stoppingToken);
            }
        }
    }

    /// <summary>
    /// A failure is logged and the next wake-up tries again (nothing is lost: the rows stay owed). The same failure
    /// again and again (a database that stays down) is logged in full once, then a line every few minutes.
    /// </summary>
    private async Task GuardedAsync(Func<Task> work, CancellationToken stoppingToken)
    {
        try
        {
            await work();
            _lastError = null;
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            if (e.Message != _lastError)
            {
                _lastError = e.Message;
                _lastErrorLogged = Stopwatch.GetTimestamp();
                LogPumpFailed(e);
            }
            else if (Stopwatch.GetElapsedTime(_lastErrorLogged) >= RepeatedErrorEvery)
            {
                _lastErrorLogged = Stopwatch.GetTimestamp();
                LogPumpStillFailing(e.Message);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent owed digests: {Sent} sent, {Failed} failed, {Suppressed} suppressed")]
    private partial void LogPumped(int sent, int failed, int suppressed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending owed mail failed; trying again at the next interval")]
    private partial void LogPumpFailed(Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending owed mail still fails: {Problem}")]
    private partial void LogPumpStillFailing(string problem);
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsletter.Inbound;
using Quartz;

namespace Newsletter.Scheduling;

/// <summary>
/// Puts the mailbox poll in the job store when Inbound:Host is set and Inbound:PollMinutes is above 0, and takes it
/// out otherwise: the store outlives the process, so a poll stored while it was on would keep firing after it was
/// turned off. A stored trigger keeps its next fire time unless the interval changed; a fire missed while the
/// service was down runs once at start-up.
/// </summary>
internal sealed partial class MailboxPollRegistration(ISchedulerFactory factory, IOptions<MailboxOptions> options, ILogger<MailboxPollRegistration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        var o = options.Value;
        if (!o.Configured || o.PollMinutes <= 0)
        {
            if (await scheduler.DeleteJob(MailboxPollJob.Key, cancellationToken))
            {
                LogUnscheduled();
            }
            return;
        }
        var interval = TimeSpan.FromMinutes(o.PollMinutes);
        var trigger = TriggerBuilder.Create()
            .WithIdentity(MailboxPollJob.TriggerKey)
            .ForJob(MailboxPollJob.Key)
            .StartNow()
            .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithRemainingCount))
            .Build();
        if (!await scheduler.Exists(MailboxPollJob.Key, cancellationToken))
        {
            var job = JobBuilder.Create<MailboxPollJob>().WithIdentity(MailboxPollJob.Key).StoreDurably()
                .WithDescription("Reads the bounce mailbox").Build();
            await scheduler.ScheduleJob(job, new[] { trigger }, new ScheduleJobOptions { Replace = true }, cancellationToken);
            LogScheduled(o.PollMinutes, o.Describe());
        }
        else if (await scheduler.GetTrigger(MailboxPollJob.TriggerKey, cancellationToken) is not ISimpleTrigger stored || stored.RepeatInterval != interval)
        {
            await scheduler.RescheduleJob(MailboxPollJob.TriggerKey, trigger, cancellationToken);
            LogScheduled(o.PollMinutes, o.Describe());
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Bounce mailbox poll scheduled every {Minutes} minutes: {Mailbox}")]
    private partial void LogScheduled(int minutes, string mailbox);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bounce mailbox poll removed from the schedule (Inbound:Host empty or Inbound:PollMinutes = 0)")]
    private partial void LogUnscheduled();
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsletter.Data;
using Quartz;

namespace Newsletter.Scheduling;

public static partial class SchedulingServices
{
    /// <summary>Classes every run needs, scheduled or by hand.</summary>
    public static IServiceCollection AddDigestRuns(this IServiceCollection services)
    {
        services.AddSingleton<RunLog>();
        services.AddSingleton<DailyRun>();
        return services;
    }

    /// <summary>
    /// Quartz with its job store in the application's database, so the schedule and its misfires survive restarts:
    /// a fire missed while the service was down runs once at start-up (never once per missed hour). On PostgreSQL
    /// the store is clustered: every node runs a scheduler, exactly one fires each trigger, and a node that dies
    /// mid-run has its job recovered by another (the job requests recovery).
    /// </summary>
    public static IServiceCollection AddScheduler(this IServiceCollection services, Database database)
    {
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o => o.GenerateInstanceId = true);
            q.UsePersistentStore(store =>
            {
                // the tables come from our own migrations (0005), like every other table
                database.Dialect.UseAsJobStore(store, database);
                store.UseSystemTextJsonSerializer();
            });
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddHostedService<ScheduleRegistration>();
        // schedules the bounce mailbox poll when Inbound:Host is set and Inbound:PollMinutes > 0, unschedules it otherwise
        services.AddHostedService<MailboxPollRegistration>();
        return services;
    }

    /// <summary>
    /// Puts the job and its trigger in the store once; a trigger already stored keeps its next fire time, so a
    /// missed fire is detected as a misfire. The trigger is replaced only when the configured cron changed.
    /// </summary>
    private sealed partial class ScheduleRegistration(ISchedulerFactory factory, IOptions<ScheduleOptions> options, ILogger<ScheduleRegistration> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var scheduler = await factory.GetScheduler(cancellationToken);
            var cron = options.Value.Cron;
            var trigger = TriggerBuilder.Create()
                .WithIdentity(DigestJob.TriggerKey)
                .ForJob(DigestJob.Key)
                .WithCronSchedule(cron, c => c.InTimeZone(TimeZoneInfo.Utc).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                .Build();
            if (!await scheduler.Exists(DigestJob.Key, cancellationToken))
            {
                var job = JobBuilder.Create<DigestJob>().WithIdentity(DigestJob.Key).StoreDurably().RequestRecovery()
                    .WithDescription("Sends every digest that is due").Build();
                await scheduler.ScheduleJob(job, new[] { trigger }, new ScheduleJobOptions { Replace = true }, cancellationToken);
                LogScheduled(cron);
            }
            else if (await scheduler.GetTrigger(DigestJob.TriggerKey, cancellationToken) is not ICronTrigger stored || stored.CronExpressionString != cron)
            {
                await scheduler.RescheduleJob(DigestJob.TriggerKey, trigger, cancellationToken);
                LogScheduled(cron);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        // debug: serve's start-up block names the schedule and its next run on every start, this only on a change
        [LoggerMessage(Level = LogLevel.Debug, Message = "Digest job scheduled with cron '{Cron}' (UTC)")]
        private partial void LogScheduled(string cron);
    }
}

using Quartz;

namespace Newsletter.Scheduling;

/// <summary>The Quartz job: sends every digest that is due. One at a time; a recovered or late fire sends only what is still owed.</summary>
[DisallowConcurrentExecution]
public sealed class DigestJob(DailyRun dailyRun, TimeProvider clock) : IJob
{
    public static readonly JobKey Key = new("digests", "newsletter");
    public static readonly TriggerKey TriggerKey = new("digests-schedule", "newsletter");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await dailyRun.RunDueAsync(clock.GetUtcNow(), cancellationToken);
}

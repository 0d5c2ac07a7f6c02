using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;
using Newsletter.Inbound;
using Quartz;

namespace Newsletter.Scheduling;

/// <summary>
/// The Quartz job of <c>serve</c>: reads the bounce mailbox every Inbound:PollMinutes. One poll at a time (on
/// PostgreSQL, one over all nodes: the clustered store honours the attribute), since two polls of one folder would
/// both read the messages not yet moved. A failed poll is logged; the next fire tries again, and what it left in the
/// mailbox is still to do (<see cref="MailboxPoller"/>).
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class MailboxPollJob(IServiceProvider services, ILogger<MailboxPollJob> logger) : IJob
{
    public static readonly JobKey Key = new("mailbox-poll", "newsletter");
    public static readonly TriggerKey TriggerKey = new("mailbox-poll-schedule", "newsletter");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var process = services.GetRequiredService<Func<MimeMessage, CancellationToken, Task<string>>>();
        try
        {
            await ActivatorUtilities.CreateInstance<MailboxPoller>(services, process).PollAsync(cancellationToken);
        }
        catch (MailboxException e)
        {
            LogPollFailed(e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling the bounce mailbox failed, the next poll tries again: {Reason}")]
    private partial void LogPollFailed(string reason);
}

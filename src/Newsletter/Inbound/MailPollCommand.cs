using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Cli;

namespace Newsletter.Inbound;

/// <summary><c>newsletter mail poll</c>: reads the bounce mailbox once, as <c>serve</c> does every Inbound:PollMinutes.</summary>
public static class MailPollCommand
{
    /// <param name="processorFactory">The processing of one message (returns its kind), made from the command's services.</param>
    public static Command Create(CliContext context, Func<IServiceProvider, Func<MimeMessage, CancellationToken, Task<string>>> processorFactory)
    {
        var json = CliOptions.Json();
        var command = new Command("poll",
            "Read the bounce mailbox (Inbound:*) once: process each message, then move it to Inbound:ProcessedFolder (IMAP) or delete it (POP3).") { json };
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var options = services.GetRequiredService<IOptions<MailboxOptions>>();
            if (!options.Value.Configured)
            {
                throw new UsageException("Inbound:Host is not set: there is no mailbox to read (docs/configuration.md, Inbound).");
            }
            var poller = ActivatorUtilities.CreateInstance<MailboxPoller>(services, processorFactory(services));
            PollReport report;
            try
            {
                report = await poller.PollAsync(ct);
            }
            catch (MailboxException e)
            {
                await context.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.Failed;
            }
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(new { mailbox = report.Mailbox, processed = report.Processed, kinds = report.Kinds, failed = report.Errors.Count, errors = report.Errors });
            }
            else
            {
                foreach (var error in report.Errors)
                {
                    await context.Output.WriteLineAsync($"not processed: {error.Message} {error.MessageId} {error.Error}");
                }
                var kinds = report.Kinds.Count == 0 ? "" : " (" + string.Join(", ", report.Kinds.Select(k => $"{k.Value} {k.Key}")) + ")";
                await context.Output.WriteLineAsync($"Polled {report.Mailbox}: {report.Processed} processed{kinds}, {report.Errors.Count} failed (left for the next poll).");
            }
            return report.Errors.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}

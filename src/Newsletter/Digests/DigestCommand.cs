using System.CommandLine;
using Newsletter.Cli;
using Newsletter.Delivery;
using Newsletter.Hosting;
using Newsletter.Papers;
using Newsletter.Scheduling;
using Newsletter.Subscribers;

namespace Newsletter.Digests;

public static class DigestCommand
{
    public static Command Create(CliContext context) => new("digest", "Run the daily digest by hand, preview one, or send one again.") { Run(context), Preview(context), ResendCommand.Create(context) };

    private static Command Run(CliContext context)
    {
        var date = CliOptions.Date("The listing day to send digests for.");
        date.Required = true;
        var dryRun = new Option<bool>("--dry-run") { Description = "Decide who would get which papers; record and send nothing." };
        var skipIngest = new Option<bool>("--skip-ingest") { Description = "Use the papers already stored for that day instead of fetching the list." };
        var json = CliOptions.Json();
        var command = new Command("run", "Run the daily job now: ingest, match, render, send. Digests already sent are not sent again.") { date, dryRun, skipIngest, json };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async (services, ct) =>
        {
            var report = await ProgressDisplay.RunAsync(context, result.GetValue(json), progress => services.GetRequiredService<DailyRun>().RunAsync(
                new RunRequest(result.GetValue(date)!.Value, "manual", result.GetValue(dryRun), result.GetValue(skipIngest)), ct, progress));
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(new
                {
                    runId = report.RunId,
                    status = RunLog.StatusOf(report.Counts, null),
                    date = report.Date,
                    dryRun = result.GetValue(dryRun),
                    papers = report.Papers,
                    planned = report.Planned.Count,
                    sent = report.Sent.Sent,
                    failed = report.Sent.Failed,
                    suppressed = report.Sent.Suppressed,
                    deferred = report.Sent.Deferred,
                    skipped = report.Sent.Skipped,
                    retried = report.Sent.Retried,
                    digests = report.Planned.Select(p => new { subscriber = p.SubscriberId, papers = p.Papers.Select(x => x.Paper.Id) }),
                });
            }
            else
            {
                await context.Output.WriteLineAsync(result.GetValue(dryRun)
                    ? $"Dry run for {report.Date:yyyy-MM-dd}: {report.Papers} papers; {report.Planned.Count} digests would be sent."
                    : $"Run {report.RunId} for {report.Date:yyyy-MM-dd}: {report.Papers} papers, {report.Planned.Count} new digests planned; " +
                      $"{report.Sent.Sent} sent, {report.Sent.Failed} failed, {report.Sent.Suppressed} suppressed, {report.Sent.Deferred} deferred (tried again later).");
                if (context.Interactive)
                {
                    var run = await services.GetRequiredService<RunLog>().FindAsync(report.RunId, ct);
                    await ProgressDisplay.WriteSummaryAsync(context, $"Run {report.RunId}", Scheduling.RunsCommand.SummaryRows(run!));
                }
            }
            return report.Sent.Failed + report.Sent.Suppressed > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command Preview(CliContext context)
    {
        var email = new Option<string>("--email") { Description = "The subscriber.", Required = true };
        var date = CliOptions.Date("The listing day.");
        date.Required = true;
        var format = new Option<string>("--format") { Description = "html, text or eml (the whole message).", DefaultValueFactory = _ => "html" };
        format.AcceptOnlyFromAmong("html", "text", "eml");
        var command = new Command("preview", "Write the digest a subscriber would get for a day, sending nothing.") { email, date, format };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async (services, ct) =>
        {
            var address = EmailAddress.Normalize(result.GetValue(email), out var problem) ?? throw new UsageException(problem);
            var subscriber = await services.GetRequiredService<SubscriberStore>().FindByEmailAsync(address, ct)
                ?? throw new UsageException($"no subscriber with the address {address}");
            var day = result.GetValue(date)!.Value;
            var papers = await services.GetRequiredService<PaperStore>().PapersOnAsync(day, ct);
            if (papers.Count == 0)
            {
                await context.Error.WriteLineAsync($"No papers are stored for {day:yyyy-MM-dd}; ingest that day first.");
                return ExitCodes.Ok;
            }
            var selected = await services.GetRequiredService<DigestPlanner>().PreviewAsync(subscriber.Id, day, papers, ct);
            if (selected.Count == 0)
            {
                await context.Error.WriteLineAsync($"No digest: none of the {papers.Count} papers of {day:yyyy-MM-dd} matches {address}'s keywords (nothing would be sent).");
                return ExitCodes.Ok;
            }
            var composer = services.GetRequiredService<DigestComposer>();
            var recipient = new DigestRecipient(subscriber.Id, subscriber.Email, subscriber.Name, subscriber.Secret);
            switch (result.GetValue(format))
            {
                case "eml":
                    var message = composer.Compose(recipient, day, selected);
                    await context.Output.WriteAsync(message.ToString());
                    break;
                default:
                    var (html, text) = composer.Render(composer.Model(recipient, day, selected));
                    await context.Output.WriteAsync(result.GetValue(format) == "text" ? text : html);
                    break;
            }
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}

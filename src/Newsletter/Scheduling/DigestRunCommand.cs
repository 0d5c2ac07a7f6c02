using System.CommandLine;
using Newsletter.Cli;
using Newsletter.Digests;

namespace Newsletter.Scheduling;

/// <summary><c>newsletter digest run</c>: the daily run by hand, the same code the schedule runs.</summary>
public static class DigestRunCommand
{
    public static Command Create(CliContext context)
    {
        var date = CliOptions.Date("The listing day to send digests for.");
        date.Required = true;
        var dryRun = new Option<bool>("--dry-run") { Description = "Decide who would get which papers; record and send nothing." };
        var skipIngest = new Option<bool>("--skip-ingest") { Description = "Use the papers already stored for that day instead of fetching the list." };
        var json = CliOptions.Json();
        var command = new Command("run", "Run the daily job now: ingest, match, render, send. Digests already sent are not sent again.") { date, dryRun, skipIngest, json };
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var report = await ProgressDisplay.RunAsync(context, result.GetValue(json), progress => services.GetRequiredService<DailyRun>().RunAsync(
                new RunRequest(result.GetValue(date)!.Value, "manual", result.GetValue(dryRun), result.GetValue(skipIngest)) { KeepDigests = result.GetValue(json) },
                ct, progress));
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
                    digests = report.Planned.Digests.Select(p => new { subscriber = p.SubscriberId, papers = p.Papers.Select(x => x.Paper.Id) }),
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
                    await ProgressDisplay.WriteSummaryAsync(context, $"Run {report.RunId}", RunsCommand.SummaryRows(run!));
                }
            }
            return report.Sent.Failed + report.Sent.Suppressed > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Newsletter.Cli;

namespace Newsletter.Scheduling;

/// <summary><c>newsletter runs list|show</c>: the run history the admin API shows at /admin/api/runs.</summary>
public static class RunsCommand
{
    public static Command Create(CliContext context) => new("runs", "The history of digest runs: phases, counts, errors, durations.") { List(context), Show(context) };

    private static Command List(CliContext context)
    {
        var limit = new Option<int>("--limit") { Description = "How many runs, newest first (1-1000).", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                r.AddError("--limit must be between 1 and 1000.");
            }
        });
        var json = CliOptions.Json();
        var command = new Command("list", "The latest runs, newest first.") { limit, json };
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var runs = await services.GetRequiredService<RunLog>().ListAsync(result.GetValue(limit), ct);
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(runs);
                return ExitCodes.Ok;
            }
            if (runs.Count == 0)
            {
                await context.Output.WriteLineAsync("No runs yet.");
                return ExitCodes.Ok;
            }
            foreach (var run in runs)
            {
                await context.Output.WriteLineAsync(
                    $"{run.Id}  {run.Kind,-9} {run.DigestDate ?? "-",-10}  {run.Status,-9} {Seconds(run.DurationMs),8}  " +
                    $"papers {run.Papers}, planned {run.Planned}, sent {run.Sent}, failed {run.Failed}, suppressed {run.Suppressed}, deferred {run.Deferred}, retries {run.Retried}" +
                    (run.Bounced + run.Complained > 0 ? $", since bounced {run.Bounced}, complained {run.Complained}" : ""));
                if (run.Phases.Count > 0)
                {
                    await context.Output.WriteLineAsync("    " + string.Join(", ", run.Phases.Select(p => $"{p.Phase} {Seconds(p.DurationMs)} ({p.Items})")));
                }
                if (run.Error is not null)
                {
                    await context.Output.WriteLineAsync($"    error: {run.Error}");
                }
            }
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var id = new Argument<string>("run-id") { Description = "The run's id, as `runs list` shows it." };
        var json = CliOptions.Json();
        var command = new Command("show", "One run with its phases.") { id, json };
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var run = await services.GetRequiredService<RunLog>().FindAsync(result.GetValue(id)!, ct)
                ?? throw new UsageException($"no run with the id {result.GetValue(id)}");
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(run);
                return ExitCodes.Ok;
            }
            await ProgressDisplay.WriteSummaryAsync(context, $"Run {run.Id}", SummaryRows(run));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    public static IReadOnlyList<(string Name, string Value)> SummaryRows(RunRecord run)
    {
        var rows = new List<(string, string)>
        {
            ("kind", run.Kind),
            ("date", run.DigestDate ?? "-"),
            ("node", run.Node),
            ("started", run.StartedAt),
            ("status", run.Status),
            ("duration", Seconds(run.DurationMs)),
            ("papers", N(run.Papers)),
            ("digests planned", N(run.Planned)),
            ("matches", N(run.Matches)),
            ("sent", N(run.Sent)),
            ("failed", N(run.Failed)),
            ("suppressed", N(run.Suppressed)),
            ("deferred", N(run.Deferred)),
            ("retries", N(run.Retried)),
        };
        if (run.Bounced + run.Complained > 0)
        {
            rows.Add(("came back", $"{N(run.Bounced)} bounced, {N(run.Complained)} complained (of the day's digests)"));
        }
        rows.AddRange(run.Phases.Select(p => ($"phase {p.Phase}", $"{Seconds(p.DurationMs)}, {N(p.Items)} items{(p.Error is null ? "" : $", error: {p.Error}")}")));
        if (run.Error is not null)
        {
            rows.Add(("error", run.Error));
        }
        rows.AddRange(run.Failures.Select(f => ($"failed {f.DeliveryId}", $"{f.Failure}: {f.Reason}")));
        if (run.Failed + run.Suppressed > run.Failures.Count && run.Failures.Count > 0)
        {
            rows.Add(("", $"… and {N(run.Failed + run.Suppressed - run.Failures.Count)} more (`digest resend --date {run.DigestDate} --all --delivery-status failed` sends them again)"));
        }
        return rows;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Seconds(long? milliseconds) => milliseconds is { } ms ? $"{(ms / 1000.0).ToString("0.00", CultureInfo.InvariantCulture)} s" : "running";
}

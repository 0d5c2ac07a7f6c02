using System.CommandLine;
using Newsletter.Cli;

namespace Newsletter.Scheduling;

/// <summary>The demo without the server: sample day, demo subscribers, their digests in the outbox; then exit.</summary>
public static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("demo", "Ingest the bundled sample day, add three demo subscribers and write their digests (no network needed).");
        command.SetAction((_, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var demo = services.GetRequiredService<DemoSetup>();
            var report = await demo.RunAsync(ct);
            await demo.WriteSummaryAsync(report, context.Output);
            await context.Output.WriteLineAsync();
            foreach (var paper in report.Papers)
            {
                await context.Output.WriteLineAsync($"  {paper.Id}  {paper.Title}");
            }
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}

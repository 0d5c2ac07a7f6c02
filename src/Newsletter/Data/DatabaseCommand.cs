using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Cli;

namespace Newsletter.Data;

public static class DatabaseCommand
{
    public static Command Create(CliContext context)
    {
        var json = CliOptions.Json();
        var migrate = new Command("migrate", "Apply pending migrations (start-up does this too).") { json };
        migrate.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async (services, ct) =>
        {
            var outcome = await services.GetRequiredService<Migrator>().MigrateAsync(ct);
            var database = services.GetRequiredService<Database>();
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(new
                {
                    database = database.FilePath,
                    applied = outcome.Applied.Select(m => m.FileName),
                    version = Migrator.Embedded.Count == 0 ? 0 : Migrator.Embedded[^1].Version,
                });
            }
            else
            {
                await context.Output.WriteLineAsync(outcome.Applied.Count == 0
                    ? $"Database {database.FilePath} is up to date ({outcome.Known} migrations)."
                    : $"Applied {outcome.Applied.Count} migration(s) to {database.FilePath}: {string.Join(", ", outcome.Applied.Select(m => m.FileName))}.");
            }
            return ExitCodes.Ok;
        }, cancellationToken, migrate: false));
        return new Command("db", "Database maintenance.") { migrate };
    }
}

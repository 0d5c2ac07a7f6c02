using System.CommandLine;
using Newsletter.Cli;

namespace Newsletter.Data;

public static class DatabaseCommand
{
    public static Command Create(CliContext context)
    {
        var json = CliOptions.Json();
        var migrate = new Command("migrate", "Apply pending migrations (start-up does this too).") { json };
        migrate.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var migrator = services.GetRequiredService<Migrator>();
            var outcome = await migrator.MigrateAsync(ct);
            var database = services.GetRequiredService<Database>();
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(new
                {
                    database = database.Description,
                    applied = outcome.Applied.Select(m => m.FileName),
                    version = migrator.Embedded.Count == 0 ? 0 : migrator.Embedded[^1].Version,
                });
            }
            else
            {
                await context.Output.WriteLineAsync(outcome.Applied.Count == 0
                    ? $"Database {database.Description} is up to date ({outcome.Known} migrations)."
                    : $"Applied {outcome.Applied.Count} migration(s) to {database.Description}: {string.Join(", ", outcome.Applied.Select(m => m.FileName))}.");
            }
            return ExitCodes.Ok;
        }, cancellationToken, migrate: false));
        return new Command("db", "Database maintenance.") { migrate };
    }
}

using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Newsletter.Cli;

namespace Newsletter.Hosting;

public static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var urls = new Option<string[]>("--urls")
        {
            Description = "Where to listen, e.g. http://127.0.0.1:8080 (default: ASPNETCORE_URLS, else http://localhost:5080).",
            AllowMultipleArgumentsPerToken = true,
        };
        var demo = new Option<bool>("--demo") { Description = "First ingest the bundled sample day, add demo subscribers and write their digests (see the demo command)." };
        var command = new Command("serve", "Run the service: web pages, admin API and the digest scheduler.") { urls, demo };
        command.SetAction(async (result, cancellationToken) =>
        {
            WebApplication app;
            try
            {
                app = WebHost.Build(context.Switches, result.GetValue(urls) ?? []);
                await app.Services.PrepareAsync(migrate: true, cancellationToken);
            }
            catch (Exception e)
            {
                var (code, message) = CommandRunner.Describe(e);
                await context.Error.WriteLineAsync(message);
                return code;
            }
            await using (app)
            {
                if (result.GetValue(demo))
                {
                    var setup = app.Services.GetRequiredService<Scheduling.DemoSetup>();
                    await setup.WriteSummaryAsync(await setup.RunAsync(cancellationToken), context.Output);
                }
                try
                {
                    await app.StartAsync(cancellationToken);
                }
                catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
                {
                    await context.Error.WriteLineAsync($"error: {e.Message.TrimEnd('.')}; another program listens there (choose another with --urls).");
                    return ExitCodes.Failed;
                }
                var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
                var summary = await StartupSummary.ReadAsync(app.Services, [.. addresses], cancellationToken);
                await context.Output.WriteLineAsync(string.Join(Environment.NewLine, summary.Lines()));
                await context.Output.FlushAsync(cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

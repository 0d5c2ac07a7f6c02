using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Cli;
using Newsletter.Hosting;

namespace Newsletter.Web;

public static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var urls = new Option<string[]>("--urls")
        {
            Description = "Where to listen, e.g. http://127.0.0.1:5080 (default: ASPNETCORE_URLS, else http://localhost:5000).",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("serve", "Run the service: web pages, admin API and the digest scheduler.") { urls };
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
                await app.StartAsync(cancellationToken);
                var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
                await context.Output.WriteLineAsync($"Newsletter is running on {string.Join(", ", addresses)}. Press Ctrl+C to stop.");
                await app.WaitForShutdownAsync(cancellationToken);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using Newsletter.Cli;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Papers;
using Newsletter.Scheduling;
using Newsletter.Sources;

namespace Newsletter.Hosting;

public static class NewsletterCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default, bool interactive = false)
    {
        var switches = ConfigSwitches.Extract(args);
        CliContext context = null!;
        context = new CliContext(output, error, switches, interactive)
        {
            Runner = (body, migrate, ct) => CommandRunner.RunAsync(context, body, ct, migrate),
            Describe = CommandRunner.Describe,
            BuildHost = services => AppHost.BuildForCommand(switches, services),
        };
        var root = new RootCommand(
            "Newsletter: daily email digests of the trending papers that match each subscriber's keywords.\n" +
            "Any setting can be overridden with --Section:Key=value (e.g. --Database:ConnectionString=\"Data Source=x.db\"),\n" +
            "or NEWSLETTER__Section__Key in the environment; --config <file> reads another appsettings.json.");
        root.Subcommands.Add(IngestCommand.Create(context));
        root.Subcommands.Add(PapersCommand.Create(context));
        root.Subcommands.Add(DatabaseCommand.Create(context));
        root.Subcommands.Add(Matching.MatchCommand.Create(context));
        root.Subcommands.Add(Subscribers.SubscribersCommand.Create(context, async (services, subscriberId, ct) =>
            (await services.GetRequiredService<Delivery.ConfirmationSender>().SendOwedAsync(subscriberId, ct)).GetValueOrDefault(subscriberId)));
        root.Subcommands.Add(new Command("digest", "Run the daily digest by hand, preview one, or send one again.")
        {
            DigestRunCommand.Create(context), Digests.DigestPreviewCommand.Create(context), Delivery.ResendCommand.Create(context),
        });
        root.Subcommands.Add(Inbound.MailCommand.Create(context));
        root.Subcommands.Add(Delivery.DkimCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(Hosting.ServeCommand.Create(context));
        root.Subcommands.Add(Scheduling.RunsCommand.Create(context));
        root.Subcommands.Add(Operations.DoctorCommand.Create(context));

        var parse = root.Parse(switches.CommandArgs);
        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            foreach (var parseError in parse.Errors)
            {
                await context.Error.WriteLineAsync($"error: {parseError.Message}");
            }
            await context.Error.WriteLineAsync("Run with --help for usage.");
            return ExitCodes.Invalid;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = context.Output, Error = context.Error }, cancellationToken);
    }
}

using Newsletter.Common;
using System.Data.Common;
using Microsoft.Extensions.Options;
using Newsletter.Cli;
using Newsletter.Data;
using Newsletter.Sources;

namespace Newsletter.Hosting;

/// <summary>Runs a command's body inside a configured host and turns failures into one clear line and an exit code.</summary>
public static class CommandRunner
{
    public static async Task<int> RunAsync(
        CliContext context,
        Func<IServiceProvider, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken,
        bool migrate = true)
    {
        try
        {
            using var host = AppHost.BuildForCommand(context.Switches);
            await host.Services.PrepareAsync(migrate, cancellationToken);
            return await body(host.Services, cancellationToken);
        }
        catch (Exception e)
        {
            var (code, message) = Describe(e);
            if (code == ExitCodes.Cancelled)
            {
                await context.Error.WriteLineAsync("cancelled.");
            }
            else
            {
                await context.Error.WriteLineAsync(message);
            }
            return code;
        }
    }

    public static (int Code, string Message) Describe(Exception e) => e switch
    {
        OperationCanceledException => (ExitCodes.Cancelled, "cancelled."),
        UsageException u => (ExitCodes.Invalid, $"error: {u.Message}"),
        Subscribers.SubscriptionException s => (ExitCodes.Invalid, $"error: {s.Message}"),
        Matching.ProfileValidationException p => (ExitCodes.Invalid, $"error: {p.Message}"),
        ConfigurationError c => (ExitCodes.Invalid, $"configuration error: {c.Message}"),
        OptionsValidationException o => (ExitCodes.Invalid, "configuration error: " + string.Join(Environment.NewLine + "configuration error: ", o.Failures)),
        InvalidOperationException i when i.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal)
            => (ExitCodes.Invalid, $"configuration error: {i.Message.Replace("Failed to convert", "cannot read", StringComparison.Ordinal)}"),
        Digests.TemplateException t => (ExitCodes.Invalid, $"template error: {t.Message}"),
        ListingException { SourceUnreachable: true } l => (ExitCodes.Failed, $"error: {l.Message}"),
        ListingException l => (ExitCodes.Invalid, $"error: {l.Message}"), // the source answered, but not with a usable listing
        MigrationException m => (ExitCodes.Failed, $"database error: {m.Message}"),
        DbException d => (ExitCodes.Failed, $"database error: {d.Message}"),
        Delivery.ClaimsLostException c => (ExitCodes.Failed, $"error: {c.Message}"),
        _ => (ExitCodes.Failed, $"error: {e.GetType().Name}: {e.Message}"),
    };
}

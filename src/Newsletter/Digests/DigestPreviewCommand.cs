using System.CommandLine;
using Newsletter.Cli;
using Newsletter.Subscribers;

namespace Newsletter.Digests;

/// <summary><c>newsletter digest preview</c>: the digest a subscriber would get for a day, sending nothing.</summary>
public static class DigestPreviewCommand
{
    public static Command Create(CliContext context)
    {
        var email = new Option<string>("--email") { Description = "The subscriber.", Required = true };
        var date = CliOptions.Date("The listing day.");
        date.Required = true;
        var format = new Option<string>("--format") { Description = "html, text or eml (the whole message).", DefaultValueFactory = _ => "html" };
        format.AcceptOnlyFromAmong("html", "text", "eml");
        var command = new Command("preview", "Write the digest a subscriber would get for a day, sending nothing.") { email, date, format };
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var address = EmailAddress.Normalize(result.GetValue(email), out var problem) ?? throw new UsageException(problem);
            var subscriber = await services.GetRequiredService<SubscriberStore>().FindByEmailAsync(address, ct)
                ?? throw new UsageException($"no subscriber with the address {address}");
            var previews = services.GetRequiredService<DigestPreviews>();
            var preview = await previews.PreviewAsync(subscriber, result.GetValue(date)!.Value, ct);
            if (preview.WhyNone is { } why)
            {
                await context.Error.WriteLineAsync(why);
                return ExitCodes.Ok;
            }
            await context.Output.WriteAsync(previews.Render(preview, result.GetValue(format)!));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}

using System.CommandLine;
using Newsletter.Cli;
using Newsletter.Subscribers;

namespace Newsletter.Delivery;

/// <summary><c>newsletter digest resend</c>: the admin API's resend on the command line.</summary>
public static class ResendCommand
{
    public static Command Create(CliContext context)
    {
        var date = CliOptions.Date("The listing day of the digest to send again.");
        date.Required = true;
        var email = new Option<string?>("--email") { Description = "The subscriber to send it to again." };
        var all = new Option<bool>("--all") { Description = "Every active subscriber (one without a digest that day is listed as skipped)." };
        var deliveryStatus = new Option<string?>("--delivery-status") { Description = "With --all: only those whose digest that day is pending, deferred, uncertain, sent or failed." };
        deliveryStatus.AcceptOnlyFromAmong([.. ResendRecipients.DeliveryStatuses]);
        var dryRun = new Option<bool>("--dry-run") { Description = "Say who would get what; record and send nothing." };
        var json = CliOptions.Json();
        var command = new Command("resend", "Send a day's digest again (one more copy each time), as its own delivery.") { date, email, all, deliveryStatus, dryRun, json };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(email) is null) == !result.GetValue(all))
            {
                result.AddError("Give either --email or --all.");
            }
        });
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var subscribers = services.GetRequiredService<SubscriberStore>();
            var day = result.GetValue(date)!.Value;
            IReadOnlyList<Subscriber> recipients;
            if (result.GetValue(email) is { } address)
            {
                var normalised = EmailAddress.Normalize(address, out var problem) ?? throw new UsageException(problem);
                recipients = [await subscribers.FindByEmailAsync(normalised, ct) ?? throw new UsageException($"no subscriber with the address {normalised}")];
            }
            else
            {
                recipients = await services.GetRequiredService<ResendRecipients>().ChooseAsync(null, null, result.GetValue(deliveryStatus), day, ct);
            }
            var report = await ProgressDisplay.RunAsync(context, result.GetValue(json),
                progress => services.GetRequiredService<DigestResender>().ResendAsync(recipients, day, result.GetValue(dryRun), ct, progress));
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(new
                {
                    date = report.Date, dryRun = report.DryRun, requested = report.Recipients.Count, sent = report.Sent, failed = report.Failed,
                    skipped = report.Skipped, wouldSend = report.WouldSend, recipients = report.Recipients,
                });
            }
            else
            {
                foreach (var line in report.Recipients)
                {
                    await context.Output.WriteLineAsync($"{line.Email,-32} {line.Status,-10} {line.Papers.Count,3} papers {line.Reason}");
                }
                await context.Output.WriteLineAsync(report.DryRun
                    ? $"Dry run: {report.WouldSend} would get {report.Date:yyyy-MM-dd}'s digest again, {report.Skipped} skipped."
                    : $"Resent {report.Date:yyyy-MM-dd}'s digest: {report.Sent} sent, {report.Failed} failed, {report.Skipped} skipped.");
            }
            return report.Failed > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}

using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Cli;
using Newsletter.Matching;

namespace Newsletter.Subscribers;

public static class SubscribersCommand
{
    public static Command Create(CliContext context) => new("subscribers", "Add, list and remove subscribers.")
    {
        Add(context),
        List(context),
        Remove(context),
    };

    private static Command Add(CliContext context)
    {
        var email = new Option<string>("--email") { Description = "The subscriber's address.", Required = true };
        var name = new Option<string?>("--name") { Description = "How emails greet them." };
        var keywords = new Option<string[]>("--keyword") { Description = "A keyword (repeat for more); the profile language: words, \"phrases\", AND, OR, NOT, ( ).", Required = true };
        var exclusions = new Option<string[]>("--exclude") { Description = "An exclusion (repeat for more): a paper matching one is never sent." };
        var max = new Option<int?>("--max") { Description = $"Most papers per digest (default {Profile.DefaultMaxPapers})." };
        var minScore = new Option<double?>("--min-score") { Description = "Leave out papers scoring below this." };
        var sendHour = new Option<int?>("--send-hour") { Description = "Local hour (0-23) the digest goes out (default Schedule:DefaultSendHour)." };
        var timeZone = new Option<string?>("--time-zone") { Description = "IANA time zone of the send hour (default Schedule:DefaultTimeZone)." };
        var confirmed = new Option<bool>("--confirmed") { Description = "Skip the opt-in email (for admins importing a list that already opted in)." };
        var json = CliOptions.Json();
        var command = new Command("add", "Add a subscriber; without --confirmed they get a confirmation email and stay pending until they follow it.")
        {
            email, name, keywords, exclusions, max, minScore, sendHour, timeZone, confirmed, json,
        };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async (services, ct) =>
        {
            var added = await services.GetRequiredService<SubscriptionService>().AddAsync(new NewSubscription(
                result.GetValue(email)!, result.GetValue(name), result.GetValue(keywords) ?? [], result.GetValue(exclusions) ?? [],
                result.GetValue(max), result.GetValue(minScore), result.GetValue(sendHour), result.GetValue(timeZone), result.GetValue(confirmed)), ct);
            var s = added.Subscriber;
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(new { id = s.Id, email = s.Email, status = s.Status, confirmationSent = !result.GetValue(confirmed) && added.ConfirmationProblem is null, confirmationProblem = added.ConfirmationProblem });
            }
            else
            {
                await context.Output.WriteLineAsync(s.Status == SubscriberStatus.Active
                    ? $"Added {s.Email} (active)."
                    : added.ConfirmationProblem is null
                        ? $"Added {s.Email} (pending): a confirmation email was sent."
                        : $"Added {s.Email} (pending), but the confirmation email could not be sent: {added.ConfirmationProblem}");
            }
            return added.ConfirmationProblem is null ? ExitCodes.Ok : ExitCodes.Failed;
        }, cancellationToken));
        return command;
    }

    private static Command List(CliContext context)
    {
        var status = new Option<string?>("--status") { Description = "Only subscribers in this state." };
        status.AcceptOnlyFromAmong(SubscriberStatus.Pending, SubscriberStatus.Active, SubscriberStatus.Unsubscribed, SubscriberStatus.Suppressed);
        var json = CliOptions.Json();
        var command = new Command("list", "List subscribers with their profiles.") { status, json };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async (services, ct) =>
        {
            var all = await services.GetRequiredService<SubscriberStore>().ListAsync(result.GetValue(status), ct);
            var profiles = services.GetRequiredService<ProfileStore>();
            var rows = new List<object>();
            foreach (var s in all)
            {
                var p = await profiles.GetAsync(s.Id, ct);
                rows.Add(new
                {
                    id = s.Id,
                    email = s.Email,
                    name = s.Name,
                    status = s.Status,
                    sendHour = s.SendHour,
                    timeZone = s.TimeZone,
                    keywords = p?.Keywords ?? [],
                    exclusions = p?.Exclusions ?? [],
                    maxPapers = p?.MaxPapers ?? Profile.DefaultMaxPapers,
                    minScore = p?.MinScore,
                    createdAt = s.CreatedAt,
                    confirmedAt = s.ConfirmedAt,
                    statusReason = s.StatusReason,
                });
                if (!result.GetValue(json))
                {
                    await context.Output.WriteLineAsync($"{s.Email,-32} {s.Status,-12} {s.SendHour:00}:00 {s.TimeZone,-16} {string.Join(" | ", p?.Keywords ?? [])}");
                }
            }
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(rows);
            }
            else
            {
                await context.Output.WriteLineAsync($"{all.Count} subscribers.");
            }
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var email = new Option<string>("--email") { Description = "The subscriber to erase.", Required = true };
        var command = new Command("remove", "Erase a subscriber and their profile (their past deliveries are kept, anonymous).") { email };
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(context, async (services, ct) =>
        {
            var removed = await services.GetRequiredService<SubscriptionService>().RemoveAsync(result.GetValue(email)!, ct);
            if (!removed)
            {
                await context.Error.WriteLineAsync($"error: no subscriber with the address {result.GetValue(email)}.");
                return ExitCodes.Invalid;
            }
            await context.Output.WriteLineAsync($"Removed {result.GetValue(email)}.");
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}

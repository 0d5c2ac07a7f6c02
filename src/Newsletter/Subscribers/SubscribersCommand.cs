using System.CommandLine;
using Newsletter.Cli;
using Newsletter.Matching;

namespace Newsletter.Subscribers;

/// <summary>Sends a subscriber's queued confirmation email now; returns what went wrong, or null.</summary>
/// <remarks>Sending is Delivery's, a later folder: the composition root hands it to the command.</remarks>
public delegate Task<string?> SendConfirmationNow(IServiceProvider services, string subscriberId, CancellationToken cancellationToken);

public static class SubscribersCommand
{
    public static Command Create(CliContext context, SendConfirmationNow sendConfirmation) => new("subscribers", "Add, list, change, suppress and remove subscribers.")
    {
        Add(context, sendConfirmation),
        List(context),
        Update(context),
        Suppress(context),
        Remove(context),
    };

    private static Command Update(CliContext context)
    {
        var email = new Option<string>("--email") { Description = "The subscriber to change.", Required = true };
        var name = new Option<string?>("--name") { Description = "How emails greet them." };
        var keywords = new Option<string[]>("--keyword") { Description = "Replace the keywords (repeat for more)." };
        var exclusions = new Option<string[]>("--exclude") { Description = "Replace the exclusions (repeat for more)." };
        var max = new Option<int?>("--max") { Description = "Most papers per digest." };
        var minScore = new Option<double?>("--min-score") { Description = "Leave out papers scoring below this." };
        var sendHour = new Option<int?>("--send-hour") { Description = "Local hour (0-23) the digest goes out." };
        var timeZone = new Option<string?>("--time-zone") { Description = "IANA time zone of the send hour." };
        var pause = new Option<bool>("--pause") { Description = "Pause their digests." };
        var resume = new Option<bool>("--resume") { Description = "Resume paused digests." };
        var delivery = DeliveryOption("How they get their digest: email, or feed (only their private Atom feed, nothing mailed).");
        var (frequency, weekday) = FrequencyOptions();
        var focus = FocusOption("Replace the focus");
        var command = new Command("update", "Change a subscriber's keywords or settings; checked like the subscribe form, nothing stored on an error.")
        {
            email, name, keywords, exclusions, max, minScore, sendHour, timeZone, pause, resume,
            frequency, weekday,
            focus,
        };
        command.Options.Add(delivery);
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var subscriber = await FindAsync(services, result.GetValue(email)!, ct);
            bool? paused = result.GetValue(pause) ? true : result.GetValue(resume) ? false : null;
            await services.GetRequiredService<SubscriptionService>().UpdateAsync(subscriber.Id, new SubscriptionChange(
                result.GetValue(name),
                result.GetValue(keywords) is { Length: > 0 } k ? k : null,
                result.GetValue(exclusions) is { Length: > 0 } x ? x : null,
                result.GetValue(max),
                result.GetValue(minScore),
                result.GetValue(sendHour),
                result.GetValue(timeZone),
                paused,
                result.GetValue(delivery))
            {
                Frequency = result.GetValue(frequency),
                Weekday = result.GetValue(weekday),
                Focus = SubscriptionService.FocusOf(result.GetValue(focus)),
            }, ct);
            paused ??= subscriber.PausedAt is not null;
            await context.Output.WriteLineAsync($"Updated {subscriber.Email}{(paused == true ? " (paused)" : "")}.");
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command Suppress(CliContext context)
    {
        var email = new Option<string>("--email") { Description = "The subscriber to stop mailing.", Required = true };
        var reason = new Option<string?>("--reason") { Description = "Why, for the record." };
        var command = new Command("suppress", "Stop all mail to a subscriber (kept in the list, unlike remove).") { email, reason };
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var subscriber = await FindAsync(services, result.GetValue(email)!, ct);
            await services.GetRequiredService<SubscriberStore>().SetStatusAsync(subscriber.Id, SubscriberStatus.Suppressed, result.GetValue(reason) ?? "suppressed by an admin", ct);
            await context.Output.WriteLineAsync($"Suppressed {subscriber.Email}.");
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Option<string?> DeliveryOption(string description)
    {
        var option = new Option<string?>("--delivery") { Description = description };
        option.AcceptOnlyFromAmong([.. DeliveryMode.All]);
        return option;
    }

    private static async Task<Subscriber> FindAsync(IServiceProvider services, string email, CancellationToken cancellationToken)
    {
        var address = EmailAddress.Normalize(email, out var problem) ?? throw new UsageException(problem);
        return await services.GetRequiredService<SubscriberStore>().FindByEmailAsync(address, cancellationToken)
            ?? throw new UsageException($"no subscriber with the address {address}");
    }

    private static Command Add(CliContext context, SendConfirmationNow sendConfirmation)
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
        var (frequency, weekday) = FrequencyOptions();
        var focus = FocusOption($"How central a keyword must be (default {ProfileFocusNames.Broad})");
        var command = new Command("add", "Add a subscriber; without --confirmed they get a confirmation email and stay pending until they follow it.")
        {
            email, name, keywords, exclusions, max, minScore, sendHour, timeZone, confirmed, json,
            frequency, weekday,
            focus,
        };
        var delivery = DeliveryOption("How they get their digest: email (default), or feed (only their private Atom feed, nothing mailed; they still confirm their address).");
        command.Options.Add(delivery);
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var added = await services.GetRequiredService<SubscriptionService>().AddAsync(new NewSubscription(
                result.GetValue(email)!, result.GetValue(name), result.GetValue(keywords) ?? [], result.GetValue(exclusions) ?? [],
                result.GetValue(max), result.GetValue(minScore), result.GetValue(sendHour), result.GetValue(timeZone), result.GetValue(confirmed))
            {
                Delivery = result.GetValue(delivery),
                Frequency = result.GetValue(frequency),
                Weekday = result.GetValue(weekday),
                Focus = SubscriptionService.FocusOf(result.GetValue(focus)),
            }, ct);
            var s = added.Subscriber;
            // no service runs beside a command to send the queued confirmation: send it now, and say how it went
            var problem = s.Status == SubscriberStatus.Pending
                ? await sendConfirmation(services, s.Id, ct)
                : null;
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(new { id = s.Id, email = s.Email, status = s.Status, confirmationSent = !result.GetValue(confirmed) && problem is null, confirmationProblem = problem });
            }
            else
            {
                await context.Output.WriteLineAsync(s.Status == SubscriberStatus.Active
                    ? $"Added {s.Email} (active)."
                    : problem is null
                        ? $"Added {s.Email} (pending): a confirmation email was sent."
                        : $"Added {s.Email} (pending), but the confirmation email could not be sent: {problem}");
            }
            return problem is null ? ExitCodes.Ok : ExitCodes.Failed;
        }, cancellationToken));
        return command;
    }

    /// <summary><c>--frequency daily|weekdays|weekly</c> and <c>--weekday monday…sunday</c> (the day of a weekly digest).</summary>
    private static (Option<string?> Frequency, Option<string?> Weekday) FrequencyOptions()
    {
        var frequency = new Option<string?>("--frequency") { Description = "How often: daily (every listing day), weekdays (Monday to Friday) or weekly (default daily)." };
        var weekday = new Option<string?>("--weekday") { Description = "The day of a weekly digest, monday … sunday (default monday)." };
        frequency.Validators.Add(r =>
        {
            if (DigestFrequency.Parse(r.GetValueOrDefault<string?>(), null).Problem is { } problem)
            {
                r.AddError($"--frequency: {problem.Message}.");
            }
        });
        weekday.Validators.Add(r =>
        {
            if (DigestFrequency.Parse(null, r.GetValueOrDefault<string?>()).Problem is { } problem)
            {
                r.AddError($"--weekday: {problem.Message}.");
            }
        });
        return (frequency, weekday);
    }

    private static Option<string?> FocusOption(string what)
    {
        var focus = new Option<string?>("--focus")
        {
            Description = $"{what}: {ProfileFocusNames.Broad} (any mention of a keyword) or {ProfileFocusNames.Focused} (in the title or twice in the abstract).",
        };
        focus.AcceptOnlyFromAmong(ProfileFocusNames.Broad, ProfileFocusNames.Focused);
        return focus;
    }

    private static Command List(CliContext context)
    {
        var status = new Option<string?>("--status") { Description = "Only subscribers in this state." };
        status.AcceptOnlyFromAmong(SubscriberStatus.Pending, SubscriberStatus.Active, SubscriberStatus.Unsubscribed, SubscriberStatus.Suppressed);
        var json = CliOptions.Json();
        var command = new Command("list", "List subscribers with their profiles.") { status, json };
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var all = await services.GetRequiredService<SubscriberStore>().ListAsync(result.GetValue(status), ct);
            var profiles = await services.GetRequiredService<ProfileStore>().GetManyAsync([.. all.Select(s => s.Id)], ct);
            var rows = new List<object>();
            foreach (var s in all)
            {
                var p = profiles.GetValueOrDefault(s.Id);
                rows.Add(new
                {
                    id = s.Id,
                    email = s.Email,
                    name = s.Name,
                    status = s.Status,
                    sendHour = s.SendHour,
                    timeZone = s.TimeZone,
                    frequency = s.Frequency,
                    weekday = s.Weekday,
                    keywords = p?.Keywords ?? [],
                    exclusions = p?.Exclusions ?? [],
                    maxPapers = p?.MaxPapers ?? Profile.DefaultMaxPapers,
                    minScore = p?.MinScore,
                    createdAt = s.CreatedAt,
                    confirmedAt = s.ConfirmedAt,
                    statusReason = s.StatusReason,
                    delivery = s.Delivery,
                    focus = (p?.Focus ?? ProfileFocus.Broad).Name(),
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
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
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

using System.Globalization;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Matching;
using Newsletter.Scheduling;

namespace Newsletter.Subscribers;

/// <summary>
/// Every change to a subscription, from the command line, the pages or the admin API: everything checked before
/// anything is written, one transaction, then the opt-in email where one is owed.
/// </summary>
public sealed class SubscriptionService(
    Database database,
    SubscriberStore subscribers,
    ProfileStore profiles,
    ConfirmationMail confirmation,
    IMailTransport transport,
    IOptions<ScheduleOptions> schedule,
    TimeProvider clock)
{
    /// <exception cref="SubscriptionException">Bad input or a duplicate; nothing stored.</exception>
    /// <exception cref="ProfileValidationException">A keyword does not parse; nothing stored.</exception>
    public async Task<NewSubscriber> AddAsync(NewSubscription request, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(request.Email, out var problem) ?? throw new SubscriptionException(problem, "email");
        var settings = Check(new SubscriptionSettings(request.Name, request.Keywords, request.Exclusions, request.MaxPapers, request.MinScore, request.SendHour, request.TimeZone));
        var now = Now();
        var subscriber = new Subscriber
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Email = email,
            Name = settings.Name,
            Status = request.Confirmed ? SubscriberStatus.Active : SubscriberStatus.Pending,
            SendHour = settings.SendHour!.Value,
            TimeZone = settings.TimeZone!,
            Secret = NewSecret(),
            CreatedAt = now,
            ConfirmedAt = request.Confirmed ? now : null,
        };
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            try
            {
                await subscribers.InsertAsync(connection, transaction, subscriber);
            }
            catch (System.Data.Common.DbException e) when (Database.IsUniqueViolation(e)) // the email is already there
            {
                throw new SubscriptionException($"{email} is already subscribed", "email", duplicate: true);
            }
            await profiles.SaveAsync(connection, transaction, subscriber.Id, settings.Keywords, settings.Exclusions, settings.MaxPapers!.Value, settings.MinScore, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        string? confirmationProblem = null;
        if (!request.Confirmed)
        {
            confirmationProblem = await SendConfirmationAsync(subscriber, settings.Keywords, cancellationToken);
        }
        return new NewSubscriber(subscriber, confirmationProblem);
    }

    /// <summary>
    /// A subscription asked for on the public page. New addresses are added as pending; a pending or unsubscribed
    /// address takes the new profile and gets a (new) confirmation email; an active or suppressed one is left
    /// alone, so nobody can change someone else's profile without their signed link. The page answers the same
    /// in every case, so it does not tell who subscribes.
    /// </summary>
    /// <exception cref="SubscriptionException">Bad input; nothing stored.</exception>
    /// <exception cref="ProfileValidationException">A keyword does not parse; nothing stored.</exception>
    public async Task<SubscribeOutcome> RequestAsync(NewSubscription request, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(request.Email, out var problem) ?? throw new SubscriptionException(problem, "email");
        var settings = Check(new SubscriptionSettings(request.Name, request.Keywords, request.Exclusions, request.MaxPapers, request.MinScore, request.SendHour, request.TimeZone));
        var existing = await subscribers.FindByEmailAsync(email, cancellationToken);
        if (existing is null)
        {
            try
            {
                await AddAsync(request with { Email = email, Confirmed = false }, cancellationToken);
                return SubscribeOutcome.Created;
            }
            catch (SubscriptionException e) when (e.IsDuplicate)
            {
                existing = await subscribers.FindByEmailAsync(email, cancellationToken); // a double submit raced us
                if (existing is null)
                {
                    throw;
                }
            }
        }
        if (existing.Status is SubscriberStatus.Active or SubscriberStatus.Suppressed)
        {
            return existing.Status == SubscriberStatus.Active ? SubscribeOutcome.AlreadyActive : SubscribeOutcome.Suppressed;
        }
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await subscribers.UpdateSettingsAsync(connection, transaction, existing.Id, settings.Name, settings.SendHour!.Value, settings.TimeZone!, paused: false);
            await subscribers.SetStatusAsync(connection, transaction, existing.Id, SubscriberStatus.Pending, null);
            await profiles.SaveAsync(connection, transaction, existing.Id, settings.Keywords, settings.Exclusions, settings.MaxPapers!.Value, settings.MinScore, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await SendConfirmationAsync(existing, settings.Keywords, cancellationToken);
        return existing.Status == SubscriberStatus.Pending ? SubscribeOutcome.ConfirmationSentAgain : SubscribeOutcome.Resubscribing;
    }

    /// <summary>Replaces a subscriber's profile and settings (preferences page, admin API), checked first, in one transaction.</summary>
    /// <returns>False when there is no such subscriber.</returns>
    public async Task<bool> UpdateAsync(string subscriberId, SubscriptionSettings changes, bool paused, CancellationToken cancellationToken)
    {
        var settings = Check(changes);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await subscribers.UpdateSettingsAsync(connection, transaction, subscriberId, settings.Name, settings.SendHour!.Value, settings.TimeZone!, paused) == 0)
        {
            return false;
        }
        await profiles.SaveAsync(connection, transaction, subscriberId, settings.Keywords, settings.Exclusions, settings.MaxPapers!.Value, settings.MinScore, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <returns>null when the confirmation email went out, else why not.</returns>
    public async Task<string?> SendConfirmationAsync(Subscriber subscriber, IReadOnlyList<string> keywords, CancellationToken cancellationToken)
    {
        SendOutcome? outcome = null;
        await transport.SendAllAsync(One(new OutgoingMail("confirm:" + subscriber.Id, confirmation.Compose(subscriber, keywords))), (_, o) =>
        {
            outcome = o;
            return Task.CompletedTask;
        }, cancellationToken);
        return outcome?.Status == SendStatus.Sent ? null : outcome?.ServerReply ?? "the confirmation email was not sent";
    }

    /// <summary>Erases the subscriber and their profile; their past deliveries stay, anonymous, for the counts.</summary>
    public async Task<bool> RemoveAsync(string email, CancellationToken cancellationToken)
    {
        var normalised = EmailAddress.Normalize(email, out var problem) ?? throw new SubscriptionException(problem, "email");
        var subscriber = await subscribers.FindByEmailAsync(normalised, cancellationToken);
        return subscriber is not null && await EraseAsync(subscriber.Id, cancellationToken) is not null;
    }

    /// <summary>
    /// Erases everything personal about a subscriber (GDPR): the subscriber row, their profile, and the server
    /// replies in their deliveries (which often quote the address). The delivery rows stay under the random id,
    /// which nothing links to a person any more, so the counts stay right.
    /// </summary>
    /// <returns>How many deliveries were kept, anonymous; null when there is no such subscriber.</returns>
    public async Task<int?> EraseAsync(string subscriberId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await profiles.DeleteAsync(connection, transaction, subscriberId);
        if (await subscribers.DeleteAsync(connection, transaction, subscriberId) == 0)
        {
            return null;
        }
        var kept = await connection.ExecuteAsync(
            "UPDATE deliveries SET server_reply = NULL, updated_at = @Now WHERE subscriber_id = @Id", new { Id = subscriberId, Now = Now() }, transaction);
        await connection.ExecuteAsync("UPDATE delivery_papers SET matched = '[]' WHERE subscriber_id = @Id", new { Id = subscriberId }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return kept;
    }

    /// <summary>Send hour, zone and limits defaulted and checked, keywords compiled; throws on the first problem.</summary>
    private SubscriptionSettings Check(SubscriptionSettings s)
    {
        var sendHour = s.SendHour ?? schedule.Value.DefaultSendHour;
        if (sendHour is < 0 or > 23)
        {
            throw new SubscriptionException($"the send hour must be between 0 and 23 (was {sendHour})", "sendHour");
        }
        var timeZone = string.IsNullOrWhiteSpace(s.TimeZone) ? schedule.Value.DefaultTimeZone : s.TimeZone.Trim();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            throw new SubscriptionException($"'{timeZone}' is not a known time zone (use an IANA name such as Europe/Berlin)", "timeZone");
        }
        var maxPapers = s.MaxPapers ?? Profile.DefaultMaxPapers;
        if (maxPapers is < 1 or > Profile.MaxMaxPapers)
        {
            throw new SubscriptionException($"the most papers per digest must be between 1 and {Profile.MaxMaxPapers} (was {maxPapers})", "maxPapers");
        }
        var name = string.IsNullOrWhiteSpace(s.Name) ? null : s.Name.Trim();
        if (name is { Length: > 200 })
        {
            throw new SubscriptionException("the name is longer than 200 characters", "name");
        }
        Profile.Compile("check", s.Keywords, s.Exclusions, maxPapers, s.MinScore);
        return s with { Name = name, SendHour = sendHour, TimeZone = timeZone, MaxPapers = maxPapers };
    }

    private string Now() => clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    private static async IAsyncEnumerable<OutgoingMail> One(OutgoingMail mail)
    {
        await Task.CompletedTask;
        yield return mail;
    }
}

public sealed record NewSubscription(
    string Email,
    string? Name,
    IReadOnlyList<string> Keywords,
    IReadOnlyList<string> Exclusions,
    int? MaxPapers = null,
    double? MinScore = null,
    int? SendHour = null,
    string? TimeZone = null,
    bool Confirmed = false);

/// <summary>What a subscriber can change about their subscription; null send hour, zone or cap take the defaults.</summary>
public sealed record SubscriptionSettings(
    string? Name,
    IReadOnlyList<string> Keywords,
    IReadOnlyList<string> Exclusions,
    int? MaxPapers,
    double? MinScore,
    int? SendHour,
    string? TimeZone);

/// <param name="ConfirmationProblem">Set when the opt-in email could not be sent (the subscriber stays pending).</param>
public sealed record NewSubscriber(Subscriber Subscriber, string? ConfirmationProblem);

public enum SubscribeOutcome
{
    Created,
    ConfirmationSentAgain,
    Resubscribing,
    AlreadyActive,
    Suppressed,
}

/// <summary>A subscription request that cannot be accepted; the message says why, <see cref="Field"/> names the input at fault.</summary>
public sealed class SubscriptionException(string message, string field = "", bool duplicate = false) : Exception(message)
{
    public string Field { get; } = field;

    public bool IsDuplicate { get; } = duplicate;
}

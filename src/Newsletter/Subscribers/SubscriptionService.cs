using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Matching;
using Newsletter.Scheduling;

namespace Newsletter.Subscribers;

/// <summary>Adding and removing subscribers: everything checked before anything is written, one transaction, then the opt-in email.</summary>
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
        var email = EmailAddress.Normalize(request.Email, out var problem) ?? throw new SubscriptionException(problem);
        var sendHour = request.SendHour ?? schedule.Value.DefaultSendHour;
        if (sendHour is < 0 or > 23)
        {
            throw new SubscriptionException($"the send hour must be between 0 and 23 (was {sendHour})");
        }
        var timeZone = string.IsNullOrWhiteSpace(request.TimeZone) ? schedule.Value.DefaultTimeZone : request.TimeZone.Trim();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            throw new SubscriptionException($"'{timeZone}' is not a known time zone (use an IANA name such as Europe/Berlin)");
        }
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        Profile.Compile(id, request.Keywords, request.Exclusions, request.MaxPapers ?? Profile.DefaultMaxPapers, request.MinScore);

        var now = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var subscriber = new Subscriber
        {
            Id = id,
            Email = email,
            Name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim(),
            Status = request.Confirmed ? SubscriberStatus.Active : SubscriberStatus.Pending,
            SendHour = sendHour,
            TimeZone = timeZone,
            Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)),
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
            catch (SqliteException e) when (e.SqliteErrorCode == 19) // constraint: the email is already there
            {
                throw new SubscriptionException($"{email} is already subscribed");
            }
            await profiles.SaveAsync(connection, transaction, id, request.Keywords, request.Exclusions, request.MaxPapers ?? Profile.DefaultMaxPapers, request.MinScore);
            await transaction.CommitAsync(cancellationToken);
        }

        string? confirmationProblem = null;
        if (!request.Confirmed)
        {
            confirmationProblem = await SendConfirmationAsync(subscriber, request.Keywords, cancellationToken);
        }
        return new NewSubscriber(subscriber, confirmationProblem);
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
        var normalised = EmailAddress.Normalize(email, out var problem) ?? throw new SubscriptionException(problem);
        var subscriber = await subscribers.FindByEmailAsync(normalised, cancellationToken);
        if (subscriber is null)
        {
            return false;
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await profiles.DeleteAsync(connection, transaction, subscriber.Id);
        await subscribers.DeleteAsync(connection, transaction, subscriber.Id);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

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

/// <param name="ConfirmationProblem">Set when the opt-in email could not be sent (the subscriber stays pending).</param>
public sealed record NewSubscriber(Subscriber Subscriber, string? ConfirmationProblem);

/// <summary>A subscription request that cannot be accepted; the message says why.</summary>
public sealed class SubscriptionException(string message) : Exception(message);

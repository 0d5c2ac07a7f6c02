using System.Globalization;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Data;
using Newsletter.Matching;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Subscribers;

/// <summary>
/// Every change to a subscription, from the command line, the pages or the admin API: everything checked before
/// anything is written, one transaction, then the opt-in email where one is owed.
/// </summary>
public sealed class SubscriptionService(
    Database database,
    SubscriberStore subscribers,
    ProfileStore profiles,
    ConfirmationRequests confirmations,
    IOptions<SendTimeDefaults> schedule,
    IEnumerable<ISubscriberDataHolder> holders,
    TimeProvider clock)
{
    /// <exception cref="SubscriptionException">Bad input or a duplicate; nothing stored.</exception>
    /// <exception cref="ProfileValidationException">A keyword does not parse; nothing stored.</exception>
    public async Task<NewSubscriber> AddAsync(NewSubscription request, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(request.Email, out var problem) ?? throw new SubscriptionException(problem, "email");
        var settings = Check(new SubscriptionSettings(request.Name, request.Keywords, request.Exclusions, request.MaxPapers, request.MinScore, request.SendHour, request.TimeZone)
            with { Frequency = request.Frequency, Weekday = request.Weekday, Focus = request.Focus });
        var delivery = DeliveryMode.Check(request.Delivery);
        var now = Now(clock);
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
            Delivery = delivery,
            Frequency = settings.Frequency!,
            Weekday = settings.Weekday!,
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
            await profiles.SaveAsync(connection, transaction, subscriber.Id, settings.Keywords, settings.Exclusions, settings.MaxPapers!.Value, settings.MinScore, cancellationToken,
                settings.Focus!.Value);
            if (!request.Confirmed)
            {
                await confirmations.QueueAsync(connection, transaction, subscriber.Id);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        if (!request.Confirmed)
        {
            confirmations.Notify();
        }
        return new NewSubscriber(subscriber);
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
        var settings = Check(new SubscriptionSettings(request.Name, request.Keywords, request.Exclusions, request.MaxPapers, request.MinScore, request.SendHour, request.TimeZone)
            with { Frequency = request.Frequency, Weekday = request.Weekday, Focus = request.Focus });
        var delivery = DeliveryMode.Check(request.Delivery);
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
            await subscribers.UpdateFrequencyAsync(connection, transaction, existing.Id, settings.Frequency!, settings.Weekday!);
            await subscribers.SetStatusAsync(connection, transaction, existing.Id, SubscriberStatus.Pending, null);
            await subscribers.SetDeliveryAsync(connection, transaction, existing.Id, delivery);
            await profiles.SaveAsync(connection, transaction, existing.Id, settings.Keywords, settings.Exclusions, settings.MaxPapers!.Value, settings.MinScore, cancellationToken,
                settings.Focus!.Value);
            await confirmations.QueueAsync(connection, transaction, existing.Id);
            await transaction.CommitAsync(cancellationToken);
        }
        confirmations.Notify();
        return existing.Status == SubscriberStatus.Pending ? SubscribeOutcome.ConfirmationSentAgain : SubscribeOutcome.Resubscribing;
    }

    /// <summary>
    /// Changes a subscriber's profile and settings (preferences page, admin API, command line): only what
    /// <paramref name="change"/> gives changes, the rest is kept as stored; checked first, written in one transaction.
    /// </summary>
    /// <returns>False when there is no such subscriber.</returns>
    public async Task<bool> UpdateAsync(string subscriberId, SubscriptionChange change, CancellationToken cancellationToken)
    {
        var subscriber = await subscribers.GetAsync(subscriberId, cancellationToken);
        if (subscriber is null)
        {
            return false;
        }
        var current = await profiles.GetAsync(subscriberId, cancellationToken);
        var settings = Check(new SubscriptionSettings(
            change.Name ?? subscriber.Name,
            change.Keywords ?? current?.Keywords ?? [],
            change.Exclusions ?? current?.Exclusions ?? [],
            change.MaxPapers ?? current?.MaxPapers,
            change.MinScore ?? current?.MinScore,
            change.SendHour ?? (int)subscriber.SendHour,
            change.TimeZone ?? subscriber.TimeZone)
        {
            Frequency = change.Frequency ?? subscriber.Frequency,
            Weekday = change.Weekday ?? subscriber.Weekday,
            Focus = change.Focus ?? current?.Focus,
        });
        var paused = change.Paused ?? subscriber.PausedAt is not null;
        var delivery = change.Delivery is null ? null : DeliveryMode.Check(change.Delivery);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await subscribers.UpdateSettingsAsync(connection, transaction, subscriberId, settings.Name, settings.SendHour!.Value, settings.TimeZone!, paused) == 0)
        {
            return false;
        }
        await subscribers.UpdateFrequencyAsync(connection, transaction, subscriberId, settings.Frequency!, settings.Weekday!);
        await profiles.SaveAsync(connection, transaction, subscriberId, settings.Keywords, settings.Exclusions, settings.MaxPapers!.Value, settings.MinScore, cancellationToken,
            settings.Focus!.Value);
        if (delivery is not null)
        {
            await subscribers.SetDeliveryAsync(connection, transaction, subscriberId, delivery);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// An unsubscribed subscriber asks to come back (the page after unsubscribing): they are pending again and get a
    /// new confirmation email, as a new subscriber would; nobody is made active without proving the address again.
    /// </summary>
    /// <returns>False when there is no such subscriber or they are neither unsubscribed nor pending (nothing changes then).</returns>
    public async Task<bool> ResubscribeAsync(string subscriberId, CancellationToken cancellationToken)
    {
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            // pending to pending too: one who never confirmed gets the email again (at most one per Site:ConfirmResendMinutes)
            if (!await subscribers.TransitionAsync(connection, transaction, subscriberId, [SubscriberStatus.Unsubscribed, SubscriberStatus.Pending], SubscriberStatus.Pending, null))
            {
                return false;
            }
            await confirmations.QueueAsync(connection, transaction, subscriberId);
            await transaction.CommitAsync(cancellationToken);
        }
        confirmations.Notify();
        return true;
    }

    /// <summary>Erases the subscriber and their profile; their past deliveries stay, anonymous, for the counts.</summary>
    public async Task<bool> RemoveAsync(string email, CancellationToken cancellationToken)
    {
        var normalised = EmailAddress.Normalize(email, out var problem) ?? throw new SubscriptionException(problem, "email");
        var subscriber = await subscribers.FindByEmailAsync(normalised, cancellationToken);
        return subscriber is not null && await EraseAsync(subscriber.Id, cancellationToken) is not null;
    }

    /// <summary>
    /// Erases everything personal about a subscriber (GDPR): the subscriber row, their profile, and what later
    /// stages hold about them (the server replies in their deliveries, which often quote the address). The delivery
    /// rows stay under the random id, which nothing links to a person any more, so the counts stay right.
    /// </summary>
    /// <returns>How many deliveries were kept, anonymous; null when there is no such subscriber.</returns>
    public async Task<int?> EraseAsync(string subscriberId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await profiles.DeleteAsync(connection, transaction, subscriberId);
        await ConfirmationRequests.DeleteAsync(connection, transaction, subscriberId);
        if (await subscribers.DeleteAsync(connection, transaction, subscriberId) == 0)
        {
            return null;
        }
        var kept = 0;
        foreach (var holder in holders)
        {
            kept += await holder.ForgetAsync(connection, transaction, subscriberId, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return kept;
    }

    /// <summary>Send hour, zone and limits defaulted and checked, keywords compiled; throws on the first problem.</summary>
    /// <exception cref="SubscriptionException">A setting is out of range; <see cref="SubscriptionException.Field"/> names it.</exception>
    /// <exception cref="ProfileValidationException">A keyword does not parse.</exception>
    public SubscriptionSettings Check(SubscriptionSettings s) => Check(s, out _);

    /// <param name="profile">The keywords compiled as they will be stored (under a placeholder subscriber id).</param>
    public SubscriptionSettings Check(SubscriptionSettings s, out Profile profile)
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
        if (s.MinScore is { } minScore && (!double.IsFinite(minScore) || minScore is < 0 or > MaxMinScore))
        {
            throw new SubscriptionException($"the minimum score must be a number between 0 and {MaxMinScore} (was {minScore.ToString(CultureInfo.InvariantCulture)})", "minScore");
        }
        var (frequency, weekday, frequencyProblem) = DigestFrequency.Parse(s.Frequency, s.Weekday);
        if (frequencyProblem is { } bad)
        {
            throw new SubscriptionException(bad.Message, bad.Field);
        }
        var name = s.Name is null ? null : TypedText.Clean(s.Name);
        if (name is { Length: > MaxNameLength })
        {
            throw new SubscriptionException($"the name is longer than {MaxNameLength} characters", "name");
        }
        var keywords = Cleaned(s.Keywords);
        var exclusions = Cleaned(s.Exclusions);
        var focus = s.Focus ?? ProfileFocus.Broad;
        profile = Profile.Compile("check", keywords, exclusions, maxPapers, s.MinScore, focus);
        return s with { Name = name is "" ? null : name, Keywords = keywords, Exclusions = exclusions, SendHour = sendHour, TimeZone = timeZone, MaxPapers = maxPapers,
                      Frequency = frequency, Weekday = weekday, Focus = focus };
    }

    public const int MaxNameLength = 200;

    /// <summary>A focus as typed (form, API, CLI): null or empty keeps what is stored (broad for a new subscriber).</summary>
    /// <exception cref="SubscriptionException">Neither broad nor focused; the field is <c>focus</c>.</exception>
    public static ProfileFocus? FocusOf(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : ProfileFocusNames.TryParse(text, out var focus) ? focus
        : throw new SubscriptionException(ProfileFocusNames.Invalid(text), "focus");

    /// <summary>Scores add about 4 per matched keyword, so a minimum above this could never be met.</summary>
    public const double MaxMinScore = 1000;

    private static List<string> Cleaned(IReadOnlyList<string> keywords) =>
        [.. keywords.Select(k => TypedText.Clean(k ?? ""))]; // an empty one stays, so the parser's message names its position

    internal static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
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
    bool Confirmed = false,
    string? Delivery = null,
    ProfileFocus? Focus = null)
{
    /// <summary>daily (null), weekdays or weekly (<see cref="DigestFrequency"/>).</summary>
    public string? Frequency { get; init; }

    /// <summary>The day of a weekly digest; null: Monday.</summary>
    public string? Weekday { get; init; }
}

/// <summary>A change to a subscription: every field left null keeps what is stored; an empty <see cref="Name"/> clears it.</summary>
public sealed record SubscriptionChange(
    string? Name = null,
    IReadOnlyList<string>? Keywords = null,
    IReadOnlyList<string>? Exclusions = null,
    int? MaxPapers = null,
    double? MinScore = null,
    int? SendHour = null,
    string? TimeZone = null,
    bool? Paused = null,
    string? Delivery = null,
    ProfileFocus? Focus = null)
{
    public string? Frequency { get; init; }

    public string? Weekday { get; init; }
}

/// <summary>What a subscriber can change about their subscription; null send hour, zone or cap take the defaults.</summary>
public sealed record SubscriptionSettings(
    string? Name,
    IReadOnlyList<string> Keywords,
    IReadOnlyList<string> Exclusions,
    int? MaxPapers,
    double? MinScore,
    int? SendHour,
    string? TimeZone,
    ProfileFocus? Focus = null)
{
    /// <summary>null: daily (<see cref="DigestFrequency"/>).</summary>
    public string? Frequency { get; init; }

    /// <summary>null: Monday.</summary>
    public string? Weekday { get; init; }
}

/// <summary>A subscriber just added; a pending one has a confirmation email queued (<see cref="ConfirmationRequests"/>).</summary>
public sealed record NewSubscriber(Subscriber Subscriber);

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

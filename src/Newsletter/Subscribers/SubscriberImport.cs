using System.Globalization;
using Newsletter.Data;
using Newsletter.Matching;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Subscribers;

/// <summary>
/// Imports many subscribers at once (the admin API's CSV import): every row is checked like the subscribe form,
/// and a bad row is reported with its line and field, never written. New addresses are added; known ones take the
/// row's profile and settings, but keep their status: an import never re-subscribes someone who left or was
/// suppressed. Good rows are written in one transaction per <see cref="RowsPerTransaction"/>.
/// </summary>
public sealed class SubscriberImport(
    Database database,
    SubscriberStore subscribers,
    ProfileStore profiles,
    SubscriptionService subscriptions,
    ConfirmationRequests confirmations,
    TimeProvider clock)
{
    public const int RowsPerTransaction = 1_000;

    /// <param name="confirmed">
    /// The admin vouches for the addresses' consent: new subscribers are active (or the status their row gives).
    /// Otherwise new ones are pending and get the opt-in email, unless their row says they left or were suppressed.
    /// </param>
    /// <param name="dryRun">Check and count; write and send nothing.</param>
    public async Task<ImportReport> ImportAsync(IReadOnlyList<ImportRow> rows, bool confirmed, bool dryRun, CancellationToken cancellationToken)
    {
        var errors = new List<ImportError>();
        var checkedRows = new List<(ImportRow Row, string Email, SubscriptionSettings Settings, Profile Profile, string Status)>();
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var (email, settings, profile, problem) = Check(row, firstLine);
            if (problem is not null)
            {
                errors.Add(problem);
                continue;
            }
            firstLine[email!] = row.Line;
            checkedRows.Add((row, email!, settings!, profile!, Status(row, confirmed)));
        }

        var existing = await subscribers.FindManyByEmailAsync([.. checkedRows.Select(r => r.Email)], cancellationToken);
        var stored = await profiles.GetManyAsync([.. existing.Values.Select(s => s.Id)], cancellationToken);
        var toAdd = new List<(Subscriber Subscriber, Profile Profile)>();
        var toUpdate = new List<(Subscriber Subscriber, SubscriptionSettings Settings)>();
        var deliveries = new Dictionary<string, string>(StringComparer.Ordinal); // subscribers whose row names how they get their digest
        var unchanged = 0;
        var now = Now(clock);
        foreach (var (row, email, settings, profile, status) in checkedRows)
        {
            if (!existing.TryGetValue(email, out var known))
            {
                toAdd.Add((NewSubscriber(row, email, settings, status, now), profile));
                continue;
            }
            var kept = KeepFrequency(row, known, settings);
            if (Same(known, stored.GetValueOrDefault(known.Id), kept) && (row.Delivery is null || known.Delivery == DeliveryMode.Check(row.Delivery)))
            {
                unchanged++;
            }
            else
            {
                toUpdate.Add((known, kept));
                if (row.Delivery is not null)
                {
                    deliveries[known.Id] = DeliveryMode.Check(row.Delivery);
                }
            }
        }
        // someone who subscribed between the check and the write keeps their own subscription: not counted as added
        var added = dryRun ? toAdd.Count : await WriteAsync(toAdd, toUpdate, deliveries, cancellationToken);
        return new ImportReport(added, toUpdate.Count, unchanged + toAdd.Count - added, errors.Count, errors);
    }

    /// <summary>
    /// New subscribers many rows to a statement, then the rest one by one (updates are the rare case); each batch of
    /// <see cref="RowsPerTransaction"/> is one transaction. An address someone subscribed meanwhile is left to them.
    /// </summary>
    private async Task<int> WriteAsync(List<(Subscriber Subscriber, Profile Profile)> toAdd, List<(Subscriber Subscriber, SubscriptionSettings Settings)> toUpdate,
        Dictionary<string, string> deliveries, CancellationToken cancellationToken)
    {
        var added = 0;
        var queued = false;
        foreach (var batch in toAdd.Chunk(RowsPerTransaction))
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var inserted = await subscribers.InsertManyAsync(connection, transaction, [.. batch.Select(b => b.Subscriber)], cancellationToken);
            await profiles.InsertNewAsync(connection, transaction, [.. batch.Where(b => inserted.Contains(b.Subscriber.Id)).Select(b => (b.Subscriber.Id, b.Profile))],
                cancellationToken);
            foreach (var (subscriber, _) in batch.Where(b => inserted.Contains(b.Subscriber.Id) && b.Subscriber.Status == SubscriberStatus.Pending))
            {
                queued |= await confirmations.QueueAsync(connection, transaction, subscriber.Id);
            }
            await transaction.CommitAsync(cancellationToken);
            added += inserted.Count;
        }
        foreach (var batch in toUpdate.Chunk(RowsPerTransaction))
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var (subscriber, settings) in batch)
            {
                await subscribers.UpdateSettingsAsync(connection, transaction, subscriber.Id, settings.Name, settings.SendHour!.Value, settings.TimeZone!,
                    paused: subscriber.PausedAt is not null);
                await subscribers.UpdateFrequencyAsync(connection, transaction, subscriber.Id, settings.Frequency!, settings.Weekday!);
                await profiles.SaveAsync(connection, transaction, subscriber.Id, settings.Keywords, settings.Exclusions, settings.MaxPapers!.Value, settings.MinScore,
                    cancellationToken, settings.Focus!.Value);
                if (deliveries.TryGetValue(subscriber.Id, out var delivery))
                {
                    await subscribers.SetDeliveryAsync(connection, transaction, subscriber.Id, delivery);
                }
            }
            await transaction.CommitAsync(cancellationToken);
        }
        if (queued)
        {
            confirmations.Notify();
        }
        return added;
    }

    /// <summary>The row's address and settings as they would be stored, or the first problem with it.</summary>
    private (string? Email, SubscriptionSettings? Settings, Profile? Profile, ImportError? Problem) Check(ImportRow row, Dictionary<string, int> firstLine)
    {
        var email = EmailAddress.Normalize(row.Email, out var problem);
        if (email is null)
        {
            return (null, null, null, new ImportError(row.Line, "email", problem));
        }
        if (firstLine.TryGetValue(email, out var earlier))
        {
            return (null, null, null, new ImportError(row.Line, "email", $"{email} is already on line {earlier} of this file"));
        }
        if (row.Keywords.Count == 0)
        {
            return (null, null, null, new ImportError(row.Line, "keywords", "at least one keyword is required"));
        }
        if (row.Status is { Length: > 0 } status && !ImportableStatuses.Contains(status))
        {
            return (null, null, null, new ImportError(row.Line, "status", $"'{status}' is not one of {string.Join(", ", ImportableStatuses)}"));
        }
        if (row.Delivery is not null && !DeliveryMode.All.Contains(row.Delivery.Trim().ToLowerInvariant()))
        {
            return (null, null, null, new ImportError(row.Line, "delivery", $"'{row.Delivery}' is not one of {string.Join(", ", DeliveryMode.All)}"));
        }
        if (row.CreatedAt is { Length: > 0 } created && !DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            return (null, null, null, new ImportError(row.Line, "createdAt", $"'{created}' is not a date and time (ISO 8601)"));
        }
        try
        {
            var settings = subscriptions.Check(Settings(row), out var profile);
            return (email, settings, profile, null);
        }
        catch (SubscriptionException e)
        {
            return (null, null, null, new ImportError(row.Line, e.Field, e.Message));
        }
        catch (ProfileValidationException e)
        {
            return (null, null, null, new ImportError(row.Line, e.Kind == "exclusion" ? "exclusions" : "keywords", e.Message));
        }
    }

    private static readonly string[] ImportableStatuses =
        [SubscriberStatus.Active, SubscriberStatus.Pending, SubscriberStatus.Unsubscribed, SubscriberStatus.Suppressed];

    /// <summary>Unconfirmed imports are pending (they must opt in), except addresses that left or were suppressed: those stay so.</summary>
    private static string Status(ImportRow row, bool confirmed) => row.Status switch
    {
        SubscriberStatus.Unsubscribed or SubscriberStatus.Suppressed => row.Status,
        SubscriberStatus.Pending => SubscriberStatus.Pending,
        _ => confirmed ? SubscriberStatus.Active : SubscriberStatus.Pending,
    };

    private static SubscriptionSettings Settings(ImportRow row) =>
        new(row.Name, row.Keywords, row.Exclusions, row.MaxPapers, row.MinScore, row.SendHour, row.TimeZone) { Frequency = row.Frequency, Weekday = row.Weekday, Focus = row.Focus };

    /// <summary>A file without the frequency columns (or a row leaving them empty) keeps a known subscriber's frequency.</summary>
    private static SubscriptionSettings KeepFrequency(ImportRow row, Subscriber known, SubscriptionSettings settings) =>
        row.Frequency is null && row.Weekday is null ? settings with { Frequency = known.Frequency, Weekday = known.Weekday }
        : row.Weekday is null && settings.Frequency == known.Frequency ? settings with { Weekday = known.Weekday }
        : settings;

    private static Subscriber NewSubscriber(ImportRow row, string email, SubscriptionSettings settings, string status, string now)
    {
        var created = row.CreatedAt is { Length: > 0 } given
            ? DateTimeOffset.Parse(given, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                .ToString("O", CultureInfo.InvariantCulture)
            : now;
        return new Subscriber
        {
            Id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)),
            Email = email,
            Name = settings.Name,
            Status = status,
            SendHour = settings.SendHour!.Value,
            TimeZone = settings.TimeZone!,
            Secret = SubscriptionService.NewSecret(),
            CreatedAt = created,
            ConfirmedAt = status == SubscriberStatus.Active ? now : null,
            Delivery = DeliveryMode.Check(row.Delivery),
            Frequency = settings.Frequency!,
            Weekday = settings.Weekday!,
        };
    }

    private static bool Same(Subscriber known, StoredProfile? profile, SubscriptionSettings settings) =>
        profile is not null
        && known.Name == settings.Name && known.SendHour == settings.SendHour && known.TimeZone == settings.TimeZone
        && profile.Keywords.SequenceEqual(settings.Keywords) && profile.Exclusions.SequenceEqual(settings.Exclusions)
        && profile.MaxPapers == settings.MaxPapers && profile.MinScore == settings.MinScore
        && known.Frequency == settings.Frequency && known.Weekday == settings.Weekday
        && profile.Focus == settings.Focus;
}

/// <param name="Line">The row's line in the file (the header is line 1), for the errors.</param>
public sealed record ImportRow(
    int Line, string Email, string? Name, string? Status, IReadOnlyList<string> Keywords, IReadOnlyList<string> Exclusions,
    int? MaxPapers, double? MinScore, int? SendHour, string? TimeZone, string? CreatedAt)
{
    /// <summary>email or feed; null (no such column, or empty): new subscribers get email, known ones keep theirs.</summary>
    public string? Delivery { get; init; }

    /// <summary>null: the file has no such column, or the row leaves it empty.</summary>
    public string? Frequency { get; init; }

    public string? Weekday { get; init; }

    /// <summary>The <c>focus</c> column; null (a file without it, or an empty cell) is broad.</summary>
    public ProfileFocus? Focus { get; init; }
}

public sealed record ImportError(int Line, string Field, string Message);

public sealed record ImportReport(int Added, int Updated, int Unchanged, int Failed, IReadOnlyList<ImportError> Errors);

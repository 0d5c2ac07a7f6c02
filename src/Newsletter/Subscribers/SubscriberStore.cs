using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Dapper;
using Newsletter.Data;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Subscribers;

/// <summary>The subscribers table. Writes that belong with other writes take the caller's connection and transaction.</summary>
public sealed class SubscriberStore(Database database, TimeProvider clock)
{
    private const string Columns =
        "id AS Id, email AS Email, name AS Name, status AS Status, send_hour AS SendHour, time_zone AS TimeZone, " +
        "secret AS Secret, created_at AS CreatedAt, confirmed_at AS ConfirmedAt, status_reason AS StatusReason, paused_at AS PausedAt, " +
        "last_planned_day AS LastPlannedDay, " +
        "frequency AS Frequency, weekday AS Weekday, delivery AS Delivery";

    public Task InsertAsync(DbConnection connection, DbTransaction transaction, Subscriber subscriber) =>
        connection.ExecuteAsync(
            """
            INSERT INTO subscribers (id, email, name, status, send_hour, time_zone, secret, created_at, confirmed_at, updated_at,
                                     frequency, weekday, delivery)
            VALUES (@Id, @Email, @Name, @Status, @SendHour, @TimeZone, @Secret, @CreatedAt, @ConfirmedAt, @CreatedAt,
                    @Frequency, @Weekday, @Delivery)
            """,
            subscriber, transaction);

    private static readonly MultiRowInsert<Subscriber> NewRows = new(
        "subscribers", ["id", "email", "name", "status", "send_hour", "time_zone", "secret", "created_at", "confirmed_at", "updated_at",
                       "frequency", "weekday", "delivery"],
        s => [s.Id, s.Email, s.Name, s.Status, s.SendHour, s.TimeZone, s.Secret, s.CreatedAt, s.ConfirmedAt, s.CreatedAt,
              s.Frequency, s.Weekday, s.Delivery],
        "ON CONFLICT (email) DO NOTHING");

    /// <summary>Adds many subscribers; an address someone took meanwhile is skipped.</summary>
    /// <returns>The ids of those added.</returns>
    public async Task<HashSet<string>> InsertManyAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<Subscriber> added, CancellationToken cancellationToken) =>
        [.. await NewRows.ExecuteReturningAsync(connection, transaction, added, "id", cancellationToken)];

    public async Task<Subscriber?> FindByEmailAsync(string normalisedEmail, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Subscriber>($"SELECT {Columns} FROM subscribers WHERE email = @Email", new { Email = normalisedEmail });
    }

    /// <summary>The subscribers with these (normalised) addresses, by address; an address nobody has is left out.</summary>
    public async Task<Dictionary<string, Subscriber>> FindManyByEmailAsync(IReadOnlyList<string> normalisedEmails, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, Subscriber>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        Func<System.Data.Common.DbDataReader, Subscriber>? parse = null;
        await ByEmail.ForEachRowAsync(connection, null, normalisedEmails, row =>
        {
            var subscriber = (parse ??= row.GetRowParser<Subscriber>())(row);
            found[subscriber.Email] = subscriber;
        }, cancellationToken);
        return found;
    }

    private static readonly KeyedQuery ByEmail = new($"SELECT {Columns} FROM subscribers WHERE email IN ({{keys}})");

    public async Task<Subscriber?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Subscriber>($"SELECT {Columns} FROM subscribers WHERE id = @Id", new { Id = id });
    }

    public async Task<IReadOnlyList<Subscriber>> ListAsync(string? status, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<Subscriber>(
            $"SELECT {Columns} FROM subscribers WHERE @Status IS NULL OR status = @Status ORDER BY created_at, email", new { Status = status })];
    }

    /// <summary>
    /// Active subscribers who have not paused (those the daily run plans digests for), with what the schedule needs
    /// of them, read as they come: a wake-up over a million subscribers holds one row at a time, not a million
    /// whole subscribers (~0.9 KB each).
    /// </summary>
    public async IAsyncEnumerable<ScheduledSubscriber> ReceivingScheduleAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = connection.QueryUnbufferedAsync<ScheduledSubscriber>(
            """
            SELECT id AS Id, send_hour AS SendHour, time_zone AS TimeZone, created_at AS CreatedAt, confirmed_at AS ConfirmedAt,
                   last_planned_day AS LastPlannedDay, delivery AS Delivery, frequency AS Frequency, weekday AS Weekday
            FROM subscribers
            WHERE status = 'active' AND paused_at IS NULL
            ORDER BY created_at, email
            """);
        await foreach (var subscriber in rows.WithCancellation(cancellationToken))
        {
            yield return subscriber;
        }
    }

    /// <summary>
    /// The next <paramref name="limit"/> subscribers who receive digests after <paramref name="after"/> in the
    /// database's order of ids, with their schedule and what their digest dated <paramref name="date"/> covers, if
    /// they have one: a wake-up plans them a page at a time.
    /// </summary>
    public async Task<IReadOnlyList<ScheduledSubscriber>> SchedulePageAsync(string? after, int limit, DateOnly date, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<ScheduledSubscriber>(new CommandDefinition(
            $"""
            SELECT s.id AS Id, s.send_hour AS SendHour, s.time_zone AS TimeZone, s.created_at AS CreatedAt, s.confirmed_at AS ConfirmedAt,
                   s.last_planned_day AS LastPlannedDay, s.delivery AS Delivery, s.frequency AS Frequency, s.weekday AS Weekday,
                   (SELECT coalesce(d.first_day, d.digest_date) FROM deliveries d
                    WHERE d.subscriber_id = s.id AND d.digest_date = @Date AND d.sequence = 0) AS CoveredFrom
            FROM subscribers s
            WHERE {(after is null ? "" : "s.id > @After AND ")}s.status = 'active' AND s.paused_at IS NULL
            ORDER BY s.id
            LIMIT @Limit
            """, new { After = after, Date = Day(date), Limit = limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>
    /// The next <paramref name="limit"/> subscribers who receive digests after <paramref name="after"/> in the
    /// database's order of ids, each saying whether they have their digest dated <paramref name="date"/> yet: the
    /// daily run walks them a page at a time, so its memory does not grow with the list. The pages are the same for
    /// every node running the day (planning does not move their edges), so nodes can share them out.
    /// </summary>
    public async Task<IReadOnlyList<ReceivingSubscriber>> ReceivingPageAsync(string? after, int limit, DateOnly date, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<ReceivingSubscriber>(new CommandDefinition(
            $"""
            SELECT s.id AS Id, s.delivery AS Delivery,
                   CASE WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.subscriber_id = s.id AND d.digest_date = @Date AND d.sequence = 0) THEN 1 ELSE 0 END AS Planned
            FROM subscribers s
            WHERE {(after is null ? "" : "s.id > @After AND ")}s.status = 'active' AND s.paused_at IS NULL
            ORDER BY s.id
            LIMIT @Limit
            """, new { After = after, Date = Day(date), Limit = limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>How many subscribers receive digests and have none dated <paramref name="notPlannedOn"/> yet.</summary>
    public async Task<int> CountReceivingAsync(DateOnly notPlannedOn, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            SELECT count(*) FROM subscribers s
            WHERE s.status = 'active' AND s.paused_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscriber_id = s.id AND d.digest_date = @Date AND d.sequence = 0)
            """, new { Date = Day(notPlannedOn) }, cancellationToken: cancellationToken));
    }

    /// <summary>One page of subscribers, newest first; <paramref name="search"/> matches a part of the email or of a keyword as typed.</summary>
    public async Task<(IReadOnlyList<Subscriber> Items, long Total)> PageAsync(string? status, string? search, int page, int pageSize, CancellationToken cancellationToken)
    {
        // Keywords are searched in their own table, one plain row each (the profile's JSON text has brackets and
        // escapes a search must not see), by one pass over it rather than a probe per subscriber. Both sides are
        // folded by the database's lower(), so the search folds exactly as the stored text does. LIKE with the
        // search's own wildcards escaped: the same on SQLite and PostgreSQL.
        // Only the conditions asked for are in the statement: "@Status IS NULL OR …" would keep the planner from
        // walking the (status, created_at) index, and a page of one status would sort every subscriber of it.
        var conditions = new List<string>();
        if (status is not null)
        {
            conditions.Add("s.status = @Status");
        }
        if (!string.IsNullOrWhiteSpace(search))
        {
            conditions.Add("""
                (s.email LIKE lower(@Search) ESCAPE '\'
                 OR s.id IN (SELECT k.subscriber_id FROM profile_keywords k WHERE lower(k.keyword) LIKE lower(@Search) ESCAPE '\'))
                """);
        }
        var filter = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        var pattern = string.IsNullOrWhiteSpace(search)
            ? null
            : "%" + search.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        var args = new { Status = status, Search = pattern, Skip = (page - 1) * pageSize, Take = pageSize };
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM subscribers s {filter}", args);
        var items = await connection.QueryAsync<Subscriber>(
            $"SELECT {Columns} FROM subscribers s {filter} ORDER BY s.created_at DESC, s.email LIMIT @Take OFFSET @Skip", args);
        return ([.. items], total);
    }

    /// <summary>Name, send time and pause; the profile is saved beside it by the caller, in the same transaction.</summary>
    public Task<int> UpdateSettingsAsync(DbConnection connection, DbTransaction transaction, string id, string? name, long sendHour, string timeZone, bool paused) =>
        connection.ExecuteAsync(
            """
            UPDATE subscribers
            SET name = @Name, send_hour = @SendHour, time_zone = @TimeZone, updated_at = @Now,
                paused_at = CASE WHEN @Paused = 0 THEN NULL ELSE coalesce(paused_at, @Now) END
            WHERE id = @Id
            """,
            new { Id = id, Name = name, SendHour = sendHour, TimeZone = timeZone, Paused = paused ? 1 : 0, Now = Now(clock) }, transaction);

    /// <summary>How the subscriber reads their digest (<see cref="DeliveryMode"/>), in the caller's transaction with the rest of a change.</summary>
    public Task<int> SetDeliveryAsync(DbConnection connection, DbTransaction transaction, string id, string delivery) =>
        connection.ExecuteAsync(
            "UPDATE subscribers SET delivery = @Delivery, updated_at = @Now WHERE id = @Id",
            new { Id = id, Delivery = delivery, Now = Now(clock) }, transaction);

    /// <summary>How often they get a digest (checked by the caller); beside <see cref="UpdateSettingsAsync"/>, in its transaction.</summary>
    public Task<int> UpdateFrequencyAsync(DbConnection connection, DbTransaction transaction, string id, string frequency, string weekday) =>
        connection.ExecuteAsync("UPDATE subscribers SET frequency = @Frequency, weekday = @Weekday WHERE id = @Id",
            new { Id = id, Frequency = frequency, Weekday = weekday }, transaction);

    /// <summary>pending → active; returns false when the subscriber is not pending (already active, or gone).</summary>
    public async Task<bool> ConfirmAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = Now(clock);
        return await connection.ExecuteAsync(
            "UPDATE subscribers SET status = 'active', confirmed_at = @Now, updated_at = @Now WHERE id = @Id AND status = 'pending'",
            new { Id = id, Now = now }) == 1;
    }

    /// <summary>Moves a subscriber to <paramref name="to"/> only from one of the (one or two) states in <paramref name="from"/>; false otherwise.</summary>
    public async Task<bool> TransitionAsync(string id, IReadOnlyList<string> from, string to, string? reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await TransitionAsync(connection, null, id, from, to, reason);
    }

    /// <summary>As <see cref="TransitionAsync(string, IReadOnlyList{string}, string, string?, CancellationToken)"/>, in the caller's transaction.</summary>
    public async Task<bool> TransitionAsync(DbConnection connection, DbTransaction? transaction, string id, IReadOnlyList<string> from, string to, string? reason)
    {
        var now = Now(clock);
        return await connection.ExecuteAsync(
            """
            UPDATE subscribers
            SET status = @To, status_reason = @Reason, updated_at = @Now,
                confirmed_at = CASE WHEN @To = 'active' THEN coalesce(confirmed_at, @Now) ELSE confirmed_at END
            WHERE id = @Id AND status IN (@From1, @From2)
            """,
            new { Id = id, From1 = from[0], From2 = from[^1], To = to, Reason = reason, Now = now }, transaction) == 1;
    }

    public async Task<bool> SetStatusAsync(string id, string status, string? reason, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await SetStatusAsync(connection, null, id, status, reason);
    }

    public async Task<bool> SetStatusAsync(DbConnection connection, DbTransaction? transaction, string id, string status, string? reason) =>
        await connection.ExecuteAsync(
            "UPDATE subscribers SET status = @Status, status_reason = @Reason, updated_at = @Now WHERE id = @Id",
            new { Id = id, Status = status, Reason = reason, Now = Now(clock) }, transaction) == 1;

    /// <summary>
    /// A subscriber's mark moves on only over days without a gap: from the day before (or from nothing, or from further
    /// back than a catch-up reaches). A day that failed stays owed, so the mark waits before it; the days after it
    /// are planned all the same, and planning them again once the gap is filled adds nothing (the outbox's key).
    /// </summary>
    private const string MarkCondition =
        "(last_planned_day IS NULL OR (last_planned_day < @Day AND (last_planned_day >= @Previous OR last_planned_day < @Reach)))";

    /// <summary>Subscribers marked per statement when a whole day is marked.</summary>
    private const int MarkPage = 10_000;

    private static readonly KeyedQuery MarkSomePlanned = new($"UPDATE subscribers SET last_planned_day = @Day WHERE {MarkCondition} AND id IN ({{keys}})", 256);

    /// <summary>Records that these subscribers (null: every one who receives digests) were planned for <paramref name="day"/>.</summary>
    /// <param name="reach">How many listing days a catch-up goes back: a mark older than that no longer holds a day back.</param>
    public async Task MarkPlannedAsync(DateOnly day, IReadOnlyCollection<string>? ids, int reach, CancellationToken cancellationToken)
    {
        static string Text(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        (string Day, string Previous, string Reach) at = (Text(day), Text(day.AddDays(-1)), Text(day.AddDays(-reach)));
        await using var connection = await database.OpenAsync(cancellationToken);
        if (ids is null)
        {
            // a range of ids at a time, each its own short transaction, the rows taken in the order of the key: nodes
            // finishing the same day at once mark the same rows, and one statement over all of them had two nodes
            // lock a million rows each in different orders (PostgreSQL found the deadlock and failed a run)
            string? after = null;
            while (await connection.QueryFirstOrDefaultAsync<(string? First, string? Last)>(new CommandDefinition(
                       $"""
                       SELECT min(id) AS First, max(id) AS Last FROM (
                           SELECT id FROM subscribers WHERE {(after is null ? "" : "id > @After AND ")}status = 'active' AND paused_at IS NULL
                           ORDER BY id LIMIT @Limit) page
                       """, new { After = after, Limit = MarkPage }, cancellationToken: cancellationToken)) is { First: { } first, Last: { } last })
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE subscribers SET last_planned_day = @Day WHERE id >= @First AND id <= @Last AND status = 'active' AND paused_at IS NULL AND {MarkCondition}",
                    new { at.Day, at.Previous, at.Reach, First = first, Last = last }, cancellationToken: cancellationToken));
                after = last;
            }
            return;
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // in one order whoever marks them: two nodes marking overlapping subscribers take their rows in the same order
        await MarkSomePlanned.ForEachRowAsync(connection, transaction, [.. ids.Order(StringComparer.Ordinal)], _ => { }, cancellationToken, ("@Day", at.Day), ("@Previous", at.Previous), ("@Reach", at.Reach));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Records that these subscribers' digest covering every listing day up to <paramref name="day"/> is owed (or that
    /// nothing matched in those days): the mark only moves forward.
    /// </summary>
    public async Task MarkCoveredAsync(DateOnly day, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await MarkSomeCovered.ForEachRowAsync(connection, transaction, [.. ids.Order(StringComparer.Ordinal)], _ => { }, cancellationToken, ("@Day", Day(day)));
        await transaction.CommitAsync(cancellationToken);
    }

    private static readonly KeyedQuery MarkSomeCovered = new(
        "UPDATE subscribers SET last_planned_day = @Day WHERE (last_planned_day IS NULL OR last_planned_day < @Day) AND id IN ({keys})", 256);

    public Task<int> DeleteAsync(DbConnection connection, DbTransaction transaction, string id) =>
        connection.ExecuteAsync("DELETE FROM subscribers WHERE id = @Id", new { Id = id }, transaction);

}

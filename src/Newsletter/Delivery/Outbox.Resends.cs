using System.Globalization;
using Dapper;
using static Newsletter.Common.StoredTime;
using Newsletter.Digests;

namespace Newsletter.Delivery;

/// <summary>Resends: a copy of a day's digest recorded as its own delivery, numbered after the ones before it.</summary>
public sealed partial class Outbox
{
    /// <summary>The day's original digests (sequence 0) of these subscribers with their papers; a subscriber with none is left out.</summary>
    public async Task<Dictionary<string, (string Status, IReadOnlyList<SelectedPaper> Papers)>> OriginalsAsync(
        IReadOnlyList<string> subscriberIds, DateOnly date, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var statuses = await OriginalStatusesAsync(connection, subscriberIds, date, cancellationToken);
        var papers = await PapersOfAsync(connection, [.. statuses.Keys.Select(s => DigestPlans.DeliveryId(s, date, 0))], cancellationToken);
        return statuses.ToDictionary(
            s => s.Key, s => (s.Value, (IReadOnlyList<SelectedPaper>)(papers.Papers.GetValueOrDefault(DigestPlans.DeliveryId(s.Key, date, 0)) ?? [])), StringComparer.Ordinal);
    }

    /// <summary>The status of the day's original digest of each of these subscribers; a subscriber with none is left out.</summary>
    public async Task<Dictionary<string, string>> OriginalStatusesAsync(IReadOnlyList<string> subscriberIds, DateOnly date, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await OriginalStatusesAsync(connection, subscriberIds, date, cancellationToken);
    }

    private static async Task<Dictionary<string, string>> OriginalStatusesAsync(System.Data.Common.DbConnection connection, IReadOnlyList<string> subscriberIds, DateOnly date, CancellationToken cancellationToken)
    {
        var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
        await OriginalStatus.ForEachRowAsync(connection, null, [.. subscriberIds.Select(s => DigestPlans.DeliveryId(s, date, 0))],
            row => statuses[row.GetString(0)] = row.GetString(1), cancellationToken);
        return statuses;
    }

    private static readonly Data.KeyedQuery OriginalStatus = new("SELECT subscriber_id, status FROM deliveries WHERE id IN ({keys})");

    /// <summary>
    /// Records one more copy of a day's digest as owed, under the next free sequence number. The number is taken
    /// inside the write transaction, so two resends at once get two numbers, never one shared row.
    /// </summary>
    /// <remarks>The row is born claimed by <paramref name="claimer"/>, so no other sender picks it up before this one sends it.</remarks>
    public async Task<PlannedDigest> AddResendAsync(string subscriberId, DateOnly date, IReadOnlyList<SelectedPaper> papers, string messageDomain,
        string claimer, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var sequence = 1 + await connection.ExecuteScalarAsync<int>(
            "SELECT coalesce(max(sequence), 0) FROM deliveries WHERE subscriber_id = @Subscriber AND digest_date = @Date",
            new { Subscriber = subscriberId, Date = Day(date) }, transaction);
        var digest = new PlannedDigest(subscriberId, date, sequence, DigestComposer.MessageId(subscriberId, date, sequence, messageDomain), papers,
            clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        await DigestPlans.DeliveryInsert.ExecuteAsync(connection, transaction, [digest], cancellationToken);
        await DigestPlans.PaperInsert.ExecuteAsync(connection, transaction, [digest], cancellationToken);
        await connection.ExecuteAsync("UPDATE deliveries SET claimed_by = @Claimer, claimed_until = @Until WHERE id = @Id",
            new { Id = digest.Id, Claimer = claimer, Until = Stamp(clock.GetUtcNow() + lease) }, transaction);
        // a copy covers the listing days its original covered (its subject and header name them)
        await connection.ExecuteAsync("UPDATE deliveries SET first_day = (SELECT o.first_day FROM deliveries o WHERE o.id = @Original) WHERE id = @Id",
            new { Id = digest.Id, Original = DigestPlans.DeliveryId(subscriberId, date, 0) }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return digest;
    }

    /// <summary>These deliveries, if still owed, ready to send.</summary>
    public async Task<IReadOnlyList<OwedDigest>> OwedByIdAsync(IReadOnlyList<string> deliveryIds, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = new List<(string Id, string Date, long Sequence, string SubscriberId, string Email, string? Name, string Secret, string Status,
            string DeliveryStatus, long Deferrals, string CreatedAt, string Delivery, string? FirstDay)>();
        await OwedById.ForEachRowAsync(connection, null, deliveryIds, row => rows.Add((
            row.GetString(0), row.GetString(1), row.GetInt64(2), row.GetString(3), row.GetString(4), row.IsDBNull(5) ? null : row.GetString(5), row.GetString(6), row.GetString(7),
            row.GetString(8), row.GetInt64(9), row.GetString(10), row.GetString(11), row.IsDBNull(12) ? null : row.GetString(12))),
            cancellationToken);
        var papers = await PapersOfAsync(connection, [.. rows.Select(r => r.Id)], cancellationToken);
        return [.. rows.Select(r => new OwedDigest(
            r.Id, new DigestRecipient(r.SubscriberId, r.Email, r.Name, r.Secret), DateOnly.ParseExact(r.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            (int)r.Sequence, r.Status, papers.Papers.GetValueOrDefault(r.Id) ?? [], papers.Problems.GetValueOrDefault(r.Id),
            r.DeliveryStatus, (int)r.Deferrals, DateTimeOffset.Parse(r.CreatedAt, CultureInfo.InvariantCulture))
        {
            SubscriberDelivery = r.Delivery,
            FirstDay = r.FirstDay is null ? null : DateOnly.ParseExact(r.FirstDay, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        })];
    }

    /// <summary>Status and last server reply of these deliveries.</summary>
    public async Task<Dictionary<string, (string Status, string? Reply)>> StatusOfAsync(IReadOnlyList<string> deliveryIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        await StatusById.ForEachRowAsync(connection, null, deliveryIds,
            row => result[row.GetString(0)] = (row.GetString(1), row.IsDBNull(2) ? null : row.GetString(2)), cancellationToken);
        return result;
    }

    private static readonly Data.KeyedQuery StatusById = new("SELECT id, status, server_reply FROM deliveries WHERE id IN ({keys})");

    private static readonly Data.KeyedQuery OwedById = new(
        """
        SELECT d.id, d.digest_date, d.sequence, s.id, s.email, s.name, s.secret, s.status, d.status, d.deferrals, d.created_at, s.delivery, d.first_day
        FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
        WHERE d.status IN ('pending', 'deferred', 'uncertain') AND d.id IN ({keys})
        ORDER BY d.id
        """);
}

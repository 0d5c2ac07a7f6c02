using System.Data.Common;
using System.Globalization;
using Dapper;
using Newsletter.Data;
using Newsletter.Subscribers;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Inbound;

/// <summary>
/// The inbound_mail table: every message processed, under a unique key, written in the transaction of what it did.
/// It is what makes processing a message twice change nothing, and what the bounce log, the rates and the soft-bounce
/// count read.
/// </summary>
public sealed class InboundLog(Database database, TimeProvider clock) : ISubscriberDataHolder
{
    /// <summary>
    /// Claims the message's key and records it; false when the key is already there (processed before, or right now
    /// by another process, whose transaction this waits for). The database decides, so a poller killed between
    /// processing a message and moving it out of the mailbox cannot make it count twice.
    /// </summary>
    internal async Task<bool> TryRecordAsync(DbConnection connection, DbTransaction transaction, string key, string? messageId, string kind,
        string? subscriberId, string? deliveryId, string? statusCode, string reason, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO inbound_mail (message_key, message_id, kind, subscriber_id, delivery_id, status_code, reason, processed_at)
            VALUES (@Key, @MessageId, @Kind, @SubscriberId, @DeliveryId, @StatusCode, @Reason, @Now)
            ON CONFLICT (message_key) DO NOTHING
            """,
            new { Key = key, MessageId = messageId, Kind = kind, SubscriberId = subscriberId, DeliveryId = deliveryId, StatusCode = statusCode, Reason = reason, Now = Stamp(clock.GetUtcNow()) },
            transaction, cancellationToken: cancellationToken)) == 1;

    internal Task MarkSuppressedAsync(DbConnection connection, DbTransaction transaction, string key, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE inbound_mail SET suppressed = 1 WHERE message_key = @Key", new { Key = key }, transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// The subscriber's soft bounces within <paramref name="days"/>, this one included, counting each digest once (a
    /// "delayed" warning and the later failure of the same digest are one soft bounce).
    /// </summary>
    internal async Task<long> SoftBouncesAsync(DbConnection connection, DbTransaction transaction, string subscriberId, int days, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            SELECT count(DISTINCT coalesce(delivery_id, message_key)) FROM inbound_mail
            WHERE subscriber_id = @Id AND kind = 'soft-bounce' AND processed_at >= @Since
            """,
            new { Id = subscriberId, Since = Stamp(clock.GetUtcNow().AddDays(-days)) }, transaction, cancellationToken: cancellationToken));

    /// <summary>When this message was processed before, and as what; null when it never was.</summary>
    public async Task<(string Kind, string ProcessedAt)?> EarlierAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Kind, string ProcessedAt)>(new CommandDefinition(
            "SELECT kind, processed_at FROM inbound_mail WHERE message_key = @Key", new { Key = key }, cancellationToken: cancellationToken));
        return rows.Select(r => ((string, string)?)r).FirstOrDefault();
    }

    /// <summary>What was processed since <paramref name="since"/>, newest first (<paramref name="kind"/>: only that kind).</summary>
    public async Task<IReadOnlyList<InboundRecord>> ListAsync(DateTimeOffset since, string? kind, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<InboundRecord>(new CommandDefinition(
            """
            SELECT processed_at AS ProcessedAt, kind AS Kind, subscriber_id AS SubscriberId, delivery_id AS DeliveryId, status_code AS StatusCode,
                   reason AS Reason, suppressed AS Suppressed, message_id AS MessageId
            FROM inbound_mail
            WHERE processed_at >= @Since AND (@Kind IS NULL OR kind = @Kind)
            ORDER BY processed_at DESC, message_key
            LIMIT @Limit
            """,
            new { Since = Stamp(since), Kind = kind, Limit = limit }, cancellationToken: cancellationToken))];
    }

    /// <summary>How many of each kind were processed since <paramref name="since"/>.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountsAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Kind, long Count)>(new CommandDefinition(
            "SELECT kind, count(*) FROM inbound_mail WHERE processed_at >= @Since GROUP BY kind",
            new { Since = Stamp(since) }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Kind, r => r.Count, StringComparer.Ordinal);
    }

    /// <summary>
    /// Over the digests sent since <paramref name="since"/>: how many went out, how many of them bounced (hard or soft,
    /// each digest once) and how many were reported as spam. What doctor compares with the providers' limits.
    /// </summary>
    public async Task<ReturnRates> RatesAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleAsync<ReturnRates>(new CommandDefinition(
            """
            SELECT (SELECT count(*) FROM deliveries WHERE sent_at >= @SentSince) AS Sent,
                   (SELECT count(DISTINCT coalesce(delivery_id, message_key)) FROM inbound_mail
                    WHERE kind IN ('hard-bounce', 'soft-bounce') AND processed_at >= @Since) AS Bounced,
                   (SELECT count(DISTINCT coalesce(delivery_id, message_key)) FROM inbound_mail
                    WHERE kind = 'complaint' AND processed_at >= @Since) AS Complained
            """,
            new { SentSince = since.ToString("O", CultureInfo.InvariantCulture), Since = Stamp(since) }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// An erased subscriber's inbound rows stay for the counts and rates, without the reasons (they quote the address).
    /// Returns 0: what an erase reports as kept is deliveries.
    /// </summary>
    public async Task<int> ForgetAsync(DbConnection connection, DbTransaction transaction, string subscriberId, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE inbound_mail SET reason = '(erased)', message_id = NULL WHERE subscriber_id = @Id",
            new { Id = subscriberId }, transaction, cancellationToken: cancellationToken));
        return 0;
    }
}

/// <summary>One processed inbound message, as the bounce log shows it.</summary>
public sealed record InboundRecord
{
    public string ProcessedAt { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? SubscriberId { get; init; }
    public string? DeliveryId { get; init; }
    public string? StatusCode { get; init; }
    public string Reason { get; init; } = "";
    public bool Suppressed { get; init; }
    public string? MessageId { get; init; }
}

/// <summary>Digests sent in a period, and how many of them bounced or drew a complaint.</summary>
public sealed record ReturnRates
{
    public long Sent { get; init; }
    public long Bounced { get; init; }
    public long Complained { get; init; }
}

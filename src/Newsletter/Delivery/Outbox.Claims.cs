using System.Globalization;
using Dapper;
using Newsletter.Data;

namespace Newsletter.Delivery;

/// <summary>
/// Claims: before sending, a sender stamps a batch of owed digests with its name and a lease. The claim is one
/// statement, so two senders never get the same row (SQLite: its single writer; PostgreSQL: FOR UPDATE SKIP LOCKED,
/// so senders skip each other's rows instead of waiting). A dead sender's rows come free when its lease runs out.
/// </summary>
public sealed partial class Outbox
{
    /// <summary>Claims up to <paramref name="batchSize"/> owed digests (of <paramref name="date"/>, or of any day) nobody holds, and returns them ready to send.</summary>
    public async Task<IReadOnlyList<OwedDigest>> ClaimAsync(DateOnly? date, string claimer, int batchSize, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var skipLocked = database.Provider == DatabaseProvider.Postgres ? "FOR UPDATE SKIP LOCKED" : "";
        List<string> ids;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            ids = [.. await connection.QueryAsync<string>(
                $"""
                UPDATE deliveries SET claimed_by = @Claimer, claimed_until = @Until
                WHERE id IN (
                    SELECT id FROM deliveries
                    WHERE status = 'pending' AND (@Date IS NULL OR digest_date = @Date)
                      AND (claimed_until IS NULL OR claimed_until < @Now)
                    ORDER BY id
                    LIMIT @Batch
                    {skipLocked})
                RETURNING id
                """,
                new { Claimer = claimer, Until = Stamp(now + lease), Now = Stamp(now), Date = date is { } d ? Day(d) : null, Batch = batchSize })];
        }
        if (ids.Count == 0)
        {
            return [];
        }
        var owed = await OwedByIdAsync([.. ids.Order(StringComparer.Ordinal)], cancellationToken);
        if (owed.Count < ids.Count)
        {
            // owed to a subscriber erased since it was planned: close the row, or every sender would wait for it for ever
            foreach (var orphan in ids.Except(owed.Select(o => o.DeliveryId)))
            {
                await MarkFailedAsync(orphan, "not sent: the subscriber was erased", 0, cancellationToken);
            }
        }
        return owed;
    }

    /// <summary>Extends the lease on everything this sender still holds (so only a dead sender's claims lapse).</summary>
    public async Task RenewClaimsAsync(string claimer, TimeSpan lease, CancellationToken cancellationToken)
    {
        // PostgreSQL: rows locked right now are being marked sent (they leave 'pending' anyway); waiting for them while
        // the marking waits for rows this statement holds would be a deadlock, so skip them
        var skipLocked = database.Provider == DatabaseProvider.Postgres ? "FOR UPDATE SKIP LOCKED" : "";
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            $"""
            UPDATE deliveries SET claimed_until = @Until
            WHERE id IN (SELECT id FROM deliveries WHERE claimed_by = @Claimer AND status = 'pending' {skipLocked})
            """,
            new { Claimer = claimer, Until = Stamp(clock.GetUtcNow() + lease) });
    }

    /// <summary>Whether any digest (of the day, or of any day) is still owed, whoever holds it.</summary>
    public async Task<bool> AnyOwedAsync(DateOnly? date, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM (SELECT 1 FROM deliveries WHERE status = 'pending' AND (@Date IS NULL OR digest_date = @Date) LIMIT 1) owed",
            new { Date = date is { } d ? Day(d) : null }) > 0;
    }

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}

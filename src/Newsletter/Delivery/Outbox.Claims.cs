using System.Globalization;
using Dapper;
using Newsletter.Data;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Delivery;

/// <summary>
/// Claims: before sending, a sender stamps a batch of owed digests with its name and a lease. The claim is one
/// statement, so two senders never get the same row (SQLite: its single writer; PostgreSQL: FOR UPDATE SKIP LOCKED,
/// so senders skip each other's rows instead of waiting). A dead sender's rows come free when its lease runs out.
/// </summary>
public sealed partial class Outbox
{
    /// <summary>
    /// Claims up to <paramref name="batchSize"/> owed digests (of <paramref name="date"/>, or of any day, oldest
    /// first) nobody holds, and returns them ready to send. With a <paramref name="cursor"/> a sender goes on after
    /// the last row it claimed instead of reading again, from the top, every row it or others have sent since (each
    /// claim of a day would cost more than the one before it); when nothing is owed ahead of the cursor it starts
    /// from the top once more, which is where a dead sender's lapsed claims are found.
    /// </summary>
    public async Task<IReadOnlyList<OwedDigest>> ClaimAsync(DateOnly? date, string claimer, int batchSize, TimeSpan lease, CancellationToken cancellationToken, ClaimCursor? cursor = null)
    {
        cursor ??= new ClaimCursor();
        // digests waiting for another attempt go first, once their time has come (they have waited longest)
        var claimed = await ClaimDueRetriesAsync(date, claimer, batchSize, lease, cancellationToken);
        if (claimed.Count < batchSize)
        {
            var pending = await ClaimAfterAsync(date, claimer, batchSize - claimed.Count, lease, cursor, cancellationToken);
            if (pending.Count == 0 && !cursor.AtStart)
            {
                cursor.Reset();
                pending = await ClaimAfterAsync(date, claimer, batchSize - claimed.Count, lease, cursor, cancellationToken);
            }
            if (pending.Count > 0)
            {
                // the furthest row in ordinal order; should the database collate ids otherwise, the next claim reads at
                // most one batch of rows again (claimed, so passed over), never skips one for good: the cursor starts over
                cursor.MoveTo(pending.Max(ClaimCursor.Order));
            }
            claimed.AddRange(pending);
        }
        if (claimed.Count == 0)
        {
            return [];
        }
        var ids = claimed.Select(c => c.Id).ToList();
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

    private Task<List<(string Date, string Id)>> ClaimAfterAsync(DateOnly? date, string claimer, int batchSize, TimeSpan lease, ClaimCursor cursor, CancellationToken cancellationToken) =>
        // one day: the rows of the day after the cursor's id; any day: after the cursor's (day, id). Either way a
        // range of the partial index on what is owed (a row value, so SQLite searches the range instead of scanning)
        ClaimWhereAsync(
            $"status = 'pending' AND {(date is null ? "(digest_date, id) > (@AfterDate, @AfterId)" : "digest_date = @Date AND id > @AfterId")}",
            "digest_date, id", date, claimer, batchSize, lease, cursor, cancellationToken);

    /// <summary>Deferred and uncertain digests whose next attempt is due, oldest due first.</summary>
    private Task<List<(string Date, string Id)>> ClaimDueRetriesAsync(DateOnly? date, string claimer, int batchSize, TimeSpan lease, CancellationToken cancellationToken) =>
        ClaimWhereAsync(
            $"status IN ('deferred', 'uncertain') AND next_attempt_at <= @Now {(date is null ? "" : "AND digest_date = @Date")}",
            "next_attempt_at", date, claimer, batchSize, lease, null, cancellationToken);

    /// <summary>
    /// Stamps up to <paramref name="batchSize"/> unclaimed rows matching <paramref name="owed"/> with this sender's name
    /// and lease, in one statement. The lease is checked again on the row itself: on PostgreSQL a row another sender
    /// claimed between the choice and the update is left to it.
    /// </summary>
    private async Task<List<(string Date, string Id)>> ClaimWhereAsync(string owed, string order, DateOnly? date, string claimer, int batchSize, TimeSpan lease,
        ClaimCursor? cursor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var skipLocked = database.Dialect.SkipLocked;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, string Date)>(
            $"""
            UPDATE deliveries SET claimed_by = @Claimer, claimed_until = @Until
            WHERE id IN (
                SELECT id FROM deliveries
                WHERE {owed} AND (claimed_until IS NULL OR claimed_until < @Now)
                ORDER BY {order}
                LIMIT @Batch
                {skipLocked})
              AND (claimed_until IS NULL OR claimed_until < @Now)
            RETURNING id, digest_date
            """,
            new
            {
                Claimer = claimer, Until = Stamp(now + lease), Now = Stamp(now), Date = date is { } d ? Day(d) : null, Batch = batchSize,
                AfterDate = cursor?.Date ?? "", AfterId = cursor?.Id ?? "",
            });
        return [.. rows.Select(r => (r.Date, r.Id))];
    }

    /// <summary>Extends the lease on everything this sender still holds (so only a dead sender's claims lapse).</summary>
    public async Task RenewClaimsAsync(string claimer, TimeSpan lease, CancellationToken cancellationToken)
    {
        // rows locked right now are being marked sent (they leave 'pending' anyway); waiting for them while the
        // marking waits for rows this statement holds would be a deadlock, so skip them where rows are locked
        var skipLocked = database.Dialect.SkipLocked;
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            $"""
            UPDATE deliveries SET claimed_until = @Until
            WHERE id IN (SELECT id FROM deliveries WHERE claimed_by = @Claimer AND status IN ('pending', 'deferred', 'uncertain') {skipLocked})
            """,
            new { Claimer = claimer, Until = Stamp(clock.GetUtcNow() + lease) });
    }

    /// <summary>
    /// Whether any digest (of the day, or of any day) is owed now, whoever holds it: pending, or deferred or uncertain
    /// and due (one waiting for a later attempt is not waited for). Every serve node asks this every few seconds:
    /// ordered as the partial indexes on what is owed, so the answer is one index entry away rather than a scan past
    /// every digest ever sent.
    /// </summary>
    public async Task<bool> AnyOwedAsync(DateOnly? date, CancellationToken cancellationToken)
    {
        var day = date is null ? "" : "AND digest_date = @Date";
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            $"""
            SELECT (SELECT count(*) FROM (SELECT 1 FROM deliveries WHERE status = 'pending' {day} ORDER BY digest_date, id LIMIT 1) owed)
                 + (SELECT count(*) FROM (SELECT 1 FROM deliveries WHERE status IN ('deferred', 'uncertain') AND next_attempt_at <= @Now {day}
                                          ORDER BY next_attempt_at LIMIT 1) due)
            """,
            new { Date = date is { } d ? Day(d) : null, Now = Stamp(clock.GetUtcNow()) }) > 0;
    }

}

/// <summary>Where a sender's next claim starts: just after the last row it claimed (day, id).</summary>
public sealed class ClaimCursor
{
    public static IComparer<(string Date, string Id)> Order { get; } = Comparer<(string Date, string Id)>.Create((a, b) =>
    {
        var byDate = string.CompareOrdinal(a.Date, b.Date);
        return byDate != 0 ? byDate : string.CompareOrdinal(a.Id, b.Id);
    });

    public string Date { get; private set; } = "";

    public string Id { get; private set; } = "";

    public bool AtStart => Date.Length == 0 && Id.Length == 0;

    public void MoveTo((string Date, string Id) last) => (Date, Id) = last;

    public void Reset() => (Date, Id) = ("", "");
}

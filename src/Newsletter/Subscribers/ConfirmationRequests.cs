using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Subscribers;

/// <summary>
/// Records that a confirmation email is owed, in the caller's transaction, and wakes whoever sends them. Nothing is
/// sent here: the subscribe page answers in the same time for a new address as for a known one, and a burst of
/// requests for one address queues at most one email per <see cref="SiteOptions.ConfirmResendMinutes"/>.
/// </summary>
public sealed class ConfirmationRequests(IOptions<SiteOptions> site, MailboxAddress from, TimeProvider clock)
{
    private readonly SemaphoreSlim _queued = new(0, 1);

    /// <returns>False when one was queued for this subscriber within the resend interval and not answered yet (it is that one they get).</returns>
    public async Task<bool> QueueAsync(DbConnection connection, DbTransaction transaction, string subscriberId)
    {
        var now = clock.GetUtcNow();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var added = await connection.ExecuteAsync(
            """
            INSERT INTO confirmations (id, subscriber_id, status, message_id, created_at, updated_at)
            SELECT @Id, @SubscriberId, 'pending', @MessageId, @Now, @Now
            WHERE NOT EXISTS (
                SELECT 1 FROM confirmations c
                WHERE c.subscriber_id = @SubscriberId AND c.status <> 'failed' AND c.created_at > @Since
                  -- one the subscriber answered already does not hold back the next (they unsubscribed and come back)
                  AND c.created_at > COALESCE((SELECT s.confirmed_at FROM subscribers s WHERE s.id = @SubscriberId), ''))
            """,
            new
            {
                Id = id, SubscriberId = subscriberId, MessageId = $"confirm.{id}.{subscriberId}@{(string.IsNullOrEmpty(from.Domain) ? "localhost" : from.Domain)}",
                Now = Stamp(now), Since = Stamp(now - TimeSpan.FromMinutes(site.Value.ConfirmResendMinutes)),
            },
            transaction);
        return added == 1;
    }

    /// <summary>Tells the sender that a confirmation waits (call after the transaction that queued it committed).</summary>
    public void Notify()
    {
        try
        {
            _queued.Release();
        }
        catch (SemaphoreFullException)
        {
            // already told
        }
    }

    /// <summary>Waits until one is queued, or the timeout passes.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _queued.WaitAsync(timeout, cancellationToken);

    public static Task<int> DeleteAsync(DbConnection connection, DbTransaction transaction, string subscriberId) =>
        connection.ExecuteAsync("DELETE FROM confirmations WHERE subscriber_id = @Id", new { Id = subscriberId }, transaction);

}

using System.Data.Common;
using Dapper;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Delivery;

public sealed partial class Outbox
{
    /// <summary>
    /// A digest that went out came back: <see cref="DeliveryStatus.Bounced"/> or <see cref="DeliveryStatus.Complained"/>,
    /// with the remote side's words, in the caller's transaction (with the record of the message that said so). Only a
    /// digest that went out (or may have) moves; a complaint wins over an earlier bounce of the same digest, never the
    /// other way round. False when no such delivery could move.
    /// </summary>
    public async Task<bool> MarkReturnedAsync(DbConnection connection, DbTransaction transaction, string deliveryId, string status, string reason, CancellationToken cancellationToken)
    {
        var from = status == DeliveryStatus.Complained ? "'sent', 'uncertain', 'bounced'" : "'sent', 'uncertain'";
        return await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE deliveries SET status = @Status, server_reply = @Reason, updated_at = @Now, next_attempt_at = NULL
            WHERE id = @Id AND (status IN ({from}) OR (status = 'failed' AND failure = 'uncertain'))
            """,
            new { Id = deliveryId, Status = status, Reason = reason, Now = Now(clock) }, transaction, cancellationToken: cancellationToken)) == 1;
    }
}

using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Data;
using Newsletter.Digests;
using Newsletter.Matching;
using Newsletter.Subscribers;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Delivery;

/// <summary>
/// Sends the confirmation emails the subscribe paths queued (<see cref="ConfirmationRequests"/>), with the same
/// guarantees as digests: claimed before sending (several nodes never send one twice), marked after the server
/// accepted it, one that cannot be built or is refused fails alone. The email shows the profile as it is when sent.
/// </summary>
public sealed partial class ConfirmationSender(
    Database database, ConfirmationMail mail, SubscriberStore subscribers, ProfileStore profiles, IMailTransport transport, SenderRegistry senders,
    IOptions<DeliveryOptions> options, TimeProvider clock, ILogger<ConfirmationSender> logger, ReturnPath returnPath)
{
    private const int BatchSize = 50;

    /// <summary>Sends what is owed (only <paramref name="subscriberId"/>'s, when given) until nothing is left to claim.</summary>
    /// <returns>Per subscriber, null when their email went out, else why not.</returns>
    public async Task<IReadOnlyDictionary<string, string?>> SendOwedAsync(string? subscriberId, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, string?>(StringComparer.Ordinal);
        var claimer = DigestSender.NewClaimer();
        while (await ClaimAsync(claimer, subscriberId, cancellationToken) is { Count: > 0 } claimed)
        {
            // registered only once there is something to send (the pump looks every few seconds): its share of the rate
            await using var registered = await senders.EnterAsync(cancellationToken);
            var mails = new List<(OutgoingMail Mail, string SubscriberId)>();
            foreach (var row in claimed)
            {
                var (message, problem) = await ComposeAsync(row, cancellationToken);
                if (message is null)
                {
                    await MarkAsync(row.Id, "failed", problem, 0, cancellationToken);
                    results[row.SubscriberId] = problem;
                    LogNotSent(row.Id, problem);
                    continue;
                }
                mails.Add((new OutgoingMail(row.Id, message, returnPath.ForConfirmation(row.SubscriberId)), row.SubscriberId));
            }
            var owners = mails.ToDictionary(m => m.Mail.Id, m => m.SubscriberId, StringComparer.Ordinal);
            await transport.SendAllAsync(Each(mails.Select(m => m.Mail)), async (sent, outcome) =>
            {
                var owner = owners[sent.Id];
                if (outcome.Status == SendStatus.Sent)
                {
                    await MarkAsync(sent.Id, "sent", outcome.ServerReply, outcome.Attempts, CancellationToken.None);
                    lock (results)
                    {
                        results[owner] = null;
                    }
                    return;
                }
                var reply = outcome.ServerReply ?? "the confirmation email was not sent";
                await MarkAsync(sent.Id, "failed", reply, outcome.Attempts, CancellationToken.None);
                if (outcome.Status == SendStatus.PermanentFailure)
                {
                    await subscribers.SetStatusAsync(owner, SubscriberStatus.Suppressed, reply, CancellationToken.None);
                }
                lock (results)
                {
                    results[owner] = reply;
                }
                LogNotSent(sent.Id, reply);
            }, cancellationToken);
        }
        return results;
    }

    private async Task<(MimeMessage? Message, string Problem)> ComposeAsync(Claimed row, CancellationToken cancellationToken)
    {
        var subscriber = await subscribers.GetAsync(row.SubscriberId, cancellationToken);
        if (subscriber is null || subscriber.Status != SubscriberStatus.Pending)
        {
            return (null, $"not sent: the subscriber is {subscriber?.Status ?? "erased"}");
        }
        var profile = await profiles.GetAsync(subscriber.Id, cancellationToken);
        try
        {
            return (mail.Compose(subscriber, profile?.Keywords ?? [], row.MessageId), "");
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return (null, $"could not compose the confirmation email: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task<IReadOnlyList<Claimed>> ClaimAsync(string claimer, string? subscriberId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var skipLocked = database.Dialect.SkipLocked;
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<Claimed>(
            $"""
            UPDATE confirmations SET claimed_by = @Claimer, claimed_until = @Until
            WHERE id IN (
                SELECT id FROM confirmations
                WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until < @Now)
                  AND (@SubscriberId IS NULL OR subscriber_id = @SubscriberId)
                ORDER BY created_at
                LIMIT @Batch
                {skipLocked})
              AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < @Now)
            RETURNING id AS Id, subscriber_id AS SubscriberId, message_id AS MessageId
            """,
            new
            {
                Claimer = claimer, Until = Stamp(now + TimeSpan.FromSeconds(options.Value.ClaimLeaseSeconds)), Now = Stamp(now),
                SubscriberId = subscriberId, Batch = BatchSize,
            })];
    }

    private async Task MarkAsync(string id, string status, string? reply, int attempts, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = Stamp(clock.GetUtcNow());
        await connection.ExecuteAsync(
            """
            UPDATE confirmations
            SET status = @Status, server_reply = @Reply, attempts = attempts + @Attempts, updated_at = @Now,
                sent_at = CASE WHEN @Status = 'sent' THEN @Now ELSE NULL END, claimed_by = NULL, claimed_until = NULL
            WHERE id = @Id AND status = 'pending'
            """,
            new { Id = id, Status = status, Reply = reply, Attempts = attempts, Now = now });
    }

    private static async IAsyncEnumerable<OutgoingMail> Each(IEnumerable<OutgoingMail> mails)
    {
        foreach (var mail in mails)
        {
            yield return mail;
        }
        await Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Confirmation email {ConfirmationId} not sent: {Problem}")]
    private partial void LogNotSent(string confirmationId, string problem);

    private sealed class Claimed
    {
        public string Id { get; init; } = "";
        public string SubscriberId { get; init; } = "";
        public string MessageId { get; init; } = "";
    }
}

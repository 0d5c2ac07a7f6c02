using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Newsletter.Digests;
using Newsletter.Subscribers;

namespace Newsletter.Delivery;

/// <summary>
/// Sends every digest owed for a day: renders each from the outbox rows (so a resumed run sends the same mail),
/// hands them to the transport, and records each outcome as it comes. A permanent refusal suppresses the address;
/// one bad address never stops the run.
/// </summary>
public sealed partial class DigestSender(Outbox outbox, DigestComposer composer, IMailTransport transport, SubscriberStore subscribers, ILogger<DigestSender> logger)
{
    public const int BatchSize = 500;

    public async Task<SendReport> SendOwedAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var report = new SendCounter();
        var recipients = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await transport.SendAllAsync(OwedMailsAsync(date, report, recipients, cancellationToken), async (mail, outcome) =>
        {
            recipients.TryRemove(mail.Id, out var subscriberId);
            switch (outcome.Status)
            {
                case SendStatus.Sent:
                    await outbox.MarkSentAsync(mail.Id, outcome, CancellationToken.None);
                    Interlocked.Increment(ref report.Sent);
                    break;
                case SendStatus.PermanentFailure:
                    await outbox.MarkFailedAsync(mail.Id, outcome.ServerReply ?? "permanent failure", outcome.Attempts, CancellationToken.None);
                    if (subscriberId is not null)
                    {
                        await subscribers.SetStatusAsync(subscriberId, SubscriberStatus.Suppressed, outcome.ServerReply, CancellationToken.None);
                    }
                    Interlocked.Increment(ref report.Suppressed);
                    LogSuppressed(mail.Id, outcome.ServerReply);
                    break;
                default:
                    await outbox.MarkFailedAsync(mail.Id, outcome.ServerReply ?? "temporary failure", outcome.Attempts, CancellationToken.None);
                    Interlocked.Increment(ref report.Failed);
                    LogGaveUp(mail.Id, outcome.Attempts, outcome.ServerReply);
                    break;
            }
        }, cancellationToken);
        return new SendReport(report.Sent, report.Failed, report.Suppressed, report.Skipped);
    }

    private async IAsyncEnumerable<OutgoingMail> OwedMailsAsync(
        DateOnly date,
        SendCounter report,
        ConcurrentDictionary<string, string> recipients,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var batch = await outbox.OwedAsync(date, after, BatchSize, cancellationToken);
            if (batch.Count == 0)
            {
                yield break;
            }
            foreach (var owed in batch)
            {
                after = owed.DeliveryId;
                if (owed.SubscriberStatus != SubscriberStatus.Active)
                {
                    // unsubscribed or suppressed after the digest was planned: never send it
                    await outbox.MarkFailedAsync(owed.DeliveryId, $"not sent: the subscriber is {owed.SubscriberStatus}", 0, cancellationToken);
                    report.Skipped++;
                    continue;
                }
                recipients[owed.DeliveryId] = owed.Recipient.SubscriberId;
                yield return new OutgoingMail(owed.DeliveryId, composer.Compose(owed.Recipient, owed.Date, owed.Papers, owed.Sequence));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} refused permanently; address suppressed: {Reply}")]
    private partial void LogSuppressed(string deliveryId, string? reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} gave up after {Attempts} attempts: {Reply}")]
    private partial void LogGaveUp(string deliveryId, int attempts, string? reply);

    private sealed class SendCounter
    {
        public int Sent;
        public int Failed;
        public int Suppressed;
        public int Skipped;
    }
}

public sealed record SendReport(int Sent, int Failed, int Suppressed, int Skipped);

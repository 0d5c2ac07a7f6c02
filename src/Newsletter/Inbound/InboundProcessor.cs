using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Subscribers;

namespace Newsletter.Inbound;

/// <summary>
/// Reads one inbound message (from <c>mail process</c>, or the mailbox poller) and acts on it: a bounce suppresses the
/// address or counts, a complaint or a mailto unsubscribe takes the subscriber off the list, an automatic reply and
/// anything unrecognised are only recorded. Who a message is about comes from tokens we signed (the VERP return path,
/// the unsubscribe link), never from addresses or prose in it, so nobody can unsubscribe someone else by mail.
/// The message is recorded under its key in the same transaction as what it did: processing it again changes nothing.
/// </summary>
public sealed partial class InboundProcessor(
    Database database, InboundLog log, ReturnPath returnPath, LinkSigner links, SubscriberStore subscribers, Outbox outbox,
    IOptions<InboundOptions> options, NewsletterMetrics metrics, ILogger<InboundProcessor> logger)
{
    /// <summary>Processes the message and says only what it was (the mailbox poller's view).</summary>
    public async Task<string> ProcessKindAsync(MimeMessage message, CancellationToken cancellationToken) => (await ProcessAsync(message, cancellationToken)).Kind;

    public async Task<InboundResult> ProcessAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var key = Key(message);
        // a quick answer for a message seen before; the unique key below is what decides when two processes race
        if (await log.EarlierAsync(key, cancellationToken) is { } earlier)
        {
            return Duplicate(key, earlier.Kind, earlier.ProcessedAt);
        }
        var verdict = await JudgeAsync(message, cancellationToken);
        bool suppressed = false, unsubscribed = false;
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (!await log.TryRecordAsync(connection, transaction, key, message.MessageId, verdict.Kind, verdict.SubscriberId, verdict.DeliveryId,
                    verdict.StatusCode, verdict.Reason, cancellationToken))
            {
                await transaction.RollbackAsync(cancellationToken);
                return Duplicate(key, verdict.Kind, null);
            }
            (suppressed, unsubscribed) = await ActAsync(connection, transaction, key, verdict, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        Count(verdict);
        var result = new InboundResult(verdict.Kind, verdict.SubscriberId, verdict.DeliveryId, verdict.Reason, key, verdict.StatusCode, suppressed, unsubscribed);
        LogProcessed(result.Kind, result.SubscriberId, result.DeliveryId, result.Suppressed, result.Reason);
        return result;
    }

    /// <summary>SHA-256 of the message as read (MimeKit writes a parsed message back byte for byte).</summary>
    public static string Key(MimeMessage message)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var stream = new HashingStream(hash))
        {
            message.WriteTo(FormatOptions.Default, stream);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private sealed record Verdict(string Kind, string Reason, string? SubscriberId = null, string? DeliveryId = null, string? StatusCode = null, bool Final = true,
        Subscriber? Subscriber = null);

    /// <summary>What the message is and whom it is about; reads, writes nothing.</summary>
    private async Task<Verdict> JudgeAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        if ((DeliveryReports.Read(message) ?? ComplaintReports.Read(message)) is { } report)
        {
            return report.Kind is InboundKind.HardBounce or InboundKind.SoftBounce or InboundKind.Complaint
                ? await AboutOurMailAsync(report, cancellationToken)
                : new Verdict(report.Kind, report.Reason);
        }
        // before automatic replies: a provider's unsubscribe button may send its message marked as automatic
        if (UnsubscribeRequests.Token(message) is { } token)
        {
            var subscriber = await SignedByAsync(token, cancellationToken);
            return subscriber is null
                ? new Verdict(InboundKind.Forged, $"the unsubscribe token {Shorten(token)} is not one we signed; ignored")
                : new Verdict(InboundKind.Unsubscribe, $"asked by email{(message.From.Mailboxes.FirstOrDefault() is { } from ? " from " + from.Address : "")}",
                    subscriber.Id, Subscriber: subscriber);
        }
        if (AutoReplies.Read(message) is { } reply)
        {
            return new Verdict(reply.Kind, reply.Reason);
        }
        return new Verdict(InboundKind.Unrecognised,
            $"not a delivery report, feedback report, unsubscribe request or automatic reply (subject: {Shorten(Sighting.OneLine(message.Subject), 120)})");
    }

    /// <summary>A bounce or complaint: about which of our messages, by the signed tokens it carries.</summary>
    private async Task<Verdict> AboutOurMailAsync(Sighting report, CancellationToken cancellationToken)
    {
        ReturnPathToken? forged = null;
        foreach (var address in report.Addresses ?? [])
        {
            if (returnPath.Read(address) is not { } token)
            {
                continue;
            }
            if (token.Valid)
            {
                return new Verdict(report.Kind, report.Reason, token.SubscriberId, token.DeliveryId, report.StatusCode, report.Final,
                    await subscribers.GetAsync(token.SubscriberId!, cancellationToken));
            }
            forged ??= token;
        }
        // the digest's own signed unsubscribe link, in the original's headers: reports often keep them, and it names
        // the subscriber even without a bounce address; its Message-ID then names the digest
        if (report.Original is { } original && UnsubscribeRequests.Find(original["List-Unsubscribe"]) is { } linkToken)
        {
            if (await SignedByAsync(linkToken, cancellationToken) is { } subscriber)
            {
                return new Verdict(report.Kind, report.Reason, subscriber.Id, DigestOf(original.Contains(HeaderId.MessageId) ? original[HeaderId.MessageId] : null, subscriber.Id),
                    report.StatusCode, report.Final, subscriber);
            }
            return new Verdict(InboundKind.Forged, $"a {report.Kind} whose unsubscribe token {Shorten(linkToken)} is not one we signed; ignored");
        }
        if (forged is not null)
        {
            return new Verdict(InboundKind.Forged, $"a {report.Kind} to the return path token {Shorten(forged.Token)}, which is not one we signed; ignored");
        }
        return new Verdict(InboundKind.Unrecognised, $"a {report.Kind} that names none of our messages (no signed token): {report.Reason}");
    }

    /// <summary>The subscriber who owns a signed unsubscribe token; null when it is not authentic.</summary>
    private async Task<Subscriber?> SignedByAsync(string token, CancellationToken cancellationToken)
    {
        if (LinkSigner.SubscriberIdOf(token) is not { } id || await subscribers.GetAsync(id, cancellationToken) is not { } subscriber)
        {
            return null;
        }
        // an expired link is still ours: its expiry limits how long a leaked link works on the web, and asking to
        // receive less mail from an old digest must still work (RFC 8058)
        return links.Check(token, subscriber.Secret, LinkPurpose.Unsubscribe) is LinkCheck.Valid or LinkCheck.Expired ? subscriber : null;
    }

    /// <summary>The delivery a digest's Message-ID names (digest.20260311.0.&lt;subscriber&gt;@…), when it is that subscriber's.</summary>
    private static string? DigestOf(string? messageId, string subscriberId)
    {
        var id = Sighting.OneLine(messageId).Trim('<', '>');
        var at = id.LastIndexOf('@');
        var parts = (at > 0 ? id[..at] : "").Split('.', 4);
        return parts is ["digest", var day, var sequence, var subscriber] && subscriber == subscriberId
            && DateOnly.TryParseExact(day, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            && int.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? Digests.DigestPlans.DeliveryId(subscriberId, date, number)
                : null;
    }

    /// <summary>What the message does, in the transaction that recorded it.</summary>
    private async Task<(bool Suppressed, bool Unsubscribed)> ActAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction,
        string key, Verdict verdict, CancellationToken cancellationToken)
    {
        if (verdict.SubscriberId is not { } subscriberId)
        {
            return (false, false);
        }
        var status = verdict.Subscriber?.Status;
        switch (verdict.Kind)
        {
            case InboundKind.HardBounce:
                await MarkDeliveryAsync(DeliveryStatus.Bounced);
                return (await SuppressAsync($"bounced ({verdict.StatusCode}): {verdict.Reason}"), false);
            case InboundKind.SoftBounce:
                if (verdict.Final)
                {
                    await MarkDeliveryAsync(DeliveryStatus.Bounced);
                }
                var limit = options.Value.SoftBounceLimit;
                var days = options.Value.SoftBounceDays;
                var count = await log.SoftBouncesAsync(connection, transaction, subscriberId, days, cancellationToken);
                return (count >= limit && await SuppressAsync($"{count} soft bounces in {days} days; the last ({verdict.StatusCode}): {verdict.Reason}"), false);
            case InboundKind.Complaint:
                await MarkDeliveryAsync(DeliveryStatus.Complained);
                return (await SuppressAsync($"complained ({verdict.StatusCode}): {verdict.Reason}"), true);
            case InboundKind.Unsubscribe:
                var left = status is SubscriberStatus.Active or SubscriberStatus.Pending
                    && await subscribers.TransitionAsync(connection, transaction, subscriberId, [SubscriberStatus.Active, SubscriberStatus.Pending],
                        SubscriberStatus.Unsubscribed, "unsubscribed by email");
                return (false, left);
            default:
                return (false, false);
        }

        async Task MarkDeliveryAsync(string to)
        {
            if (verdict.DeliveryId is { } deliveryId)
            {
                await outbox.MarkReturnedAsync(connection, transaction, deliveryId, to, verdict.Reason, cancellationToken);
            }
        }

        // an address already suppressed keeps the reason it was first suppressed for
        async Task<bool> SuppressAsync(string reason)
        {
            if (verdict.Subscriber is null || status == SubscriberStatus.Suppressed
                || !await subscribers.SetStatusAsync(connection, transaction, subscriberId, SubscriberStatus.Suppressed, reason))
            {
                return false;
            }
            await log.MarkSuppressedAsync(connection, transaction, key, cancellationToken);
            return true;
        }
    }

    private void Count(Verdict verdict)
    {
        metrics.InboundMessages.Add(1, new KeyValuePair<string, object?>("kind", verdict.Kind));
        if (verdict.SubscriberId is null)
        {
            return;
        }
        if (verdict.Kind is InboundKind.HardBounce or InboundKind.SoftBounce)
        {
            metrics.Bounces.Add(1, new KeyValuePair<string, object?>("kind", verdict.Kind == InboundKind.HardBounce ? "hard" : "soft"));
        }
        else if (verdict.Kind == InboundKind.Complaint)
        {
            metrics.Complaints.Add(1);
        }
    }

    private InboundResult Duplicate(string key, string kind, string? processedAt)
    {
        metrics.InboundMessages.Add(1, new KeyValuePair<string, object?>("kind", InboundKind.Duplicate));
        return new InboundResult(InboundKind.Duplicate, null, null,
            $"already processed{(processedAt is null ? "" : " at " + processedAt)} as {kind}; nothing changed", key);
    }

    private static string Shorten(string text, int length = 40) => text.Length <= length ? text : text[..(length - 1)] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound message: {Kind} for subscriber {SubscriberId}, delivery {DeliveryId} (suppressed: {Suppressed}): {Reason}")]
    private partial void LogProcessed(string kind, string? subscriberId, string? deliveryId, bool suppressed, string reason);

    /// <summary>Feeds what MimeKit writes into the hash, keeping nothing.</summary>
    private sealed class HashingStream(IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => hash.AppendData(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => hash.AppendData(buffer);
    }
}

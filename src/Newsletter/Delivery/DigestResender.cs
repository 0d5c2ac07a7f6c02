using MimeKit;
using Newsletter.Digests;
using Newsletter.Subscribers;

namespace Newsletter.Delivery;

/// <summary>
/// Sends a day's digest again to chosen subscribers: the same papers as the original, as a new delivery with the
/// next sequence number (its own Message-ID and row in the log), exactly once per call. A dry run decides the
/// same and writes and sends nothing.
/// </summary>
public sealed class DigestResender(Outbox outbox, DigestSender sender, SenderRegistry senders, MailboxAddress from)
{
    private const int OriginalsPerRead = 500;

    public async Task<ResendReport> ResendAsync(IReadOnlyList<Subscriber> recipients, DateOnly date, bool dryRun, CancellationToken cancellationToken, Common.WorkProgress? progress = null)
    {
        progress ??= Common.WorkProgress.None;
        var preparing = progress.Begin(dryRun ? "check" : "prepare", recipients.Count);
        // registered before the first copy is recorded: the copies are born claimed, and a claim whose sender is not
        // registered counts as a dead sender's
        await using var registered = await senders.EnterAsync(cancellationToken);
        var claimer = DigestSender.NewClaimer();
        var lines = new List<ResendLine>();
        var toSend = new List<(int Line, PlannedDigest Digest)>();
        Dictionary<string, (string Status, IReadOnlyList<SelectedPaper> Papers)> originals = [];
        for (var i = 0; i < recipients.Count; i++)
        {
            if (i % OriginalsPerRead == 0)
            {
                // read ahead: a resend to everyone must not cost a database round trip per subscriber for reading
                originals = await outbox.OriginalsAsync([.. recipients.Skip(i).Take(OriginalsPerRead).Select(r => r.Id)], date, cancellationToken);
            }
            var subscriber = recipients[i];
            preparing.Advance();
            (string Status, IReadOnlyList<SelectedPaper> Papers)? original = originals.TryGetValue(subscriber.Id, out var found) ? found : null;
            var paperIds = original?.Papers.Select(p => p.Paper.Id).ToList() ?? [];
            string? skip = subscriber.Status != SubscriberStatus.Active
                ? $"the subscriber is {subscriber.Status}"
                : subscriber.Delivery == DeliveryMode.Feed
                ? "the subscriber reads their digests in their feed only (delivery feed): nothing is mailed"
                : original is null
                    ? $"no digest was planned for them on {date:yyyy-MM-dd} (no matching papers, or not yet run)"
                    : original.Value.Papers.Count == 0 ? "their digest for the day has no papers left (erased or removed)" : null;
            if (skip is not null)
            {
                lines.Add(new ResendLine(subscriber.Id, subscriber.Email, null, null, paperIds, "skipped", skip));
                continue;
            }
            if (dryRun)
            {
                lines.Add(new ResendLine(subscriber.Id, subscriber.Email, null, null, paperIds, "would-send", null));
                continue;
            }
            var digest = await outbox.AddResendAsync(subscriber.Id, date, original!.Value.Papers, from.Domain, claimer, sender.Lease, cancellationToken);
            toSend.Add((lines.Count, digest));
            lines.Add(new ResendLine(subscriber.Id, subscriber.Email, digest.Id, digest.Sequence, paperIds, "pending", null));
        }
        preparing.Complete($"{toSend.Count} to send, {lines.Count(l => l.Status == "skipped")} skipped");
        if (toSend.Count > 0)
        {
            using var sending = progress.Begin("send", toSend.Count);
            var sent = await sender.SendDeliveriesAsync([.. toSend.Select(t => t.Digest.Id)], cancellationToken, sending);
            sending.Complete($"{sent.Sent} sent, {sent.Failed + sent.Suppressed} failed");
            var outcomes = (await outbox.StatusOfAsync([.. toSend.Select(t => t.Digest.Id)], cancellationToken));
            foreach (var (line, digest) in toSend)
            {
                var (status, reply) = outcomes.GetValueOrDefault(digest.Id, ("pending", null));
                lines[line] = lines[line] with { Status = status, Reason = status == "sent" ? null : reply };
            }
        }
        return new ResendReport(date, dryRun, lines);
    }
}

/// <param name="Status">sent, failed, pending (not sent yet), would-send (dry run) or skipped.</param>
public sealed record ResendLine(string SubscriberId, string Email, string? DeliveryId, int? Sequence, IReadOnlyList<string> Papers, string Status, string? Reason);

public sealed record ResendReport(DateOnly Date, bool DryRun, IReadOnlyList<ResendLine> Recipients)
{
    public int Sent => Recipients.Count(r => r.Status == "sent");
    public int Failed => Recipients.Count(r => r.Status == "failed");
    public int Skipped => Recipients.Count(r => r.Status == "skipped");
    public int WouldSend => Recipients.Count(r => r.Status == "would-send");
}

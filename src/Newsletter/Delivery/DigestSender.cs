using System.Collections.Concurrent;
using System.Diagnostics;
using Newsletter.Common;
using Newsletter.Digests;
using Newsletter.Subscribers;

namespace Newsletter.Delivery;

/// <summary>
/// Sends every digest owed for a day (or for any day): claims them in batches, renders each from the outbox rows
/// (so a resumed run sends the same mail), hands them to the transport, and records each outcome as it comes.
/// Senders on several nodes share the work through the claims; one that finds the rest held by others waits until
/// they are sent or their holder's lease lapses, then takes them over. A permanent refusal suppresses the address;
/// one bad address never stops the run.
/// </summary>
public sealed partial class DigestSender(
    Outbox outbox, DigestComposer composer, IMailTransport transport, SubscriberStore subscribers, Common.NewsletterMetrics metrics,
    SenderRegistry senders, Microsoft.Extensions.Options.IOptions<DeliveryOptions> options, TimeProvider clock, ILogger<DigestSender> logger,
    ReturnPath returnPath)
{
    private static readonly TimeSpan WaitForOthers = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LookForDeadEvery = TimeSpan.FromSeconds(2);

    /// <summary>This sender's name on its claims: machine, process and a random part (a restarted process is a new sender).</summary>
    public static string NewClaimer() => SenderRegistry.NewClaimer();

    public TimeSpan Lease => TimeSpan.FromSeconds(options.Value.ClaimLeaseSeconds);

    /// <param name="date">Only that day's digests; null: every owed digest.</param>
    /// <param name="tally">Where the counts go as they happen (a run reads them while it runs, and after a failure); null: a tally of its own.</param>
    public async Task<SendReport> SendOwedAsync(DateOnly? date, CancellationToken cancellationToken, ProgressPhase? progress = null, SendTally? tally = null)
    {
        var report = tally ?? new SendTally(progress, null);
        var inFlight = new ConcurrentDictionary<string, OwedDigest>(StringComparer.Ordinal);
        var claimer = NewClaimer();
        await using var registered = await senders.EnterAsync(cancellationToken);
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopRenewing = new CancellationTokenSource();
        var renewing = RenewAsync(claimer, sending, stopRenewing.Token);
        try
        {
            return await SendAsync(ClaimedMailsAsync(date, claimer, report, inFlight, sending.Token), report, inFlight, sending.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && renewing.IsCompleted && renewing.Result is { } lost)
        {
            throw new ClaimsLostException(
                $"stopped sending: this sender could not renew its claims on owed digests twice in a row ({lost.Message}); " +
                "what it had not sent is taken over by another sender, or by the next run, once the claims lapse", lost);
        }
        finally
        {
            await stopRenewing.CancelAsync();
            await renewing;
        }
    }

    /// <summary>Sends just these deliveries (a resend), if they are still owed.</summary>
    public async Task<SendReport> SendDeliveriesAsync(IReadOnlyList<string> deliveryIds, CancellationToken cancellationToken, ProgressPhase? progress = null)
    {
        var report = new SendTally(progress, null);
        var inFlight = new ConcurrentDictionary<string, OwedDigest>(StringComparer.Ordinal);
        await using var registered = await senders.EnterAsync(cancellationToken);
        var owed = await outbox.OwedByIdAsync(deliveryIds, cancellationToken);
        return await SendAsync(MailsAsync(owed, report, inFlight, cancellationToken), report, inFlight, cancellationToken);
    }

    private async Task<SendReport> SendAsync(IAsyncEnumerable<OutgoingMail> mails, SendTally report, ConcurrentDictionary<string, OwedDigest> inFlight, CancellationToken cancellationToken)
    {
        var handedOver = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var sentMarks = new SentMarks(outbox);
        await transport.SendAllAsync(Timed(mails, handedOver), async (mail, outcome) =>
        {
            inFlight.TryRemove(mail.Id, out var owed);
            if (handedOver.TryRemove(mail.Id, out var start))
            {
                metrics.SendDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
            if (outcome.Attempts > 1)
            {
                metrics.DigestsRetried.Add(outcome.Attempts - 1);
                Interlocked.Add(ref report.Retried, outcome.Attempts - 1);
            }
            report.Progress?.Advance();
            await RecordAsync(mail, outcome, owed, report, sentMarks);
        }, cancellationToken);
        return report.Report();
    }

    /// <summary>The outcome, in the outbox: sent, refused, failed, or deferred for another attempt (the same digest, later).</summary>
    private async Task RecordAsync(OutgoingMail mail, SendOutcome outcome, OwedDigest? owed, SendTally report, SentMarks sentMarks)
    {
        var reply = outcome.ServerReply;
        report.Settled(mail.Id); // a digest deferred earlier in this run and tried again is no longer waiting
        switch (outcome.Status)
        {
            case SendStatus.Sent:
                metrics.DigestsSent.Add(1);
                await sentMarks.MarkAsync(mail.Id, outcome);
                Interlocked.Increment(ref report.Sent);
                return;
            case SendStatus.PermanentFailure:
                await FailAsync(DeliveryFailure.Refused, reply ?? "permanent failure");
                if (owed is not null)
                {
                    await subscribers.SetStatusAsync(owed.Recipient.SubscriberId, SubscriberStatus.Suppressed, reply, CancellationToken.None);
                }
                Interlocked.Increment(ref report.Suppressed);
                LogSuppressed(mail.Id, reply);
                return;
            case SendStatus.MessageFailure:
                await FailAsync(DeliveryFailure.Message, reply ?? "the message could not be sent");
                Interlocked.Increment(ref report.Failed);
                LogMessageFailed(mail.Id, reply);
                return;
        }
        var now = clock.GetUtcNow();
        var uncertain = outcome.Status == SendStatus.Uncertain;
        if (uncertain && owed?.Status == DeliveryStatus.Uncertain)
        {
            // the second time the server took the whole message without answering: sending it once more could make three
            await FailAsync(DeliveryFailure.Uncertain, $"twice the message went out and no reply came; it may have been delivered ({reply})");
            Interlocked.Increment(ref report.Failed);
            LogGaveUp(mail.Id, outcome.Attempts, reply);
            return;
        }
        if (owed is null || owed.CreatedAt + TimeSpan.FromHours(options.Value.GiveUpAfterHours) <= now)
        {
            await FailAsync(DeliveryFailure.Temporary, reply ?? "temporary failure");
            Interlocked.Increment(ref report.Failed);
            LogGaveUp(mail.Id, outcome.Attempts, reply);
            return;
        }
        var next = now + options.Value.RetryWait(owed.Deferrals);
        await outbox.MarkDeferredAsync(mail.Id, reply ?? "temporary failure", outcome.Attempts, next, uncertain, CancellationToken.None);
        metrics.DigestsFailed.Add(1, new KeyValuePair<string, object?>("reason", uncertain ? "uncertain" : "deferred"));
        report.Waiting(mail.Id);
        LogDeferred(mail.Id, uncertain ? "uncertain" : "deferred", next.UtcDateTime, reply);

        Task FailAsync(string failure, string reason)
        {
            metrics.DigestsFailed.Add(1, new KeyValuePair<string, object?>("reason", failure));
            return outbox.MarkFailedAsync(mail.Id, reason, outcome.Attempts, CancellationToken.None, failure, report.RunId);
        }
    }

    private static async IAsyncEnumerable<OutgoingMail> Timed(IAsyncEnumerable<OutgoingMail> mails, ConcurrentDictionary<string, long> handedOver)
    {
        await foreach (var mail in mails)
        {
            handedOver[mail.Id] = Stopwatch.GetTimestamp();
            yield return mail;
        }
    }

    private async IAsyncEnumerable<OutgoingMail> ClaimedMailsAsync(
        DateOnly? date,
        string claimer,
        SendTally report,
        ConcurrentDictionary<string, OwedDigest> inFlight,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = new ClaimCursor();
        var lookedForDead = 0L;
        var claiming = ClaimNextAsync();
        try
        {
            while (true)
            {
                var batch = await claiming;
                if (batch.Count == 0)
                {
                    if (!await outbox.AnyOwedAsync(date, cancellationToken))
                    {
                        yield break; // everything is sent, by this sender or others
                    }
                    // the rest is held: in flight here, or by another sender who finishes it, or who is gone (its claims
                    // are freed as soon as that is known, at the latest when their lease lapses)
                    if (Stopwatch.GetElapsedTime(lookedForDead) >= LookForDeadEvery)
                    {
                        lookedForDead = Stopwatch.GetTimestamp();
                        await senders.ReleaseDeadClaimsAsync(cancellationToken);
                    }
                    await Task.Delay(WaitForOthers, cancellationToken);
                    claiming = ClaimNextAsync();
                    continue;
                }
                // the next batch is claimed while this one goes out: otherwise the connections empty their short queue
                // and wait for the database at every batch (a sixth of the machine stood idle in a day's send)
                claiming = ClaimNextAsync();
                await foreach (var mail in MailsAsync(batch, report, inFlight, cancellationToken))
                {
                    yield return mail;
                }
            }
        }
        finally
        {
            // a send that stops early leaves no statement running behind it; the batch claimed ahead is held like any
            // claim of a stopped sender (its lease lapses, or another sender frees it once this one has left)
            await ((Task)claiming).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        Task<IReadOnlyList<OwedDigest>> ClaimNextAsync() => outbox.ClaimAsync(date, claimer, options.Value.ClaimBatchSize, Lease, cancellationToken, cursor);
    }

    /// <summary>
    /// Keeps this sender's claims alive until stopped. One failed renewal is retried at the next tick (the lease
    /// lasts three); after two in a row the claims may lapse while their mail is still going out here, and another
    /// sender would send it again, so sending is stopped and the database's error returned.
    /// </summary>
    private async Task<Exception?> RenewAsync(string claimer, CancellationTokenSource sending, CancellationToken stopped)
    {
        using var timer = new PeriodicTimer(Lease / 3);
        var failedInARow = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stopped))
            {
                try
                {
                    await outbox.RenewClaimsAsync(claimer, Lease, stopped);
                    failedInARow = 0;
                }
                catch (System.Data.Common.DbException e)
                {
                    if (++failedInARow >= 2)
                    {
                        await sending.CancelAsync();
                        return e;
                    }
                    LogRenewalFailed(e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        return null;
    }

    /// <summary>How many digests are composed ahead of the one handed to the transport: composing is the sender's own CPU work, and it runs on every core.</summary>
    private static readonly int ComposeAhead = Math.Max(2, Environment.ProcessorCount * 2);

    private async IAsyncEnumerable<OutgoingMail> MailsAsync(
        IReadOnlyList<OwedDigest> owedDigests,
        SendTally report,
        ConcurrentDictionary<string, OwedDigest> inFlight,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // handed over in claim order; the next few are composed meanwhile, on other cores
        var ahead = new Queue<(OwedDigest Owed, Task<(MimeKit.MimeMessage? Message, string Problem)>? Composing)>();
        for (var next = 0; next < owedDigests.Count || ahead.Count > 0;)
        {
            while (next < owedDigests.Count && ahead.Count < ComposeAhead)
            {
                var owed = owedDigests[next++];
                ahead.Enqueue((owed, Sendable(owed) ? Task.Run(() => ComposeTimed(owed, report), cancellationToken) : null));
            }
            var (current, composing) = ahead.Dequeue();
            if (await HandOverAsync(current, composing, report, inFlight, cancellationToken) is { } mail)
            {
                yield return mail;
            }
        }
    }

    private static bool Sendable(OwedDigest owed) => owed.SubscriberStatus == SubscriberStatus.Active && owed.SubscriberDelivery != DeliveryMode.Feed;

    private (MimeKit.MimeMessage? Message, string Problem) ComposeTimed(OwedDigest owed, SendTally report)
    {
        var renderStart = Stopwatch.GetTimestamp();
        var composed = Compose(owed);
        Interlocked.Add(ref report.RenderTicks, Stopwatch.GetTimestamp() - renderStart);
        return composed;
    }

    /// <summary>The mail of a claimed digest, or null when it is not to be sent (recorded as such here).</summary>
    private async Task<OutgoingMail?> HandOverAsync(OwedDigest owed, Task<(MimeKit.MimeMessage? Message, string Problem)>? composing, SendTally report,
        ConcurrentDictionary<string, OwedDigest> inFlight, CancellationToken cancellationToken)
    {
        if (owed.SubscriberStatus != SubscriberStatus.Active)
        {
            // unsubscribed or suppressed after the digest was planned: never send it
            await outbox.MarkFailedAsync(owed.DeliveryId, $"not sent: the subscriber is {owed.SubscriberStatus}", 0, cancellationToken, DeliveryFailure.Skipped);
            report.Skipped++;
            report.Progress?.Advance();
            return null;
        }
        if (owed.SubscriberDelivery == DeliveryMode.Feed)
        {
            // they chose the feed after it was planned: it stays for the feed, nothing is mailed or counted
            await outbox.MarkFeedOnlyAsync(owed.DeliveryId, cancellationToken);
            report.Progress?.Advance();
            return null;
        }
        var (message, problem) = await composing!;
        if (message is null)
        {
            // a digest that cannot be built fails alone and at once: retrying would fail the same way, and the
            // rest of the day must go out (`digest resend --delivery-status failed` once the cause is fixed)
            await outbox.MarkFailedAsync(owed.DeliveryId, "could not compose the digest: " + problem, 0, cancellationToken, DeliveryFailure.Compose, report.RunId);
            metrics.DigestsFailed.Add(1, new KeyValuePair<string, object?>("reason", "compose"));
            Interlocked.Increment(ref report.Failed);
            report.Progress?.Advance();
            LogComposeFailed(owed.DeliveryId, problem);
            return null;
        }
        inFlight[owed.DeliveryId] = owed;
        report.Rendered++;
        return new OutgoingMail(owed.DeliveryId, message, returnPath.ForDigest(owed.Recipient.SubscriberId, owed.Date, owed.Sequence));
    }

    private (MimeKit.MimeMessage? Message, string Problem) Compose(OwedDigest owed)
    {
        if (owed.Problem is not null)
        {
            return (null, owed.Problem);
        }
        try
        {
            return (composer.Compose(owed.Recipient, owed.Date, owed.Papers, owed.Sequence, owed.FirstDay), "");
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return (null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery {DeliveryId} failed: could not compose the digest: {Problem}")]
    private partial void LogComposeFailed(string deliveryId, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} failed: the message could not be sent: {Reply}")]
    private partial void LogMessageFailed(string deliveryId, string? reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the claims on owed digests ({Problem}); trying again before they lapse")]
    private partial void LogRenewalFailed(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} refused permanently; address suppressed: {Reply}")]
    private partial void LogSuppressed(string deliveryId, string? reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} {Status} until {NextAttempt:u}: {Reply}")]
    private partial void LogDeferred(string deliveryId, string status, DateTime nextAttempt, string? reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} gave up after {Attempts} attempts: {Reply}")]
    private partial void LogGaveUp(string deliveryId, int attempts, string? reply);

}

/// <summary>A send's counts, kept as outcomes come in (from several connections at once), readable while it runs.</summary>
/// <param name="runId">The run the send belongs to, recorded on the digests it gives up on.</param>
public sealed class SendTally(ProgressPhase? progress, string? runId)
{
    public ProgressPhase? Progress { get; } = progress;
    public string? RunId { get; } = runId;
    public int Retried;
    public int Rendered;
    public long RenderTicks;
    public int Sent;
    public int Failed;
    public int Suppressed;
    public int Skipped;

    /// <summary>
    /// Digests deferred and not settled since: a slow run may try one again once its retry time has come, and
    /// counting each deferral would report it twice.
    /// </summary>
    private readonly ConcurrentDictionary<string, bool> _waiting = new(StringComparer.Ordinal);

    public void Waiting(string deliveryId) => _waiting[deliveryId] = true;

    public void Settled(string deliveryId) => _waiting.TryRemove(deliveryId, out _);

    /// <summary>The counts so far.</summary>
    public SendReport Report() => new(Volatile.Read(ref Sent), Volatile.Read(ref Failed), Volatile.Read(ref Suppressed), Volatile.Read(ref Skipped),
        Volatile.Read(ref Retried), Volatile.Read(ref Rendered), Stopwatch.GetElapsedTime(0, Volatile.Read(ref RenderTicks)), _waiting.Count);
}

/// <summary>A sender stopped because it could no longer keep its claims (the database refused to renew them).</summary>
public sealed class ClaimsLostException(string message, Exception inner) : Exception(message, inner);

/// <param name="Retried">Extra attempts the server made necessary, over all digests.</param>
/// <param name="RenderTime">Time spent building the messages, summed (it overlaps the sending).</param>
/// <param name="Deferred">Digests that met a temporary fault and wait for their next attempt (not failed).</param>
public sealed record SendReport(int Sent, int Failed, int Suppressed, int Skipped, int Retried = 0, int Rendered = 0, TimeSpan RenderTime = default, int Deferred = 0)
{
    public static SendReport Nothing { get; } = new(0, 0, 0, 0);
}

using System.Diagnostics;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Newsletter.Digests;
using Newsletter.Hosting;
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
    Outbox outbox, DigestComposer composer, IMailTransport transport, SubscriberStore subscribers, Hosting.NewsletterMetrics metrics,
    Microsoft.Extensions.Options.IOptions<DeliveryOptions> options, ILogger<DigestSender> logger)
{
    private static readonly TimeSpan WaitForOthers = TimeSpan.FromMilliseconds(500);

    /// <summary>This sender's name on its claims: machine, process and a random part (a restarted process is a new sender).</summary>
    public static string NewClaimer() => $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    public TimeSpan Lease => TimeSpan.FromSeconds(options.Value.ClaimLeaseSeconds);

    /// <param name="date">Only that day's digests; null: every owed digest.</param>
    /// <param name="runId">The run this send belongs to, recorded on the digests it gives up on.</param>
    public async Task<SendReport> SendOwedAsync(DateOnly? date, CancellationToken cancellationToken, ProgressPhase? progress = null, string? runId = null)
    {
        var report = new SendCounter(progress, runId);
        var recipients = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var claimer = NewClaimer();
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopRenewing = new CancellationTokenSource();
        var renewing = RenewAsync(claimer, sending, stopRenewing.Token);
        try
        {
            return await SendAsync(ClaimedMailsAsync(date, claimer, report, recipients, sending.Token), report, recipients, sending.Token);
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
        var report = new SendCounter(progress, null);
        var recipients = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var owed = await outbox.OwedByIdAsync(deliveryIds, cancellationToken);
        return await SendAsync(MailsAsync(owed, report, recipients, cancellationToken), report, recipients, cancellationToken);
    }

    private async Task<SendReport> SendAsync(IAsyncEnumerable<OutgoingMail> mails, SendCounter report, ConcurrentDictionary<string, string> recipients, CancellationToken cancellationToken)
    {
        var handedOver = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var sentMarks = new SentMarks(outbox);
        await transport.SendAllAsync(Timed(mails, handedOver), async (mail, outcome) =>
        {
            recipients.TryRemove(mail.Id, out var subscriberId);
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
            if (outcome.Status == SendStatus.Sent)
            {
                metrics.DigestsSent.Add(1);
            }
            else
            {
                metrics.DigestsFailed.Add(1, new KeyValuePair<string, object?>("reason", outcome.Status switch
                {
                    SendStatus.PermanentFailure => "permanent",
                    SendStatus.MessageFailure => "message",
                    _ => "temporary",
                }));
            }
            switch (outcome.Status)
            {
                case SendStatus.Sent:
                    await sentMarks.MarkAsync(mail.Id, outcome);
                    Interlocked.Increment(ref report.Sent);
                    break;
                case SendStatus.PermanentFailure:
                    await outbox.MarkFailedAsync(mail.Id, outcome.ServerReply ?? "permanent failure", outcome.Attempts, CancellationToken.None, DeliveryFailure.Refused, report.RunId);
                    if (subscriberId is not null)
                    {
                        await subscribers.SetStatusAsync(subscriberId, SubscriberStatus.Suppressed, outcome.ServerReply, CancellationToken.None);
                    }
                    Interlocked.Increment(ref report.Suppressed);
                    LogSuppressed(mail.Id, outcome.ServerReply);
                    break;
                case SendStatus.MessageFailure:
                    await outbox.MarkFailedAsync(mail.Id, outcome.ServerReply ?? "the message could not be sent", outcome.Attempts, CancellationToken.None, DeliveryFailure.Message, report.RunId);
                    Interlocked.Increment(ref report.Failed);
                    LogMessageFailed(mail.Id, outcome.ServerReply);
                    break;
                default:
                    await outbox.MarkFailedAsync(mail.Id, outcome.ServerReply ?? "temporary failure", outcome.Attempts, CancellationToken.None, DeliveryFailure.Temporary, report.RunId);
                    Interlocked.Increment(ref report.Failed);
                    LogGaveUp(mail.Id, outcome.Attempts, outcome.ServerReply);
                    break;
            }
        }, cancellationToken);
        return new SendReport(report.Sent, report.Failed, report.Suppressed, report.Skipped, report.Retried, report.Rendered, Stopwatch.GetElapsedTime(0, report.RenderTicks));
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
        SendCounter report,
        ConcurrentDictionary<string, string> recipients,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = new ClaimCursor();
        while (true)
        {
            var batch = await outbox.ClaimAsync(date, claimer, options.Value.ClaimBatchSize, Lease, cancellationToken, cursor);
            if (batch.Count == 0)
            {
                if (!await outbox.AnyOwedAsync(date, cancellationToken))
                {
                    yield break; // everything is sent, by this sender or others
                }
                // the rest is held: in flight here, or by another sender who finishes it or whose lease lapses
                await Task.Delay(WaitForOthers, cancellationToken);
                continue;
            }
            await foreach (var mail in MailsAsync(batch, report, recipients, cancellationToken))
            {
                yield return mail;
            }
        }
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

    private async IAsyncEnumerable<OutgoingMail> MailsAsync(
        IReadOnlyList<OwedDigest> owedDigests,
        SendCounter report,
        ConcurrentDictionary<string, string> recipients,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var owed in owedDigests)
        {
            if (owed.SubscriberStatus != SubscriberStatus.Active)
            {
                // unsubscribed or suppressed after the digest was planned: never send it
                await outbox.MarkFailedAsync(owed.DeliveryId, $"not sent: the subscriber is {owed.SubscriberStatus}", 0, cancellationToken, DeliveryFailure.Skipped);
                report.Skipped++;
                report.Progress?.Advance();
                continue;
            }
            var renderStart = Stopwatch.GetTimestamp();
            var (message, problem) = Compose(owed);
            report.RenderTicks += Stopwatch.GetTimestamp() - renderStart;
            if (message is null)
            {
                // a digest that cannot be built fails alone and at once: retrying would fail the same way, and the
                // rest of the day must go out (`digest resend --delivery-status failed` once the cause is fixed)
                await outbox.MarkFailedAsync(owed.DeliveryId, "could not compose the digest: " + problem, 0, cancellationToken, DeliveryFailure.Compose, report.RunId);
                metrics.DigestsFailed.Add(1, new KeyValuePair<string, object?>("reason", "compose"));
                Interlocked.Increment(ref report.Failed);
                report.Progress?.Advance();
                LogComposeFailed(owed.DeliveryId, problem);
                continue;
            }
            recipients[owed.DeliveryId] = owed.Recipient.SubscriberId;
            report.Rendered++;
            yield return new OutgoingMail(owed.DeliveryId, message);
        }
    }

    private (MimeKit.MimeMessage? Message, string Problem) Compose(OwedDigest owed)
    {
        if (owed.Problem is not null)
        {
            return (null, owed.Problem);
        }
        try
        {
            return (composer.Compose(owed.Recipient, owed.Date, owed.Papers, owed.Sequence), "");
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} gave up after {Attempts} attempts: {Reply}")]
    private partial void LogGaveUp(string deliveryId, int attempts, string? reply);

    private sealed class SendCounter(ProgressPhase? progress, string? runId)
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
    }
}

/// <summary>A sender stopped because it could no longer keep its claims (the database refused to renew them).</summary>
public sealed class ClaimsLostException(string message, Exception inner) : Exception(message, inner);

/// <param name="Retried">Extra attempts the server made necessary, over all digests.</param>
/// <param name="RenderTime">Time spent building the messages, summed (it overlaps the sending).</param>
public sealed record SendReport(int Sent, int Failed, int Suppressed, int Skipped, int Retried = 0, int Rendered = 0, TimeSpan RenderTime = default)
{
    public static SendReport Nothing { get; } = new(0, 0, 0, 0);
}

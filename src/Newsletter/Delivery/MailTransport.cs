using MimeKit;

namespace Newsletter.Delivery;

/// <summary>One message to send; <see cref="Id"/> is the outbox row it belongs to.</summary>
/// <param name="EnvelopeSender">The SMTP MAIL FROM (the VERP return path, <see cref="ReturnPath"/>); null: the message's From.</param>
public sealed record OutgoingMail(string Id, MimeMessage Message, string? EnvelopeSender = null);

public enum SendStatus
{
    Sent,
    /// <summary>4xx, dropped connections or timeouts, still failing after every retry.</summary>
    TemporaryFailure,
    /// <summary>A 5xx reply for the recipient: the address is refused for good.</summary>
    PermanentFailure,
    /// <summary>The whole message went out but the end-of-data reply never came: it may or may not have been delivered.</summary>
    Uncertain,
    /// <summary>This message cannot be sent (a 5xx for the message or sender, or it cannot be encoded or written): not retried, the address stays.</summary>
    MessageFailure,
}

/// <param name="ServerReply">What the server said last (for a failure: why), or where the message was written.</param>
public sealed record SendOutcome(SendStatus Status, string? ServerReply, int Attempts, TimeSpan Latency);

/// <summary>Where mail goes: an SMTP relay, or the pickup folder when none is configured.</summary>
public interface IMailTransport
{
    /// <summary>
    /// Sends every mail and reports each one's final outcome as soon as it is known, once per mail. A failing
    /// message never stops the others.
    /// </summary>
    Task SendAllAsync(IAsyncEnumerable<OutgoingMail> mails, Func<OutgoingMail, SendOutcome, Task> onOutcome, CancellationToken cancellationToken);

    /// <summary>Whether mail can go out now: null when it can, else the problem in plain words.</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken);
}

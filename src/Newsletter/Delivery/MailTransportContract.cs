using MimeKit;

namespace Newsletter.Delivery;

// Placeholder of the transport contract until the transport lands; identical to its API.
public sealed record OutgoingMail(string Id, MimeMessage Message);

public enum SendStatus
{
    Sent,
    TemporaryFailure,
    PermanentFailure,
}

public sealed record SendOutcome(SendStatus Status, string? ServerReply, int Attempts, TimeSpan Latency);

public interface IMailTransport
{
    Task SendAllAsync(IAsyncEnumerable<OutgoingMail> mails, Func<OutgoingMail, SendOutcome, Task> onOutcome, CancellationToken cancellationToken);

    Task<string?> CheckAsync(CancellationToken cancellationToken);
}

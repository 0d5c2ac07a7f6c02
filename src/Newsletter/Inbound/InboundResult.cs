namespace Newsletter.Inbound;

/// <summary>What an inbound message was (<c>inbound_mail.kind</c>, and <see cref="InboundResult.Kind"/>).</summary>
public static class InboundKind
{
    /// <summary>A delivery status notification with a permanent failure (5.x.x): the address is suppressed.</summary>
    public const string HardBounce = "hard-bounce";

    /// <summary>A transient failure (4.x.x): counted; <c>Inbound:SoftBounceLimit</c> of them suppress.</summary>
    public const string SoftBounce = "soft-bounce";

    /// <summary>A spam report (an ARF feedback report, or a provider's forwarded copy): unsubscribed and suppressed at once.</summary>
    public const string Complaint = "complaint";

    /// <summary>A message to the List-Unsubscribe mailto address with a signed token: unsubscribed.</summary>
    public const string Unsubscribe = "unsubscribe";

    /// <summary>An out-of-office or other automatic reply: ignored.</summary>
    public const string AutoReply = "auto-reply";

    /// <summary>Anything else: left alone and counted, never guessed at.</summary>
    public const string Unrecognised = "unrecognised";

    /// <summary>It carries a token we did not sign: ignored.</summary>
    public const string Forged = "forged";

    /// <summary>This very message was processed before: nothing changes.</summary>
    public const string Duplicate = "duplicate";

    public static IReadOnlyList<string> Recorded { get; } = [HardBounce, SoftBounce, Complaint, Unsubscribe, AutoReply, Unrecognised, Forged];
}

/// <summary>What processing one inbound message found and did.</summary>
/// <param name="Kind">One of <see cref="InboundKind"/>.</param>
/// <param name="Reason">The remote server's or reporter's words, or why the message was ignored.</param>
/// <param name="MessageKey">The message's key in <c>inbound_mail</c> (SHA-256 of the message).</param>
/// <param name="StatusCode">A bounce's status (5.1.1), a complaint's feedback type (abuse).</param>
/// <param name="Suppressed">This message suppressed the subscriber (a hard bounce, a complaint, the last soft bounce allowed).</param>
/// <param name="Unsubscribed">This message unsubscribed the subscriber.</param>
public sealed record InboundResult(
    string Kind,
    string? SubscriberId,
    string? DeliveryId,
    string Reason,
    string MessageKey,
    string? StatusCode = null,
    bool Suppressed = false,
    bool Unsubscribed = false);

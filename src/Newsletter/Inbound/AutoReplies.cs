using MimeKit;

namespace Newsletter.Inbound;

/// <summary>
/// Out-of-office and other automatic replies, by the headers that mark them (RFC 3834 Auto-Submitted, and the older
/// X-Autoreply, X-Autorespond and Precedence: auto_reply): they say nothing about the address, so they are ignored.
/// </summary>
internal static class AutoReplies
{
    public static Sighting? Read(MimeMessage message)
    {
        var submitted = Sighting.OneLine(message.Headers["Auto-Submitted"]).ToLowerInvariant();
        if (submitted.Length > 0 && !submitted.StartsWith("no", StringComparison.Ordinal))
        {
            return new Sighting(InboundKind.AutoReply, $"Auto-Submitted: {submitted}");
        }
        foreach (var field in (string[])["X-Autoreply", "X-Autorespond"])
        {
            if (message.Headers.Contains(field))
            {
                return new Sighting(InboundKind.AutoReply, $"{field}: {Sighting.OneLine(message.Headers[field])}");
            }
        }
        var precedence = Sighting.OneLine(message.Headers["Precedence"]).ToLowerInvariant();
        return precedence == "auto_reply" ? new Sighting(InboundKind.AutoReply, "Precedence: auto_reply") : null;
    }
}

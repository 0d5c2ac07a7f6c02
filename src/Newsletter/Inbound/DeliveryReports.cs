using MimeKit;

namespace Newsletter.Inbound;

/// <summary>
/// RFC 3464 delivery status notifications (<c>multipart/report; report-type=delivery-status</c>), as Postfix, Exim,
/// Gmail and Microsoft send them, read with MimeKit's <see cref="MessageDeliveryStatus"/>. The status code decides,
/// never the prose: 5.x.x is a permanent failure, 4.x.x a transient one, 2.x.x a success report (ignored).
/// </summary>
internal static class DeliveryReports
{
    public static Sighting? Read(MimeMessage message)
    {
        if (message.Body is not MultipartReport report || !string.Equals(report.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var original = report.OfType<MessagePart>().FirstOrDefault()?.Message?.Headers;
        var addresses = Sighting.ReturnPathCandidates(message, original);
        if (report.OfType<MessageDeliveryStatus>().FirstOrDefault() is not { } status || status.StatusGroups.Count < 2)
        {
            return new Sighting(InboundKind.Unrecognised, "a delivery report without a delivery-status part naming a recipient");
        }
        // one group per recipient after the first (which is about the message); ours have one recipient, and the worst decides
        var recipients = status.StatusGroups.Skip(1)
            .Select(g => (Status: Code(g["Status"]), Action: Sighting.OneLine(g["Action"]).ToLowerInvariant(), Group: g))
            .ToList();
        var worst = recipients.FirstOrDefault(r => r.Status.StartsWith('5'));
        if (worst.Group is null)
        {
            worst = recipients.FirstOrDefault(r => r.Status.StartsWith('4'));
        }
        if (worst.Group is null)
        {
            var said = recipients.Select(r => $"{r.Action} {r.Status}".Trim()).FirstOrDefault(s => s.Length > 0) ?? "no status";
            return new Sighting(InboundKind.Unrecognised, $"a delivery report that is not a failure ({said})");
        }
        var kind = worst.Status.StartsWith('5') ? InboundKind.HardBounce : InboundKind.SoftBounce;
        return new Sighting(kind, Words(worst.Group, worst.Status, worst.Action), worst.Status,
            Final: worst.Action != "delayed", Addresses: addresses, Original: original);
    }

    /// <summary>"5.1.1" from "5.1.1 (bad destination mailbox address)"; "" when there is no such code.</summary>
    private static string Code(string? value)
    {
        var code = Sighting.OneLine(value).Split(' ')[0];
        var parts = code.Split('.');
        return parts.Length == 3 && parts[0] is "2" or "4" or "5" && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)) ? code : "";
    }

    /// <summary>The remote server's own words (Diagnostic-Code), else the status and action.</summary>
    private static string Words(HeaderList group, string status, string action)
    {
        var diagnostic = Sighting.OneLine(group["Diagnostic-Code"]);
        var semicolon = diagnostic.IndexOf(';');
        if (semicolon >= 0 && semicolon < 12)
        {
            diagnostic = diagnostic[(semicolon + 1)..].Trim(); // "smtp; 550 …": the type is no news
        }
        var recipient = Sighting.OneLine(group["Final-Recipient"] ?? group["Original-Recipient"]);
        return diagnostic.Length > 0 ? diagnostic : $"{status} ({(action.Length > 0 ? action : "no action")}) for {(recipient.Length > 0 ? recipient : "the recipient")}";
    }
}

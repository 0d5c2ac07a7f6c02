using System.Text.RegularExpressions;
using MimeKit;

namespace Newsletter.Inbound;

/// <summary>
/// Spam complaints: RFC 5965 feedback reports (<c>multipart/report; report-type=feedback-report</c>, read with MimeKit's
/// <see cref="MessageFeedbackReport"/>), and the plain variant some providers send instead, a copy of the digest
/// forwarded as an attachment. The latter is taken for a complaint only when its sender says so in the way those
/// providers do (Microsoft's X-HmXmrOriginalRecipient, or a subject naming a complaint or spam report), never because
/// a digest is attached: a reader forwarding one to the wrong address is not complaining.
/// </summary>
internal static partial class ComplaintReports
{
    /// <summary>Feedback types that are not complaints about our mail (RFC 6591 authentication failures, "not spam").</summary>
    private static readonly string[] NotComplaints = ["not-spam", "auth-failure"];

    public static Sighting? Read(MimeMessage message)
    {
        if (message.Body is MultipartReport report && string.Equals(report.ReportType, "feedback-report", StringComparison.OrdinalIgnoreCase))
        {
            var original = report.OfType<MessagePart>().FirstOrDefault()?.Message?.Headers;
            if (report.OfType<MessageFeedbackReport>().FirstOrDefault() is not { } feedback)
            {
                return new Sighting(InboundKind.Unrecognised, "a feedback report without its message/feedback-report part");
            }
            var type = Sighting.OneLine(feedback.Fields["Feedback-Type"]).ToLowerInvariant();
            if (type.Length == 0 || NotComplaints.Contains(type))
            {
                return new Sighting(InboundKind.Unrecognised, $"a feedback report that is not a complaint (Feedback-Type: {(type.Length > 0 ? type : "missing")})");
            }
            var agent = Sighting.OneLine(feedback.Fields["User-Agent"]);
            var reason = $"{type} report{(agent.Length > 0 ? " by " + agent : "")}{From(message)}";
            return new Sighting(InboundKind.Complaint, reason, type,
                Addresses: Sighting.ReturnPathCandidates(message, original, feedback.Fields["Original-Mail-From"]), Original: original);
        }
        if (message.Body is not Multipart || !SaysComplaint(message) || Sighting.AttachedMessage(message.Body) is not { } forwarded)
        {
            return null;
        }
        return new Sighting(InboundKind.Complaint, $"forwarded as spam{From(message)}: {Sighting.OneLine(message.Subject)}", "abuse",
            Addresses: Sighting.ReturnPathCandidates(message, forwarded.Headers), Original: forwarded.Headers);
    }

    private static bool SaysComplaint(MimeMessage message) =>
        message.Headers.Contains("X-HmXmrOriginalRecipient") || ComplaintSubject().IsMatch(message.Subject ?? "");

    private static string From(MimeMessage message) =>
        message.From.Mailboxes.FirstOrDefault() is { } from ? $" from {from.Address}" : "";

    [GeneratedRegex(@"\b(complaint|spam report|abuse report|reported as spam|junk report)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ComplaintSubject();
}

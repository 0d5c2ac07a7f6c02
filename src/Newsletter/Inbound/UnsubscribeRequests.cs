using System.Text.RegularExpressions;
using MimeKit;

namespace Newsletter.Inbound;

/// <summary>
/// A message to the List-Unsubscribe mailto address (RFC 2369, RFC 8058): the digest's header asks for the subject
/// <c>unsubscribe token=&lt;signed unsubscribe token&gt;</c>; a client may instead put the token after a '+' in the
/// address. The body says nothing (it may be empty), so only the token counts.
/// </summary>
internal static partial class UnsubscribeRequests
{
    private static readonly string[] AddressHeaders = ["To", "Cc", "Delivered-To", "X-Original-To"];

    /// <summary>The signed unsubscribe token the message carries, if any (checked later against the subscriber's secret).</summary>
    public static string? Token(MimeMessage message)
    {
        if (Find(Uri.UnescapeDataString(message.Subject ?? "")) is { } inSubject)
        {
            return inSubject;
        }
        return message.Headers.Where(h => AddressHeaders.Contains(h.Field, StringComparer.OrdinalIgnoreCase))
            .Select(h => Find(h.Value)).FirstOrDefault(t => t is not null);
    }

    /// <summary>A signed unsubscribe token (<c>subscriber.unsubscribe.expires.signature</c>) anywhere in the text.</summary>
    public static string? Find(string? text) => text is not null && UnsubscribeToken().Match(text) is { Success: true } match ? match.Value : null;

    [GeneratedRegex(@"[A-Za-z0-9_-]+\.unsubscribe\.[0-9]+\.[A-Za-z0-9_-]+", RegexOptions.CultureInvariant)]
    private static partial Regex UnsubscribeToken();
}

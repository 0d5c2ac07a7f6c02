using MimeKit;

namespace Newsletter.Inbound;

/// <summary>
/// What a message says it is, before anyone is looked up: its kind, the remote side's words, and where the digest it
/// is about may be named (addresses that may carry our return-path token, the original message's headers).
/// </summary>
/// <param name="Final">For a bounce: the remote server gave up on the digest (not a "delayed" warning), so its row moves to bounced.</param>
internal sealed record Sighting(
    string Kind,
    string Reason,
    string? StatusCode = null,
    bool Final = true,
    IReadOnlyList<string>? Addresses = null,
    HeaderList? Original = null)
{
    /// <summary>Headers of a report that name the address it was sent to: the return path of the message it is about.</summary>
    private static readonly string[] RecipientHeaders = ["To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To"];

    /// <summary>Every address in the headers a bounce or report arrives with that could be our return path.</summary>
    public static List<string> ReturnPathCandidates(MimeMessage message, HeaderList? original, params string?[] more)
    {
        var addresses = new List<string>();
        foreach (var header in message.Headers.Where(h => RecipientHeaders.Contains(h.Field, StringComparer.OrdinalIgnoreCase)))
        {
            addresses.AddRange(AddressesIn(header.Value));
        }
        // the original as the recipient's server stored it: its Return-Path is the envelope sender we used
        if (original?["Return-Path"] is { } returnPath)
        {
            addresses.AddRange(AddressesIn(returnPath));
        }
        addresses.AddRange(more.Where(a => !string.IsNullOrWhiteSpace(a)).SelectMany(a => AddressesIn(a!)));
        return addresses;
    }

    private static IEnumerable<string> AddressesIn(string value) =>
        InternetAddressList.TryParse(value, out var list) ? list.Mailboxes.Select(m => m.Address) : [value.Trim().Trim('<', '>')];

    /// <summary>The first message/rfc822 (or text/rfc822-headers) part, not looking inside attached messages.</summary>
    public static MimeMessage? AttachedMessage(MimeEntity? entity) => entity switch
    {
        MessagePart part => part.Message,
        Multipart multipart => multipart.Select(AttachedMessage).FirstOrDefault(m => m is not null),
        _ => null,
    };

    /// <summary>A header's value on one line, without the folding and runs of spaces it arrived with.</summary>
    public static string OneLine(string? value) =>
        string.Join(' ', (value ?? "").Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}

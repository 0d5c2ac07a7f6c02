using System.Globalization;
using MimeKit;

namespace Newsletter.Subscribers;

/// <summary>Checks and normalises a subscriber's address: one plain addr-spec, IDN domain in ASCII, lower case.</summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    // STD3 rules: a mail domain is letters, digits and hyphens; without them IDNA lets through what no DNS name holds
    // ('*', '_') and maps what looks like other syntax into it (a full-width '＠' or '［' becomes '@' or '[')
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <returns>The normalised address, or null with <paramref name="problem"/> saying what is wrong.</returns>
    public static string? Normalize(string? input, out string problem)
    {
        var text = input?.Trim() ?? "";
        problem = "";
        if (text.Length == 0)
        {
            problem = "the email address is empty";
            return null;
        }
        if (text.Length > MaxLength)
        {
            problem = $"'{Shorten(text)}' is longer than {MaxLength} characters";
            return null;
        }
        if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || text.Contains('<') || text.Contains(',') || text.Contains(';'))
        {
            problem = $"'{Shorten(text)}' is not a single plain email address (no names, spaces, lists or angle brackets)";
            return null;
        }
        // MimeKit shows an IDN domain in Unicode whichever way it was written: compare the ASCII forms, so that an
        // address normalised once (xn--…) is accepted again as it is
        if (!text.Contains('@') || !MailboxAddress.TryParse(ParserOptions.Default, text, out var mailbox)
            || !string.Equals(mailbox.GetAddress(idnEncode: true), Ascii(text), StringComparison.OrdinalIgnoreCase))
        {
            problem = $"'{Shorten(text)}' is not a valid email address";
            return null;
        }
        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1)
        {
            problem = $"'{Shorten(text)}' has no {(at <= 0 ? "name before" : "domain after")} the @";
            return null;
        }
        var local = text[..at];
        if (text[at + 1] == '[')
        {
            problem = $"'{Shorten(text)}' has an IP address where its domain should be; give an address at a domain name (name@example.org)";
            return null;
        }
        string domain;
        try
        {
            domain = Idn.GetAscii(text[(at + 1)..].TrimEnd('.')).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            problem = $"'{Shorten(text)}' has an invalid domain";
            return null;
        }
        if (!domain.Contains('.') || domain.Split('.').Any(label => label.Length == 0 || label.Length > 63 || label.StartsWith('-') || label.EndsWith('-')))
        {
            problem = $"'{Shorten(text)}' has no valid domain (expected something like name@example.org)";
            return null;
        }
        if (local.Length > 64)
        {
            problem = $"'{Shorten(text)}' has a part before the @ longer than 64 characters";
            return null;
        }
        return (local + "@" + domain).ToLowerInvariant();
    }

    /// <summary>The address with its domain in ASCII (IDNA), or as it is when the domain cannot be converted.</summary>
    private static string Ascii(string address)
    {
        var at = address.LastIndexOf('@');
        try
        {
            return at < 0 ? address : address[..(at + 1)] + Idn.GetAscii(address[(at + 1)..]);
        }
        catch (ArgumentException)
        {
            return address;
        }
    }

    /// <summary>Whether the part before the @ needs SMTPUTF8 (RFC 6531) to be sent: the domain never does, it goes as xn--….</summary>
    public static bool NeedsSmtpUtf8(string address)
    {
        var at = address.LastIndexOf('@');
        return !System.Text.Ascii.IsValid(at < 0 ? address : address[..at]);
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "…";
}

using System.Globalization;
using MimeKit;

namespace Newsletter.Subscribers;

/// <summary>Checks and normalises a subscriber's address: one plain addr-spec, IDN domain in ASCII, lower case.</summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    private static readonly IdnMapping Idn = new();

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
        if (!text.Contains('@') || !MailboxAddress.TryParse(ParserOptions.Default, text, out var mailbox) || mailbox.Address != text)
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

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "…";
}

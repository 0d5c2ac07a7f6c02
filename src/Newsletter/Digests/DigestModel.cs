namespace Newsletter.Digests;

/// <summary>Everything a digest template sees. Strings ending in Html are already escaped and safe to output raw.</summary>
public sealed record DigestModel(
    string SiteName,
    string SiteUrl,
    DateOnly Date,
    string? SubscriberName,
    string Email,
    IReadOnlyList<DigestPaper> Papers,
    string PreferencesUrl,
    string UnsubscribeUrl)
{
    public string DateText => Date.ToString("dddd, d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record DigestPaper(
    int Rank,
    string Id,
    string Title,
    string Url,
    int Upvotes,
    string Authors,
    IReadOnlyList<string> Matched,
    string Excerpt,
    string TitleHtml,
    string ExcerptHtml);

/// <summary>A keyword match to highlight: <paramref name="Start"/> and <paramref name="Length"/> in the original text.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>What the confirmation email's templates see.</summary>
public sealed record ConfirmationModel(string SiteName, string SiteUrl, string Email, string? SubscriberName, IReadOnlyList<string> Keywords, string ConfirmUrl, int ValidDays);

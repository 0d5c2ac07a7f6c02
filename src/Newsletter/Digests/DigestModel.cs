using System.Net;
using Scriban.Runtime;

namespace Newsletter.Digests;

/// <summary>A model the templates see under explicit snake_case names (built directly: reflection per access is the slow part of rendering).</summary>
public interface ITemplateModel
{
    ScriptObject ToScriptObject();
}

/// <summary>Everything a digest template sees. Strings ending in Html are already escaped and safe to output raw.</summary>
public sealed record DigestModel(
    string SiteName,
    string SiteUrl,
    DateOnly Date,
    string? SubscriberName,
    string Email,
    IReadOnlyList<DigestPaper> Papers,
    string PreferencesUrl,
    string UnsubscribeUrl) : ITemplateModel
{
    /// <summary>The oldest listing day of a digest covering several (<see cref="Date"/> is the newest); null: <see cref="Date"/> alone.</summary>
    public DateOnly? FirstDate { get; init; }

    public string DateText => FirstDate is { } first && first < Date
        ? DateRange.Text(first, Date, "d MMMM", "d MMMM yyyy")
        : Date.ToString("dddd, d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>This digest in the browser (<c>/digests/{token}</c>).</summary>
    public string BrowserUrl { get; init; } = "";

    /// <summary>The subscriber's private Atom feed (<c>/feeds/{token}.atom</c>).</summary>
    public string FeedUrl { get; init; } = "";

    public ScriptObject ToScriptObject()
    {
        var papers = new ScriptArray(Papers.Count);
        foreach (var paper in Papers)
        {
            papers.Add(paper.ToScriptObject());
        }
        return new ScriptObject
        {
            ["site_name"] = SiteName,
            ["site_url"] = SiteUrl,
            ["date"] = Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["date_text"] = DateText,
            ["first_date"] = (FirstDate is { } first && first < Date ? first : Date).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["subscriber_name"] = SubscriberName,
            ["email"] = Email,
            ["papers"] = papers,
            ["preferences_url"] = PreferencesUrl,
            ["unsubscribe_url"] = UnsubscribeUrl,
            ["browser_url"] = BrowserUrl,
            ["feed_url"] = FeedUrl,
        };
    }
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
    string ExcerptHtml)
{
    /// <summary>This paper's block of the HTML part, rendered from digest-paper.sbnhtml (set by <see cref="TemplateSet.WithBlocks"/>).</summary>
    public string Html { get; init; } = "";

    /// <summary>This paper's block of the text part, rendered from digest-paper.sbntxt.</summary>
    public string Text { get; init; } = "";

    private ScriptObject? _scriptObject;

    /// <summary>Copies (<c>with</c>) leave the cached script object behind: it shows the values of the paper it was built from.</summary>
    private DigestPaper(DigestPaper original)
    {
        (Rank, Id, Title, Url, Upvotes, Authors, Matched, Excerpt, TitleHtml, ExcerptHtml, Html, Text) = (original.Rank, original.Id, original.Title,
            original.Url, original.Upvotes, original.Authors, original.Matched, original.Excerpt, original.TitleHtml, original.ExcerptHtml, original.Html, original.Text);
    }

    /// <summary>Built once per block and shared by every digest that carries it (templates only read it).</summary>
    public ScriptObject ToScriptObject() => _scriptObject ??= BuildScriptObject();

    /// <summary>A fresh object, not cached: for rendering the blocks themselves, before <see cref="Html"/> and <see cref="Text"/> are set.</summary>
    internal ScriptObject BuildScriptObject() => new()
    {
        ["html"] = Html,
        ["text"] = Text,
        ["rank"] = Rank,
        ["id"] = Id,
        ["title"] = Title,
        ["url"] = Url,
        ["upvotes"] = Upvotes,
        ["authors"] = Authors,
        ["matched"] = new ScriptArray(Matched),
        ["matched_text"] = string.Join(", ", Matched),
        ["excerpt"] = Excerpt,
        ["title_html"] = TitleHtml,
        ["excerpt_html"] = ExcerptHtml,
        // per-paper values are escaped here once, so the templates' loops do no function calls
        ["url_html"] = WebUtility.HtmlEncode(Url),
        ["authors_html"] = WebUtility.HtmlEncode(Authors),
        ["matched_html"] = string.Join(", ", Matched.Select(m => "<strong>" + WebUtility.HtmlEncode(m) + "</strong>")),
    };
}

/// <summary>What the confirmation email's templates see.</summary>
public sealed record ConfirmationModel(string SiteName, string SiteUrl, string Email, string? SubscriberName, IReadOnlyList<string> Keywords, string ConfirmUrl, int ValidDays)
    : ITemplateModel
{
    /// <summary>What they asked for, as the sentence names it: "a daily digest", "a weekly digest (on Thursdays)", "a private feed (no email)".</summary>
    public string What { get; init; } = "a daily digest";

    public ScriptObject ToScriptObject() => new()
    {
        ["site_name"] = SiteName,
        ["site_url"] = SiteUrl,
        ["what"] = What,
        ["email"] = Email,
        ["subscriber_name"] = SubscriberName,
        ["keywords"] = new ScriptArray(Keywords),
        ["confirm_url"] = ConfirmUrl,
        ["valid_days"] = ValidDays,
    };
}

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

    public ScriptObject ToScriptObject() => ToScriptObject(placeholders: false);

    /// <param name="placeholders">Each paper as its marked block with placeholders for its parts (<see cref="DigestPaper.WithPlaceholders"/>).</param>
    internal ScriptObject ToScriptObject(bool placeholders)
    {
        var papers = new ScriptArray(Papers.Count);
        foreach (var paper in Papers)
        {
            papers.Add(placeholders ? paper.Marked!.WithPlaceholders() : paper.ToScriptObject());
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
    private string? _html;
    private string? _text;

    /// <summary>This paper's block of the HTML part, rendered from digest-paper.sbnhtml (set by <see cref="TemplateSet.WithBlocks"/>).</summary>
    public string Html { get => _html ??= Marked?.Parts.Html(Rank) ?? ""; init => _html = value; }

    /// <summary>This paper's block of the text part, rendered from digest-paper.sbntxt.</summary>
    public string Text { get => _text ??= Marked?.Parts.Text(Rank) ?? ""; init => _text = value; }

    /// <summary>
    /// The block this one is numbered from, rendered once for every rank with <see cref="TemplateSet.RankMark"/>: its
    /// parts are numbered only when read, and a digest's render writes them straight into the page (<see cref="MarkedParts"/>).
    /// </summary>
    internal DigestPaper? Marked { get; private init; }

    private MarkedParts? _parts;

    /// <summary>This block's parts split where the rank goes (on a block rendered with the mark).</summary>
    internal MarkedParts Parts => _parts ??= new MarkedParts(Html, Text);

    private ScriptObject? _scriptObject;
    private ScriptObject? _withPlaceholders;

    /// <summary>
    /// Copies (<c>with</c>) leave the cached script object behind: it shows the values of the paper it was built from.
    /// A copy of a block numbered from a marked one gets its parts written out: a changed copy must not show the marked one's.
    /// </summary>
    private DigestPaper(DigestPaper original)
    {
        (Rank, Id, Title, Url, Upvotes, Authors, Matched, Excerpt, TitleHtml, ExcerptHtml, _html, _text) = (original.Rank, original.Id, original.Title,
            original.Url, original.Upvotes, original.Authors, original.Matched, original.Excerpt, original.TitleHtml, original.ExcerptHtml, original.Html, original.Text);
    }

    /// <summary>This marked block (rendered with <see cref="TemplateSet.RankMark"/> for the rank) at a rank: a light copy whose parts are numbered, and the lines that held the mark wrapped now that the number's width is known, when read or written into a page.</summary>
    internal DigestPaper AtRank(int rank) => new(rank, Id, Title, Url, Upvotes, Authors, Matched, Excerpt, TitleHtml, ExcerptHtml) { Marked = this };

    /// <summary>Built once per block and shared by every digest that carries it (templates only read it).</summary>
    public ScriptObject ToScriptObject() => _scriptObject ??= Marked is { } marked ? marked.Derived(Rank, Html, Text) : BuildScriptObject();

    /// <summary>
    /// What a page template sees of this marked block when the blocks are written in after it renders: the block's
    /// fields, with placeholders for its parts and the rank mark for its rank.
    /// </summary>
    internal ScriptObject WithPlaceholders() => _withPlaceholders ??= Derived(TemplateSet.RankMark, TemplateSet.HtmlPlaceholder, TemplateSet.TextPlaceholder);

    // the escaped values are this block's; only the rank and the parts differ
    private ScriptObject Derived(object rank, string html, string text)
    {
        var fields = BuildScriptObject();
        fields["rank"] = rank;
        fields["html"] = html;
        fields["text"] = text;
        return fields;
    }

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

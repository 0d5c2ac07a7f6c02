using System.Globalization;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Subscribers;

namespace Newsletter.Digests;

/// <summary>
/// Turns a subscriber's selected papers into the email: the template model (escaped and highlighted), both parts,
/// and the headers bulk mail needs (RFC 8058 one-click unsubscribe, a Message-ID fixed by subscriber, day and
/// sequence so a resent copy after a crash is recognisably the same message).
/// </summary>
public sealed class DigestComposer(TemplateSet templates, LinkSigner links, IOptions<SiteOptions> site, TimeProvider clock, MailboxAddress from)
{
    private readonly SiteOptions _site = site.Value;
    private readonly string _unsubscribeMailbox = string.IsNullOrEmpty(site.Value.UnsubscribeMailbox) ? from.Address : MailboxAddress.Parse(site.Value.UnsubscribeMailbox).Address;
    private readonly Header[] _listHeaders = ListHeaders(site.Value, from);
    // bounded (two generations, PaperBlocks): each block holds its two rendered parts and a script object, ~10 KB, and
    // a large day's distinct blocks must not take all the memory. Blocks by rank serve only templates that compute
    // with the rank (10,000 a generation: up to 20,000 held, as before); the shipped ones print it, and one block serves every rank
    private readonly PaperBlocks _blocks = new(10_000);
    private readonly PaperBlocks _rankFreeBlocks = new();
    private Func<int, SelectedPaper, DigestPaper>? _renderBlock;

    /// <summary>How often a paper block was reused rather than rendered (for the benchmark).</summary>
    public (long Hits, long Misses) BlockReuse => templates.RankIsPlainText ? (_rankFreeBlocks.Hits, _rankFreeBlocks.Misses) : (_blocks.Hits, _blocks.Misses);

    /// <param name="sequence">Which delivery of the day the model is for (0: the day's digest), so its browser link shows that one.</param>
    public DigestModel Model(DigestRecipient recipient, DateOnly date, IReadOnlyList<SelectedPaper> papers, int sequence = 0) => new(
        _site.Name,
        _site.BaseUrl,
        date,
        string.IsNullOrWhiteSpace(recipient.Name) ? null : recipient.Name,
        recipient.Email,
        [.. papers.Select((p, i) => Block(i + 1, p))],
        links.Url("preferences", recipient.SubscriberId, recipient.Secret, LinkPurpose.Preferences),
        links.Url("unsubscribe", recipient.SubscriberId, recipient.Secret, LinkPurpose.Unsubscribe))
    {
        BrowserUrl = BrowserUrl(recipient, date, sequence),
        FeedUrl = FeedUrl(recipient.SubscriberId, recipient.Secret),
    };

    /// <summary>Where this digest is shown in the browser (<c>/digests/{token}</c>, the token naming the delivery).</summary>
    public string BrowserUrl(DigestRecipient recipient, DateOnly date, int sequence) =>
        links.PathUrl("digests", "", recipient.SubscriberId, recipient.Secret, LinkPurpose.Digest, LinkSigner.DigestSubject(date, sequence));

    /// <summary>The subscriber's preferences page (signed, as in every digest).</summary>
    public string PreferencesUrl(string subscriberId, string secret) => links.Url("preferences", subscriberId, secret, LinkPurpose.Preferences);

    /// <summary>The subscriber's private Atom feed (<c>/feeds/{token}.atom</c>): the same address every time.</summary>
    public string FeedUrl(string subscriberId, string secret) => links.PathUrl("feeds", ".atom", subscriberId, secret, LinkPurpose.Feed);

    /// <summary>
    /// The paper's block at this rank: rendered once per paper and match, and (when the templates print the rank as
    /// it is, as the shipped ones do) once for every rank, the rank filled in here.
    /// </summary>
    private DigestPaper Block(int rank, SelectedPaper selected)
    {
        if (!templates.RankIsPlainText)
        {
            return _blocks.GetOrRender(rank, selected, _renderBlock ??= (r, s) => templates.WithBlocks(Paper(r, s)));
        }
        // one block for every rank, numbered as a digest is written (a copy per rank would hold the day's every paper at every rank it had)
        return _rankFreeBlocks.GetOrRender(0, selected, _renderBlock ??= (_, x) => templates.WithBlocks(Paper(0, x), TemplateSet.RankMark)).AtRank(rank);
    }

    public (string Html, string Text) Render(DigestModel model) => templates.RenderWithBlocksWrittenIn(model) ?? RenderWhole(model);

    /// <summary>Both pages through the template engine, their blocks with them (a template that computes with what it prints).</summary>
    private (string Html, string Text) RenderWhole(DigestModel model)
    {
        var globals = model.ToScriptObject();
        return (templates.Render(TemplateSet.DigestHtml, globals), templates.Render(TemplateSet.DigestText, globals));
    }

    /// <summary>The MIME part of a digest's page (made from where the page was written: no string of it on the way to the wire).</summary>
    private static PreparedTextPart Part(ReadOnlySpan<char> page, bool html) => html
        ? new PreparedTextPart("html", page)
        // quoted-printable, not left to the transport: it writes the signature separator's trailing space as "=20",
        // which no relay trims, and a pickup file would otherwise carry UTF-8 under no declared encoding
        : new PreparedTextPart("plain", page, ContentEncoding.QuotedPrintable);

    /// <param name="sequence">0 for the day's digest, 1, 2, … for manual resends of it.</param>
    /// <param name="firstDay">The oldest listing day a digest covering several covers (<paramref name="date"/> is its newest); null: that day alone.</param>
    public MimeMessage Compose(DigestRecipient recipient, DateOnly date, IReadOnlyList<SelectedPaper> papers, int sequence = 0, DateOnly? firstDay = null)
    {
        var model = Model(recipient, date, papers, sequence) with { FirstDate = firstDay };
        var (html, text) = templates.RenderWithBlocksWrittenIn<PreparedTextPart>(model, Part) ?? Parts(RenderWhole(model));
        // not the parameterless constructor: it generates a Message-ID from the host name, work thrown away as ours is set below
        var message = new MimeMessage((IEnumerable<Header>)[]) { MimeVersion = new Version(1, 0) };
        // a copy per message: MimeKit's address list subscribes to its addresses' Changed event, so adding the shared
        // instance would make it hold on to every message ever composed, and a large send would keep them all in memory
        message.From.Add(new MailboxAddress(from.Name, from.Address));
        message.To.Add(new MailboxAddress(model.SubscriberName, recipient.Email));
        message.Subject = Subject(model);
        message.Date = clock.GetUtcNow();
        message.MessageId = MessageId(recipient.SubscriberId, date, sequence, from.Domain);
        AddBulkHeaders(message, model.UnsubscribeUrl);
        message.Headers.Add("Feedback-ID", FeedbackId(recipient.SubscriberId, date, from.Domain));
        message.Body = new MultipartAlternative { text, html };
        return message;
    }

    private static (PreparedTextPart Html, PreparedTextPart Text) Parts((string Html, string Text) pages) => (Part(pages.Html, html: true), Part(pages.Text, html: false));

    public static string MessageId(string subscriberId, DateOnly date, int sequence, string domain) =>
        $"digest.{date:yyyyMMdd}.{sequence}.{subscriberId}@{(string.IsNullOrEmpty(domain) ? "localhost" : domain)}";

    /// <summary>
    /// <c>&lt;day&gt;:&lt;subscriber hash&gt;:digest:&lt;sender domain&gt;</c>, for the providers' feedback loops (Gmail's
    /// groups complaints by these fields). Set here with the other headers rather than in Delivery, so that a message's
    /// DKIM signature covers it (providers trust only a signed Feedback-ID) and a resent copy carries the same one. The
    /// subscriber appears as a hash: the providers report these fields to whoever holds the domain, but they are no
    /// one's business beyond telling complaints apart.
    /// </summary>
    public static string FeedbackId(string subscriberId, DateOnly date, string domain) =>
        $"{date:yyyyMMdd}:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(subscriberId)).AsSpan(0, 6))}:digest:" +
        (string.IsNullOrEmpty(domain) ? "localhost" : domain);

    private void AddBulkHeaders(MimeMessage message, string unsubscribeUrl)
    {
        var query = unsubscribeUrl.IndexOf('?', StringComparison.Ordinal);
        var token = query < 0 ? "" : unsubscribeUrl[(query + 1)..];
        message.Headers.Add("List-Unsubscribe", $"<{unsubscribeUrl}>, <mailto:{_unsubscribeMailbox}?subject=unsubscribe%20{Uri.EscapeDataString(token)}>");
        foreach (var header in _listHeaders)
        {
            // formatted once; a copy per message, as a header added to a message reports its changes to it
            message.Headers.Add(header.Clone());
        }
    }

    private static Header[] ListHeaders(SiteOptions site, MailboxAddress from) =>
    [
        new("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        new("List-Id", $"{site.Name} digest <digest.{(string.IsNullOrEmpty(from.Domain) ? "localhost" : from.Domain)}>"),
        new("Precedence", "bulk"),
        new("Auto-Submitted", "auto-generated"),
        new("X-Auto-Response-Suppress", "All"),
    ];

    /// <summary>How long a subject may be: RFC 5322's line length, and about what a desktop client shows.</summary>
    public const int SubjectLength = 78;

    /// <summary>A lead title shorter than this says too little: past it the subject runs long instead (a very long site name).</summary>
    private const int MinTitleRoom = 24;

    /// <summary>
    /// "Site · 11 Mar: 5 papers: Lead title…": a phone shows only the start of a subject, so the list, the day and the
    /// count come first, and the lead title takes the room that is left, shortened on a word.
    /// </summary>
    private static string Subject(DigestModel model)
    {
        // a subject is one line: line breaks, other controls and bidi overrides (which would reorder the parts around
        // them) are not the listing's, nor the settings', to put there
        var count = model.Papers.Count;
        var head = string.Create(CultureInfo.InvariantCulture,
            $"{TypedText.Clean(model.SiteName)} · {Days(model)}: {count} {(count == 1 ? "paper" : "papers")}");
        var title = TypedText.Clean(model.Papers[0].Title);
        if (title.Length == 0)
        {
            return head;
        }
        var room = Math.Max(MinTitleRoom, SubjectLength - head.Length - 2);
        return head + ": " + ShortText.Cut(title, room);
    }

    /// <summary>One paper as a digest shows it (escaped, highlighted, the excerpt cut), without its rendered blocks: for the feed's entries.</summary>
    public DigestPaper PaperOf(SelectedPaper selected) => Paper(0, selected);

    /// <summary>"11 Mar" for one listing day, "9–11 Mar" for a digest covering several.</summary>
    private static string Days(DigestModel model) => model.FirstDate is { } first && first < model.Date
        ? DateRange.Text(first, model.Date, "d MMM", "d MMM")
        : model.Date.ToString("d MMM", CultureInfo.InvariantCulture);

    private DigestPaper Paper(int rank, SelectedPaper selected)
    {
        var paper = selected.Paper;
        var (excerpt, excerptSpans) = Highlighter.Excerpt(paper.Summary, selected.SummarySpans);
        var authors = paper.Authors.Count switch
        {
            0 => paper.Organization ?? "",
            <= 3 => string.Join(", ", paper.Authors),
            _ => string.Join(", ", paper.Authors.Take(3)) + " et al.",
        };
        return new DigestPaper(
            rank,
            paper.Id,
            paper.Title,
            _site.PaperUrl.Replace("{id}", Uri.EscapeDataString(paper.Id).Replace("%2F", "/", StringComparison.Ordinal), StringComparison.Ordinal),
            paper.Upvotes,
            authors,
            selected.Matched,
            excerpt,
            Highlighter.Html(paper.Title, selected.TitleSpans),
            Highlighter.Html(excerpt, excerptSpans));
    }
}

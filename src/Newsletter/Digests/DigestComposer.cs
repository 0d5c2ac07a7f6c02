using System.Globalization;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Subscribers;
using Newsletter.Web;

namespace Newsletter.Digests;

/// <summary>
/// Turns a subscriber's selected papers into the email: the template model (escaped and highlighted), both parts,
/// and the headers bulk mail needs (RFC 8058 one-click unsubscribe, a Message-ID fixed by subscriber, day and
/// sequence so a resent copy after a crash is recognisably the same message).
/// </summary>
public sealed class DigestComposer(TemplateSet templates, LinkSigner links, IOptions<SiteOptions> site, TimeProvider clock, MailboxAddress from)
{
    private readonly SiteOptions _site = site.Value;
    // bounded: a block with its two parts and script object is ~8 KB, so these hold at most ~250 MB
    private readonly PaperBlocks _blocks = new(20_000);
    private readonly PaperBlocks _rankFreeBlocks = new(10_000);
    private Func<int, SelectedPaper, DigestPaper>? _renderBlock;
    private Func<int, SelectedPaper, DigestPaper>? _numberBlock;

    /// <summary>How often a paper block was reused rather than rendered (for the benchmark).</summary>
    public (long Hits, long Misses) BlockReuse => templates.RankIsPlainText ? (_blocks.Hits + _rankFreeBlocks.Hits, _rankFreeBlocks.Misses) : (_blocks.Hits, _blocks.Misses);

    public DigestModel Model(DigestRecipient recipient, DateOnly date, IReadOnlyList<SelectedPaper> papers) => new(
        _site.Name,
        _site.BaseUrl,
        date,
        string.IsNullOrWhiteSpace(recipient.Name) ? null : recipient.Name,
        recipient.Email,
        [.. papers.Select((p, i) => Block(i + 1, p))],
        links.Url("preferences", recipient.SubscriberId, recipient.Secret, LinkPurpose.Preferences),
        links.Url("unsubscribe", recipient.SubscriberId, recipient.Secret, LinkPurpose.Unsubscribe));

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
        // numbered copies are kept too, so a paper at a rank it had before costs a lookup, not two new strings
        return _blocks.GetOrRender(rank, selected, _numberBlock ??= (r, s) =>
        {
            var block = _rankFreeBlocks.GetOrRender(0, s, _renderBlock ??= (_, x) => templates.WithBlocks(Paper(0, x), TemplateSet.RankMark));
            var number = r.ToString(CultureInfo.InvariantCulture);
            return block with
            {
                Rank = r,
                Html = block.Html.Replace(TemplateSet.RankMark, number, StringComparison.Ordinal),
                Text = block.Text.Replace(TemplateSet.RankMark, number, StringComparison.Ordinal),
            };
        });
    }

    public (string Html, string Text) Render(DigestModel model)
    {
        var globals = model.ToScriptObject();
        return (templates.Render(TemplateSet.DigestHtml, globals), templates.Render(TemplateSet.DigestText, globals));
    }

    /// <param name="sequence">0 for the day's digest, 1, 2, … for manual resends of it.</param>
    public MimeMessage Compose(DigestRecipient recipient, DateOnly date, IReadOnlyList<SelectedPaper> papers, int sequence = 0)
    {
        var model = Model(recipient, date, papers);
        var (html, text) = Render(model);
        // the parameterless constructor generates a Message-ID from the host name (~20 µs); ours is set below
        var message = new MimeMessage((IEnumerable<Header>)[]) { MimeVersion = new Version(1, 0) };
        // a copy per message: MimeKit's address list subscribes to its addresses' Changed event, so adding the shared
        // instance would make it hold on to every message ever composed (a send of 100,000 digests kept them all)
        message.From.Add(new MailboxAddress(from.Name, from.Address));
        message.To.Add(new MailboxAddress(model.SubscriberName, recipient.Email));
        message.Subject = Subject(model);
        message.Date = clock.GetUtcNow();
        message.MessageId = MessageId(recipient.SubscriberId, date, sequence, from.Domain);
        AddBulkHeaders(message, model.UnsubscribeUrl);
        message.Body = new MultipartAlternative
        {
            new TextPart("plain") { Text = text },
            new TextPart("html") { Text = html },
        };
        return message;
    }

    public static string MessageId(string subscriberId, DateOnly date, int sequence, string domain) =>
        $"digest.{date:yyyyMMdd}.{sequence}.{subscriberId}@{(string.IsNullOrEmpty(domain) ? "localhost" : domain)}";

    private void AddBulkHeaders(MimeMessage message, string unsubscribeUrl)
    {
        var token = new Uri(unsubscribeUrl).Query.TrimStart('?');
        var mailbox = string.IsNullOrEmpty(_site.UnsubscribeMailbox) ? from.Address : MailboxAddress.Parse(_site.UnsubscribeMailbox) is { } m ? m.Address : from.Address;
        message.Headers.Add("List-Unsubscribe", $"<{unsubscribeUrl}>, <mailto:{mailbox}?subject=unsubscribe%20{Uri.EscapeDataString(token)}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add("List-Id", $"{_site.Name} digest <digest.{(string.IsNullOrEmpty(from.Domain) ? "localhost" : from.Domain)}>");
        message.Headers.Add("Precedence", "bulk");
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
    }

    private static string Subject(DigestModel model)
    {
        var day = model.Date.ToString("d MMM yyyy", CultureInfo.InvariantCulture);
        // a subject is one line: a title's line breaks, other controls and bidi overrides (which would reorder the
        // site name and date after it) are not the listing's to put there
        var first = ShortText.Cut(TypedText.Clean(model.Papers[0].Title), 70);
        return model.Papers.Count == 1
            ? $"{first} · {model.SiteName}, {day}"
            : $"{first} and {model.Papers.Count - 1} more · {model.SiteName}, {day}";
    }

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

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Common;
using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Scheduling;
using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Web;

/// <summary>
/// A subscriber's digests outside the inbox, over real HTTP: the browser view every digest links to, the archive on
/// /preferences, the private Atom feed (read by feedparser and checked against RFC 4287), and feed-only subscribers.
/// </summary>
public abstract partial class FeedPagesTests(WebMaildev maildev, Backend backend) : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 3, 11);
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    /// <summary>The morning after the listing day: the feed's 30 days reach back from here.</summary>
    private readonly FixedClock _clock = new(new DateTimeOffset(2026, 3, 12, 9, 0, 0, TimeSpan.Zero));
    private WebTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await maildev.Server.ClearAsync();
        _host = await WebTestHost.StartAsync(maildev.Server, backend, s => s.AddSingleton<TimeProvider>(_clock));
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay("2026-03-11")), CancellationToken.None);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_digest_links_to_its_browser_view_which_shows_that_past_digest_with_the_page_headers()
    {
        var id = await AddAsync("ada@example.org", "email");
        await RunDayAsync();
        var mail = Assert.Single(await maildev.Server.WaitForAsync(1));

        var fromHtml = WebUtility.HtmlDecode(Regex.Match(mail.Html, "<a href=\"([^\"]+)\"[^>]*>View in your browser</a>").Groups[1].Value);
        var fromText = Regex.Match(mail.Text, @"View in your browser:\s+(\S+)").Groups[1].Value;
        Assert.StartsWith($"{_host.BaseUrl}/digests/{id}.digest.20260311-0.", fromHtml);
        Assert.Equal(fromHtml, fromText);
        Assert.Matches($@"{Regex.Escape(_host.BaseUrl)}/feeds/{id}\.feed\.\S+\.atom", mail.Text);
        Assert.Contains("Your private feed (Atom)</a>", mail.Html);

        var response = await _host.Client.GetAsync(fromHtml);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        // the same digest: its papers, in its order, with their highlighted titles and why-matched lines
        Assert.Equal(PaperBlocks(mail.Html), PaperBlocks(page));
        Assert.NotEmpty(PaperBlocks(page));
        Assert.Contains("Wednesday, 11 March 2026", page);
    }

    [Fact]
    public async Task Tampered_tokens_get_the_usual_400_page_and_a_digest_that_is_not_stored_a_404()
    {
        var id = await AddAsync("ada@example.org", "email");
        await RunDayAsync();
        var secret = Text($"SELECT secret FROM subscribers WHERE id = '{id}'");
        var signer = _host.Get<LinkSigner>();
        var digest = signer.Sign(id, secret, LinkPurpose.Digest, LinkSigner.DigestSubject(Day, 0));
        var feed = signer.Sign(id, secret, LinkPurpose.Feed);

        foreach (var path in new[]
        {
            $"/digests/{Tamper(digest)}", $"/digests/{digest[..^3]}", $"/digests/{digest.Replace("20260311-0", "20260310-0")}", "/digests/nothing",
            $"/digests/{signer.Sign(id, secret, LinkPurpose.Preferences)}", // a token of another purpose
            $"/feeds/{Tamper(feed)}.atom", $"/feeds/{feed[..^3]}.atom", "/feeds/nothing.atom", $"/feeds/{digest}.atom",
        })
        {
            var response = await _host.Client.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {response.StatusCode}");
            Assert.Contains("This link is not valid", html);
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        }

        var missing = await _host.Client.GetAsync($"/digests/{signer.Sign(id, secret, LinkPurpose.Digest, LinkSigner.DigestSubject(Day.AddDays(-1), 0))}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("This digest is not here any more", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_archive_on_preferences_lists_the_last_30_digests_with_their_dates_and_paper_counts()
    {
        var id = await AddAsync("ada@example.org", "email");
        var papers = await _host.Get<PaperStore>().PapersOnAsync(Day, CancellationToken.None);
        // 32 days of digests, the day's paper count 1, 2 or 3 in turn; the last day's resend is no digest of its own
        var digests = Enumerable.Range(0, 32).Select(i => Planned(id, Day.AddDays(-i), 0, papers.Take(1 + (i % 3)))).Append(Planned(id, Day, 1, papers.Take(3))).ToList();
        await _host.Get<DigestPlans>().AddAsync(digests, CancellationToken.None);

        var page = await _host.Client.GetStringAsync($"/preferences?token={Uri.EscapeDataString(Token(id, LinkPurpose.Preferences))}");
        var items = Regex.Matches(page, "<li><a href=\"([^\"]+)\"><time datetime=\"([0-9-]+)\">[^<]+</time></a> · ([0-9]+) papers?</li>");

        Assert.Equal(30, items.Count);
        Assert.Equal([.. Enumerable.Range(0, 30).Select(i => Day.AddDays(-i).ToString("yyyy-MM-dd"))], items.Select(m => m.Groups[2].Value));
        Assert.Equal([.. Enumerable.Range(0, 30).Select(i => (1 + (i % 3)).ToString())], items.Select(m => m.Groups[3].Value));
        Assert.Contains("<time datetime=\"2026-03-11\">Wed 11 Mar 2026</time></a> · 1 paper</li>", page);
        var oldest = await _host.Client.GetStringAsync(WebUtility.HtmlDecode(items[^1].Groups[1].Value));
        Assert.Contains(Day.AddDays(-29).ToString("dddd, d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture), oldest);
        Assert.Equal(3, PaperBlocks(oldest).Count);
        var feed = Regex.Match(page, "<link rel=\"alternate\" type=\"application/atom\\+xml\" title=\"[^\"]+\" href=\"([^\"]+)\">").Groups[1].Value;
        Assert.StartsWith($"{_host.BaseUrl}/feeds/{id}.feed.", feed);
        Assert.Contains($"<a href=\"{feed}\" id=\"feed\">", page);
    }

    [Fact]
    public async Task The_feed_reads_cleanly_in_feedparser_and_has_every_element_RFC_4287_requires()
    {
        var id = await AddAsync("ada@example.org", "email");
        await RunDayAsync();
        var paperIds = PaperIdsOf(id);

        var response = await _host.Client.GetAsync(FeedPath(id));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.Private, response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.NotNull(response.Content.Headers.LastModified);

        var parsed = await PythonFeedparser.ParseAsync(body);
        Assert.True(parsed.Bozo == 0, parsed.Problem);
        Assert.Equal("atom10", parsed.Version);
        Assert.Equal(paperIds.Count, parsed.Entries.Count);
        Assert.All(parsed.Entries, e =>
        {
            Assert.False(string.IsNullOrEmpty(e.Id));
            Assert.False(string.IsNullOrEmpty(e.Title));
            Assert.StartsWith("https://huggingface.co/papers/", e.Link);
            Assert.StartsWith("2026-03-11", e.Updated);
            Assert.Contains("Matched: <strong>", e.Content);
        });
        Assert.Equal(parsed.Entries.Count, parsed.Entries.Select(e => e.Id).Distinct().Count());
        Assert.Equal([.. paperIds.Select(p => "https://huggingface.co/papers/" + p)], parsed.Entries.Select(e => e.Link));

        // RFC 4287 4.1.1 and 4.1.2: what a feed and each entry must have
        var feed = XDocument.Parse(System.Text.Encoding.UTF8.GetString(body)).Root!;
        Assert.Equal(Atom + "feed", feed.Name);
        foreach (var required in new[] { "id", "title", "updated" })
        {
            Assert.Single(feed.Elements(Atom + required));
        }
        Assert.Single(feed.Elements(Atom + "author"), a => a.Element(Atom + "name") is { Value.Length: > 0 });
        var self = Assert.Single(feed.Elements(Atom + "link"), l => (string?)l.Attribute("rel") == "self");
        Assert.Equal($"{_host.BaseUrl}{FeedPath(id)}", (string?)self.Attribute("href"));
        Assert.True(Uri.IsWellFormedUriString(feed.Element(Atom + "id")!.Value, UriKind.Absolute));
        var updated = new List<DateTimeOffset>();
        foreach (var entry in feed.Elements(Atom + "entry"))
        {
            Assert.StartsWith($"tag:127.0.0.1,2026-03-12:{id}/paper/", entry.Element(Atom + "id")!.Value);
            Assert.Single(entry.Elements(Atom + "title"));
            Assert.Single(entry.Elements(Atom + "updated"));
            Assert.Single(entry.Elements(Atom + "link"), l => (string?)l.Attribute("rel") == "alternate");
            Assert.Equal("html", (string?)entry.Element(Atom + "content")!.Attribute("type"));
            updated.Add(DateTimeOffset.Parse(entry.Element(Atom + "updated")!.Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal(updated.OrderByDescending(u => u), updated); // newest first
    }

    [Fact]
    public async Task The_feed_answers_304_to_a_matching_If_None_Match_or_an_If_Modified_Since_not_before_its_change()
    {
        var id = await AddAsync("ada@example.org", "email");
        await RunDayAsync();
        var first = await _host.Client.GetAsync(FeedPath(id));
        var etag = first.Headers.ETag!;
        var lastModified = first.Content.Headers.LastModified!.Value;

        Assert.Equal(HttpStatusCode.NotModified, (await GetFeedAsync(id, r => r.Headers.IfNoneMatch.Add(etag))).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await GetFeedAsync(id, r => r.Headers.IfModifiedSince = lastModified)).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await GetFeedAsync(id, r => r.Headers.IfModifiedSince = lastModified.AddHours(1))).StatusCode);
        var stale = await GetFeedAsync(id, r => r.Headers.IfModifiedSince = lastModified.AddSeconds(-1));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.NotEmpty(await stale.Content.ReadAsByteArrayAsync());
        // If-None-Match decides when both are there (RFC 9110 13.2.2): another tag gets the feed whatever the date says
        Assert.Equal(HttpStatusCode.OK, (await GetFeedAsync(id, r =>
        {
            r.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"another\""));
            r.Headers.IfModifiedSince = lastModified;
        })).StatusCode);
        var notModified = await GetFeedAsync(id, r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.True(notModified.Headers.CacheControl?.Private);
    }

    [Fact]
    public async Task A_feed_only_subscriber_gets_no_mail_but_their_feed_has_the_days_papers()
    {
        var ada = await AddAsync("ada@example.org", "email");
        var grace = await AddAsync("grace@example.org", "feed");

        var report = await RunDayAsync();

        Assert.Equal(2, report.Planned.Count);
        Assert.Equal(1, report.Sent.Sent);
        Assert.Equal(0, report.Sent.Failed + report.Sent.Skipped + report.Sent.Deferred);
        var mails = await maildev.Server.WaitForAsync(1);
        await Task.Delay(500); // anything else on its way arrives by now
        Assert.Equal(["ada@example.org"], (await maildev.Server.EmailsAsync()).SelectMany(m => m.To));
        Assert.Equal("sent", Text($"SELECT status FROM deliveries WHERE subscriber_id = '{ada}'"));
        Assert.Equal("feed", Text($"SELECT status FROM deliveries WHERE subscriber_id = '{grace}'"));
        Assert.False(await _host.Get<Newsletter.Delivery.Outbox>().AnyOwedAsync(null, CancellationToken.None));
        var again = await _host.Get<DailyRun>().RunAsync(new RunRequest(Day, "manual", SkipIngest: true), CancellationToken.None);
        Assert.Equal(0, again.Sent.Sent + again.Sent.Failed);

        var feed = await PythonFeedparser.ParseAsync(await _host.Client.GetByteArrayAsync(FeedPath(grace)));
        Assert.Equal(0, feed.Bozo);
        Assert.Equal([.. PaperIdsOf(grace).Select(p => "https://huggingface.co/papers/" + p)], feed.Entries.Select(e => e.Link));
        Assert.NotEmpty(feed.Entries);
        var archive = await _host.Client.GetStringAsync($"/preferences?token={Uri.EscapeDataString(Token(grace, LinkPurpose.Preferences))}");
        Assert.Contains("<time datetime=\"2026-03-11\">", archive);
        Assert.Contains("value=\"feed\" checked", archive);
    }

    [Fact]
    public async Task A_subscriber_who_chose_the_feed_after_planning_gets_no_mail_for_the_digest_already_owed()
    {
        var ada = await AddAsync("ada@example.org", "email");
        var planned = await _host.Get<DigestPlanner>().PlanAsync(Day, await _host.Get<PaperStore>().PapersOnAsync(Day, CancellationToken.None), null, true, CancellationToken.None);
        Assert.Equal(1, planned.Count);
        var patch = await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{ada}", new { delivery = "feed" });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        var sent = await _host.Get<Newsletter.Delivery.DigestSender>().SendOwedAsync(Day, CancellationToken.None);

        Assert.Equal(0, sent.Sent + sent.Failed + sent.Skipped);
        Assert.Equal("feed", Text($"SELECT status FROM deliveries WHERE subscriber_id = '{ada}'"));
        Assert.Empty(await maildev.Server.EmailsAsync());
    }

    [Fact]
    public async Task Delivery_is_offered_by_the_admin_api_and_the_forms_and_a_bad_value_is_named()
    {
        var created = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email = "grace@example.org", keywords = new[] { "RL" }, confirmed = true, delivery = "feed" });
        var grace = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("feed", grace.GetProperty("delivery").GetString());
        var id = grace.GetProperty("id").GetString()!;

        var bad = await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{id}", new { delivery = "fax", sendHour = 5 });
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("fax", problem.GetProperty("errors").GetProperty("delivery")[0].GetString());
        Assert.Equal(8, Scalar($"SELECT send_hour FROM subscribers WHERE id = '{id}'")); // nothing of the bad change stored
        var badCreate = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email = "alan@example.org", keywords = new[] { "RL" }, delivery = "pigeon" });
        Assert.Equal(HttpStatusCode.BadRequest, badCreate.StatusCode);
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers WHERE email = 'alan@example.org'"));

        var ok = await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{id}", new { delivery = "email" });
        Assert.Equal("email", (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delivery").GetString());

        var form = await _host.Client.GetStringAsync("/subscribe");
        Assert.Contains("name=\"delivery\" value=\"email\" checked", form);
        Assert.Contains("name=\"delivery\" value=\"feed\"", form);
        var token = Token(id, LinkPurpose.Preferences);
        var preferences = await _host.Client.GetStringAsync($"/preferences?token={Uri.EscapeDataString(token)}");
        var fields = Regex.Matches(preferences, "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">").ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        using var save = new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["keywords"] = "RL", ["delivery"] = "feed", ["action"] = "save" });
        Assert.Equal(HttpStatusCode.SeeOther, (await _host.Client.PostAsync("/preferences", save)).StatusCode);
        Assert.Equal("feed", Text($"SELECT delivery FROM subscribers WHERE id = '{id}'"));
        using var wrong = new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["keywords"] = "RL", ["delivery"] = "post", ["action"] = "save" });
        var refused = await _host.Client.PostAsync("/preferences", wrong);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("id=\"delivery-error\"", await refused.Content.ReadAsStringAsync());
        Assert.Equal("feed", Text($"SELECT delivery FROM subscribers WHERE id = '{id}'"));
    }

    [Fact]
    public async Task A_feed_only_subscriber_from_the_form_confirms_their_address_and_the_confirmed_page_gives_their_feed()
    {
        var (subscribed, _) = await PostFormAsync("/subscribe", "/subscribe",
            new() { ["email"] = "grace@example.org", ["keywords"] = "agents", ["sendHour"] = "8", ["timeZone"] = "UTC", ["delivery"] = "feed" });
        Assert.Equal(HttpStatusCode.OK, subscribed);
        Assert.Equal("feed", Text("SELECT delivery FROM subscribers WHERE email = 'grace@example.org'"));
        Assert.Equal("pending", Text("SELECT status FROM subscribers WHERE email = 'grace@example.org'"));

        var mail = Assert.Single(await maildev.Server.WaitForAsync(1)); // the confirmation: the one mail a feed-only subscriber gets
        var link = Regex.Match(mail.Text, @"https?://\S+/confirm\?token=\S+").Value;
        var confirmPage = await _host.Client.GetStringAsync(link);
        var token = WebUtility.HtmlDecode(Regex.Match(confirmPage, "name=\"token\" value=\"([^\"]+)\"").Groups[1].Value);
        var (confirmed, page) = await PostFormAsync("/confirm", link, new() { ["token"] = token });

        Assert.Equal(HttpStatusCode.OK, confirmed);
        Assert.Equal("active", Text("SELECT status FROM subscribers WHERE email = 'grace@example.org'"));
        Assert.Contains("nothing is emailed", page);
        var feed = WebUtility.HtmlDecode(Regex.Match(page, "<a href=\"([^\"]+)\">Your private feed \\(Atom\\)</a>").Groups[1].Value);
        var response = await _host.Client.GetAsync(feed);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, (await PythonFeedparser.ParseAsync(await response.Content.ReadAsByteArrayAsync())).Bozo);
    }

    /// <summary>Loads the form page (for its anti-forgery cookie and field), then posts the fields with it.</summary>
    private async Task<(HttpStatusCode Status, string Html)> PostFormAsync(string path, string formPage, Dictionary<string, string> fields)
    {
        var form = await _host.Client.GetStringAsync(formPage);
        var protection = Regex.Match(form, "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">");
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>(fields) { [protection.Groups[1].Value] = WebUtility.HtmlDecode(protection.Groups[2].Value) });
        var response = await _host.Client.PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static PlannedDigest Planned(string subscriberId, DateOnly date, int sequence, IEnumerable<Paper> papers) => new(
        subscriberId, date, sequence, $"m{date:yyyyMMdd}.{sequence}@example.org",
        [.. papers.Select(p => new SelectedPaper(p, 1, ["learning"], [], []))], "2026-03-12T08:00:00.0000000+00:00");

    private async Task<string> AddAsync(string email, string delivery)
    {
        var created = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email, keywords = new[] { "reinforcement learning", "agents" }, confirmed = true, delivery });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private Task<RunReport> RunDayAsync() => _host.Get<DailyRun>().RunAsync(new RunRequest(Day, "manual", SkipIngest: true), CancellationToken.None);

    private async Task<HttpResponseMessage> GetFeedAsync(string id, Action<HttpRequestMessage> conditions)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, FeedPath(id));
        conditions(request);
        return await _host.Client.SendAsync(request);
    }

    private string FeedPath(string id) => $"/feeds/{Token(id, LinkPurpose.Feed)}.atom";

    private string Token(string id, LinkPurpose purpose) => _host.Get<LinkSigner>().Sign(id, Text($"SELECT secret FROM subscribers WHERE id = '{id}'"), purpose);

    /// <summary>The papers of the subscriber's digest of the day, in digest order.</summary>
    private List<string> PaperIdsOf(string id)
    {
        return [.. _host.App.DigestPapers($"d.id = '{id}:2026-03-11:0'").Select(r => r.Paper.PaperId)];
    }

    /// <summary>The rows of a digest's HTML that show its papers (everything but the header and footer, whose links carry fresh tokens).</summary>
    private static List<string> PaperBlocks(string html) =>
        [.. Regex.Matches(html, "<tr><td style=\"padding:16px 24px;border-top[^\"]*\">.*?</td></tr>", RegexOptions.Singleline).Select(m => m.Value)];

    /// <summary>One character of the signature changed.</summary>
    private static string Tamper(string token) => token[..^1] + (token[^1] == 'A' ? 'B' : 'A');

    private long Scalar(string sql) => Convert.ToInt64(_host.Query(sql));

    private string Text(string sql) => (string)_host.Query(sql)!;
}

[Collection(nameof(WebCollection))]
public sealed class FeedPagesTestsOnSqlite(WebMaildev maildev) : FeedPagesTests(maildev, Backend.Sqlite);

[Collection(nameof(WebCollection))]
public sealed class FeedPagesTestsOnPostgres(WebMaildev maildev) : FeedPagesTests(maildev, Backend.Postgres);

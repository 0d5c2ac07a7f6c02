using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Scheduling;
using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Web;

/// <summary>The subscriber pages over real HTTP: forms, signed links, one-click unsubscribe, errors, limits.</summary>
public abstract partial class SubscriberPagesTests(WebMaildev maildev, Backend backend) : IAsyncLifetime
{
    private WebTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await maildev.Server.ClearAsync();
        _host = await WebTestHost.StartAsync(maildev.Server, backend, "--Site:SubscribeRequestsPerMinute=0");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_subscribe_form_has_labelled_fields_and_an_anti_forgery_token()
    {
        var response = await _host.Client.GetAsync("/subscribe");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        foreach (var field in new[] { "email", "keywords", "exclude", "sendHour", "timeZone", "maxPapers" })
        {
            Assert.Contains($"<label for=\"{field}\">", html);
            Assert.Contains($"id=\"{field}\"", html);
        }
        Assert.Matches(AntiforgeryField(), html);
        Assert.Contains("How to write keywords", html);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task An_invalid_keyword_is_shown_inline_with_the_parser_message_and_nothing_is_stored()
    {
        var (status, html) = await SubmitAsync("/subscribe", new() { ["email"] = "ada@example.org", ["keywords"] = "reinforcement learning\nRL AND \"policy", ["sendHour"] = "7", ["timeZone"] = "UTC" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Line 2: unbalanced quote", html);
        Assert.Contains("aria-invalid=\"true\" aria-describedby=\"keywords-hint keywords-error\"", html);
        Assert.Contains("role=\"alert\"", html);
        Assert.Contains("RL AND &quot;policy</textarea>", html); // what was typed is kept, escaped
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers"));
        Assert.Empty(await maildev.Server.EmailsAsync());
    }

    [Fact]
    public async Task Bad_email_and_bad_numbers_get_messages_not_errors()
    {
        var (status, html) = await SubmitAsync("/subscribe", new() { ["email"] = "ada@", ["keywords"] = "RL", ["maxPapers"] = "lots", ["timeZone"] = "Mars/Base" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("is not a valid email address", html);
        Assert.Contains("Enter a whole number between 1 and 100", html);
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers"));
    }

    [Fact]
    public async Task Over_long_fields_and_control_characters_are_named_on_the_form()
    {
        var longKeyword = "graph " + new string('x', 200);
        var cases = new (string Field, string Value, string Words)[]
        {
            ("name", new string('n', 201), "at most 200 characters"),
            ("name", "Ada\0Lovelace", "invalid characters"),
            ("keywords", string.Join("\n", Enumerable.Range(1, 51).Select(i => $"topic{i}")), "at most 50"),
            ("keywords", "diffusion\n" + longKeyword, "Line 2"),
            ("keywords", string.Join("\n", Enumerable.Range(1, 30).Select(i => new string('k', 150) + i)), "at most 4,000 characters"),
            ("keywords", "diffusion\u0000", "invalid characters"),
            ("exclude", "survey\u0007", "invalid characters"),
            ("email", "ada\u0000@example.org", "email"),
        };
        foreach (var (field, value, words) in cases)
        {
            var form = new Dictionary<string, string> { ["email"] = "ada@example.org", ["keywords"] = "diffusion", ["sendHour"] = "8", ["timeZone"] = "UTC" };
            form[field] = value;
            var (status, html) = await SubmitAsync("/subscribe", form);

            Assert.True(status == HttpStatusCode.BadRequest, $"{field}: {status} {MainOf(html)}");
            Assert.DoesNotContain("This form has expired", html);
            var error = Regex.Match(html, $"<p class=\"error\" id=\"{field}-error\">([^<]*)</p>");
            Assert.True(error.Success, $"{field}: no error under the field in {MainOf(html)}");
            Assert.Contains(words, WebUtility.HtmlDecode(error.Groups[1].Value));
        }
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers"));

        var id = await SubscribeAndGetIdAsync("ada@example.org");
        var token = _host.Get<LinkSigner>().Sign(id, Text($"SELECT secret FROM subscribers WHERE id = '{id}'"), LinkPurpose.Preferences);
        var (saveStatus, saved) = await SubmitAsync($"/preferences?token={Uri.EscapeDataString(token)}",
            new() { ["token"] = token, ["keywords"] = "RL\u0000HF", ["action"] = "save" });
        Assert.Equal(HttpStatusCode.BadRequest, saveStatus);
        Assert.Contains("invalid characters", saved);
        Assert.Equal("[\"diffusion\"]", Text($"SELECT keywords FROM profiles WHERE subscriber_id = '{id}'"));
    }

    [Fact]
    public async Task A_form_too_large_to_read_gets_a_413_page_saying_so()
    {
        var (status, html) = await SubmitAsync("/subscribe", new() { ["email"] = "ada@example.org", ["keywords"] = new string('k', 5_000_000) });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("too large", html);
        Assert.DoesNotContain("This form has expired", html);
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers"));
    }

    [Fact]
    public async Task Subscribing_answers_the_same_whether_or_not_the_address_exists()
    {
        var form = new Dictionary<string, string> { ["email"] = "ada@example.org", ["keywords"] = "diffusion", ["sendHour"] = "8", ["timeZone"] = "UTC" };
        var (_, first) = await SubmitAsync("/subscribe", form);
        await ConfirmByMailAsync("ada@example.org");
        var (_, again) = await SubmitAsync("/subscribe", form);
        var (_, stranger) = await SubmitAsync("/subscribe", new(form) { ["email"] = "nobody@example.org" });

        Assert.Equal(MainOf(first), MainOf(again));
        Assert.Equal(MainOf(first).Replace("ada@example.org", "nobody@example.org"), MainOf(stranger));
        Assert.Contains("Check your inbox", first);
        Assert.Equal("active", Status("ada@example.org")); // the active subscriber's profile was not changed by a stranger's form
        Assert.Equal("[\"diffusion\"]", Text("SELECT keywords FROM profiles p JOIN subscribers s ON s.id = p.subscriber_id WHERE s.email = 'ada@example.org'"));
    }

    [Fact]
    public async Task A_form_without_its_anti_forgery_token_gets_a_clear_page_and_changes_nothing()
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "ada@example.org", ["keywords"] = "RL" });
        var response = await new HttpClient { BaseAddress = new Uri(_host.BaseUrl) }.PostAsync("/subscribe", content);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("This form has expired", html);
        Assert.DoesNotContain("Exception", html);
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers"));
    }

    [Fact]
    public async Task Tampered_and_expired_links_get_a_clear_page_never_an_error()
    {
        var id = await SubscribeAndGetIdAsync("ada@example.org");
        var secret = Text($"SELECT secret FROM subscribers WHERE id = '{id}'");
        var valid = _host.Get<LinkSigner>().Sign(id, secret, LinkPurpose.Preferences);
        var expired = new LinkSigner(_host.Get<IOptions<SiteOptions>>(), _host.Get<Newsletter.Common.NewsletterHome>(), new FixedClock(DateTimeOffset.UtcNow.AddDays(-400)))
            .Sign(id, secret, LinkPurpose.Preferences);

        foreach (var (token, status, words) in new[]
        {
            (valid[..^2] + (valid[^2] == 'A' ? "BB" : "AA"), HttpStatusCode.BadRequest, "This link is not valid"),
            (valid.Replace(id, "0000000000000000"), HttpStatusCode.BadRequest, "This link is not valid"),
            ("garbage", HttpStatusCode.BadRequest, "This link is not valid"),
            ("", HttpStatusCode.BadRequest, "This link is not valid"),
            (expired, HttpStatusCode.Gone, "This link has expired"),
        })
        {
            foreach (var page in new[] { "/preferences", "/unsubscribe", "/confirm" })
            {
                var response = await _host.Client.GetAsync($"{page}?token={Uri.EscapeDataString(token)}");
                var html = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == status || (page != "/preferences" && response.StatusCode == HttpStatusCode.BadRequest), $"{page} {token}: {response.StatusCode}");
                Assert.Contains(page == "/preferences" ? words : "This link", html);
            }
        }
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync($"/preferences?token={Uri.EscapeDataString(valid)}")).StatusCode);
    }

    [Fact]
    public async Task One_click_unsubscribe_needs_no_page_cookie_or_form_token()
    {
        var id = await SubscribeAndGetIdAsync("ada@example.org");
        await ConfirmByMailAsync("ada@example.org");
        var token = _host.Get<LinkSigner>().Sign(id, Text($"SELECT secret FROM subscribers WHERE id = '{id}'"), LinkPurpose.Unsubscribe);

        using var mailClient = new HttpClient { BaseAddress = new Uri(_host.BaseUrl) };
        using var body = new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" });
        var response = await mailClient.PostAsync($"/unsubscribe?token={Uri.EscapeDataString(token)}", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unsubscribed", Status("ada@example.org"));
        using var tampered = new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" });
        Assert.Equal(HttpStatusCode.BadRequest, (await mailClient.PostAsync($"/unsubscribe?token={Uri.EscapeDataString(token)}x", tampered)).StatusCode);
    }

    [Fact]
    public async Task Subscribing_again_after_unsubscribing_needs_a_new_confirmation()
    {
        var id = await SubscribeAndGetIdAsync("ada@example.org");
        await ConfirmByMailAsync("ada@example.org");
        var token = _host.Get<LinkSigner>().Sign(id, Text($"SELECT secret FROM subscribers WHERE id = '{id}'"), LinkPurpose.Unsubscribe);
        var unsubscribePage = $"/unsubscribe?token={Uri.EscapeDataString(token)}";
        using (var unsubscribe = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }))
        {
            Assert.Equal(HttpStatusCode.OK, (await _host.Client.PostAsync("/unsubscribe", unsubscribe)).StatusCode);
        }
        Assert.Equal("unsubscribed", Status("ada@example.org"));

        var (status, html) = await SubmitAsync("/resubscribe", new() { ["token"] = token }, formPage: unsubscribePage);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Check your inbox", html);
        Assert.Equal("pending", Status("ada@example.org"));
        var mails = await maildev.Server.WaitForAsync(2);
        Assert.Equal(2, mails.Count(m => m.To.Contains("ada@example.org") && ConfirmLink().IsMatch(m.Text)));
        await ConfirmByMailAsync("ada@example.org"); // the new link brings the address back
    }

    [Fact]
    public async Task Saved_preferences_are_checked_and_a_paused_subscriber_gets_no_digest()
    {
        var id = await SubscribeAndGetIdAsync("ada@example.org");
        await ConfirmByMailAsync("ada@example.org");
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay("2026-03-11")), CancellationToken.None);
        var token = _host.Get<LinkSigner>().Sign(id, Text($"SELECT secret FROM subscribers WHERE id = '{id}'"), LinkPurpose.Preferences);
        var page = await _host.Client.GetStringAsync($"/preferences?token={Uri.EscapeDataString(token)}");
        Assert.Contains("Papers these keywords would have matched", page);
        Assert.Matches(@"\d+ papers? in the 7 days up to 2026-03-11", page);

        var (badStatus, bad) = await SubmitAsync($"/preferences?token={Uri.EscapeDataString(token)}", new() { ["token"] = token, ["keywords"] = "NOT survey", ["action"] = "save" });
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("Line 1:", bad);
        Assert.Equal("[\"diffusion\"]", Text($"SELECT keywords FROM profiles WHERE subscriber_id = '{id}'"));

        var (okStatus, okLocation, _) = await PostAsync($"/preferences?token={Uri.EscapeDataString(token)}", new()
        {
            ["token"] = token, ["keywords"] = "\"reinforcement learning\"\nRLHF", ["exclude"] = "survey", ["sendHour"] = "6", ["timeZone"] = "Europe/Berlin",
            ["maxPapers"] = "3", ["paused"] = "on", ["action"] = "save",
        });
        Assert.Equal(HttpStatusCode.SeeOther, okStatus);
        Assert.Contains("Saved.", await _host.Client.GetStringAsync(okLocation));
        Assert.Equal("[\"\\u0022reinforcement learning\\u0022\",\"RLHF\"]", Text($"SELECT keywords FROM profiles WHERE subscriber_id = '{id}'"));
        Assert.Equal(6, Scalar($"SELECT send_hour FROM subscribers WHERE id = '{id}'"));
        Assert.Equal("Europe/Berlin", Text($"SELECT time_zone FROM subscribers WHERE id = '{id}'"));

        var report = await _host.Get<DailyRun>().RunAsync(new RunRequest(new DateOnly(2026, 3, 11), "manual", SkipIngest: true), CancellationToken.None);
        Assert.Equal(0, report.Planned.Count);
    }

    [Fact]
    public async Task How_often_is_chosen_on_the_subscribe_form_changed_on_preferences_and_a_bad_value_is_named()
    {
        var subscribe = await _host.Client.GetStringAsync("/subscribe");
        Assert.Contains("<legend>How often</legend>", subscribe);
        Assert.Contains("<label for=\"weekday\">", subscribe);
        Assert.Contains("id=\"frequency\" name=\"frequency\" value=\"daily\" checked", subscribe);

        var (status, html) = await SubmitAsync("/subscribe", new()
        {
            ["email"] = "ada@example.org", ["keywords"] = "diffusion", ["sendHour"] = "8", ["timeZone"] = "UTC", ["frequency"] = "weekly", ["weekday"] = "wednesday",
        });
        Assert.True(status == HttpStatusCode.OK, html);
        var id = Text("SELECT id FROM subscribers WHERE email = 'ada@example.org'");
        Assert.Equal("weekly wednesday", Text($"SELECT frequency || ' ' || weekday FROM subscribers WHERE id = '{id}'"));

        var token = _host.Get<LinkSigner>().Sign(id, Text($"SELECT secret FROM subscribers WHERE id = '{id}'"), LinkPurpose.Preferences);
        var page = await _host.Client.GetStringAsync($"/preferences?token={Uri.EscapeDataString(token)}");
        Assert.Contains("value=\"weekly\" checked", page);
        Assert.Contains("<option value=\"wednesday\" selected>Wednesday</option>", page);

        var (badStatus, bad) = await SubmitAsync($"/preferences?token={Uri.EscapeDataString(token)}", new()
        {
            ["token"] = token, ["keywords"] = "diffusion", ["frequency"] = "hourly", ["sendHour"] = "6", ["action"] = "save",
        });
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("&#39;hourly&#39; is not a frequency", bad.Replace("&#x27;", "&#39;", StringComparison.Ordinal));
        Assert.Contains("href=\"#frequency\"", bad);
        Assert.Equal(8, Scalar($"SELECT send_hour FROM subscribers WHERE id = '{id}'"));

        var (okStatus, _, _) = await PostAsync($"/preferences?token={Uri.EscapeDataString(token)}", new()
        {
            ["token"] = token, ["keywords"] = "diffusion", ["frequency"] = "weekdays", ["weekday"] = "wednesday", ["action"] = "save",
        });
        Assert.Equal(HttpStatusCode.SeeOther, okStatus);
        Assert.Equal("weekdays", Text($"SELECT frequency FROM subscribers WHERE id = '{id}'"));
    }

    [Fact]
    public async Task The_live_preview_lists_recent_papers_the_edited_keywords_match()
    {
        var id = await SubscribeAndGetIdAsync("ada@example.org");
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay("2026-03-11")), CancellationToken.None);
        var token = _host.Get<LinkSigner>().Sign(id, Text($"SELECT secret FROM subscribers WHERE id = '{id}'"), LinkPurpose.Preferences);

        var rl = await _host.Client.GetStringAsync($"/preferences/preview?token={Uri.EscapeDataString(token)}&keywords={Uri.EscapeDataString("reinforcement learning")}");
        var broken = await _host.Client.GetStringAsync($"/preferences/preview?token={Uri.EscapeDataString(token)}&keywords={Uri.EscapeDataString("(RL")}");
        var none = await _host.Client.GetStringAsync($"/preferences/preview?token={Uri.EscapeDataString(token)}&keywords=zzzqqq");

        Assert.Contains("Matched: reinforcement learning", rl);
        Assert.Contains("huggingface.co/papers/", rl);
        Assert.Contains("class=\"error\"", broken);
        Assert.Contains("No papers in the 7 days up to 2026-03-11 match", none);
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Client.GetAsync($"/preferences/preview?token=bad&keywords=RL")).StatusCode);
    }

    [Fact]
    public async Task The_preferences_preview_lists_no_more_papers_than_papers_per_email_saved_or_typed()
    {
        // before, the preview listed up to 20 matches whatever "Papers per email" said (7 for a subscriber with 5)
        var (id, token) = await AdaWithPreferencesLinkAsync(maxPapers: 5, "reinforcement learning");
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay("2026-03-11")), CancellationToken.None);
        var preferences = $"/preferences?token={Uri.EscapeDataString(token)}";
        var fragment = $"/preferences/preview?token={Uri.EscapeDataString(token)}&keywords={Uri.EscapeDataString("reinforcement learning")}";

        var saved = await _host.Client.GetStringAsync(preferences);
        var (typedStatus, typed) = await SubmitAsync(preferences, new() { ["token"] = token, ["keywords"] = "reinforcement learning", ["maxPapers"] = "3", ["action"] = "preview" });
        var liveTyped = await _host.Client.GetStringAsync(fragment + "&maxPapers=2");
        var liveSaved = await _host.Client.GetStringAsync(fragment);
        var liveNotANumber = await _host.Client.GetStringAsync(fragment + "&maxPapers=lots");
        var uncapped = await _host.Client.GetStringAsync(fragment + "&maxPapers=100");

        Assert.True(PreviewedPapers(uncapped) > 5, $"the corpus day should match more than 5 papers: {uncapped}");
        Assert.Equal(5, PreviewedPapers(saved));
        Assert.Contains("the best 5 shown, as many as one email holds", saved);
        Assert.Equal(HttpStatusCode.OK, typedStatus);
        Assert.Equal(3, PreviewedPapers(typed));
        Assert.Equal(2, PreviewedPapers(liveTyped));
        Assert.Equal(5, PreviewedPapers(liveSaved));
        Assert.Equal(5, PreviewedPapers(liveNotANumber)); // a value the form would refuse previews the saved cap
        Assert.Equal(5L, Scalar($"SELECT max_papers FROM profiles WHERE subscriber_id = '{id}'")); // a preview saves nothing
    }

    [Fact]
    public async Task The_live_preview_keeps_to_the_focus_being_chosen()
    {
        // before, a subscriber choosing "focused" still saw every paper that mentions a keyword in passing
        var (_, token) = await AdaWithPreferencesLinkAsync(maxPapers: 100, "reinforcement learning");
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay("2026-03-11")), CancellationToken.None);
        var fragment = $"/preferences/preview?token={Uri.EscapeDataString(token)}&keywords={Uri.EscapeDataString("reinforcement learning")}";

        var saved = PreviewedPapers(await _host.Client.GetStringAsync(fragment));
        var broad = PreviewedPapers(await _host.Client.GetStringAsync(fragment + "&focus=broad"));
        var focused = PreviewedPapers(await _host.Client.GetStringAsync(fragment + "&focus=focused"));
        var (status, page) = await SubmitAsync($"/preferences?token={Uri.EscapeDataString(token)}",
            new() { ["token"] = token, ["keywords"] = "reinforcement learning", ["maxPapers"] = "100", ["focus"] = "focused", ["action"] = "preview" });

        Assert.Equal(broad, saved); // no focus asked: the saved one, broad
        Assert.InRange(focused, 1, broad - 1);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(focused, PreviewedPapers(page));
    }

    [Fact]
    public async Task Saving_preferences_redirects_to_the_page_so_a_reload_does_not_post_the_form_again()
    {
        // before, the save answered the POST with the page itself: the address bar kept the POST and a reload sent it again
        var (id, token) = await AdaWithPreferencesLinkAsync(maxPapers: 10, "diffusion");
        var preferences = $"/preferences?token={Uri.EscapeDataString(token)}";

        var (status, location, _) = await PostAsync(preferences, new() { ["token"] = token, ["keywords"] = "quantization", ["maxPapers"] = "4", ["action"] = "save" });
        var after = await _host.Client.GetAsync(location);
        var page = await after.Content.ReadAsStringAsync();
        var (pausedStatus, pausedLocation, _) = await PostAsync(preferences, new() { ["token"] = token, ["keywords"] = "quantization", ["paused"] = "on", ["action"] = "save" });
        var paused = await _host.Client.GetStringAsync(pausedLocation);
        var (refusedStatus, refusedLocation, refused) = await PostAsync(preferences, new() { ["token"] = token, ["keywords"] = "NOT survey", ["action"] = "save" });

        Assert.Equal(HttpStatusCode.SeeOther, status);
        Assert.Equal($"/preferences?token={Uri.EscapeDataString(token)}&saved=1", location);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Contains("<p class=\"notice\" role=\"status\">Saved. Your next digest uses these settings.</p>", page);
        Assert.Contains(">quantization</textarea>", page);
        Assert.Contains("value=\"4\"", page);
        Assert.DoesNotContain("Saved.", await _host.Client.GetStringAsync(preferences)); // the notice belongs to the answer of a save only
        Assert.Equal(HttpStatusCode.SeeOther, pausedStatus);
        Assert.Contains("Saved. Your digests are paused until you untick “Pause”.", paused);
        Assert.Equal(HttpStatusCode.BadRequest, refusedStatus); // a refused form is shown again, with what was typed
        Assert.Null(refusedLocation);
        Assert.Contains("Line 1:", refused);
        Assert.Contains(">NOT survey</textarea>", refused);
        Assert.Equal("[\"quantization\"]", Text($"SELECT keywords FROM profiles WHERE subscriber_id = '{id}'"));
    }

    [Fact]
    public async Task Subscribing_too_often_from_one_address_is_limited()
    {
        await _host.DisposeAsync();
        _host = await WebTestHost.StartAsync(maildev.Server, backend, "--Site:SubscribeRequestsPerMinute=2");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await SubmitAsync("/subscribe", new() { ["email"] = $"user{i}@example.org", ["keywords"] = "RL" })).Status);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(2, Scalar("SELECT count(*) FROM subscribers"));
    }

    [Fact]
    public async Task Subscribing_answers_without_waiting_for_the_mail_server()
    {
        await _host.DisposeAsync();
        await using var stalling = await SmtpTestServer.StartAsync(Path.Combine(Path.GetTempPath(), $"stall-{Guid.NewGuid():N}.jsonl"), stallAfter: 0);
        _host = await WebTestHost.StartAsync(null, backend, "--Site:SubscribeRequestsPerMinute=0", "--Smtp:Host=127.0.0.1", $"--Smtp:Port={stalling.Port}",
            "--Smtp:Security=None", "--Smtp:TimeoutSeconds=60");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var (status, html) = await SubmitAsync("/subscribe", new() { ["email"] = "ada@example.org", ["keywords"] = "diffusion" });

        // before, the confirmation was sent inside the request: a slow relay made new addresses answer slowly (and told them apart)
        Assert.True(status == HttpStatusCode.OK, html);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the answer took {clock.Elapsed.TotalSeconds:0.0} s while the mail server stalled");
        Assert.Equal(1, Scalar("SELECT count(*) FROM confirmations WHERE status = 'pending'"));
    }

    [Fact]
    public async Task Many_subscribe_posts_for_one_address_send_one_confirmation()
    {
        var form = new Dictionary<string, string> { ["email"] = "ada@example.org", ["keywords"] = "diffusion" };
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SubmitAsync("/subscribe", form)).Status);
        }
        await maildev.Server.WaitForAsync(1);
        await Task.Delay(1500); // the pump had time to send more, were more owed

        Assert.Single(await maildev.Server.EmailsAsync(), e => e.To.Contains("ada@example.org"));
        Assert.Equal(1, Scalar("SELECT count(*) FROM confirmations"));
    }

    [Fact]
    public async Task Saving_preferences_unchanged_keeps_the_name_and_the_minimum_score_an_admin_set()
    {
        var created = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers",
            new { email = "ada@example.org", name = "Ada Lovelace", keywords = new[] { "diffusion" }, minScore = 2.5, maxPapers = 4, confirmed = true });
        var id = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        var token = _host.Get<LinkSigner>().Sign(id, Text($"SELECT secret FROM subscribers WHERE id = '{id}'"), LinkPurpose.Preferences);
        var page = await _host.Client.GetStringAsync($"/preferences?token={Uri.EscapeDataString(token)}");

        var (status, location, html) = await PostAsync($"/preferences?token={Uri.EscapeDataString(token)}", new(FieldsAsABrowserPostsThem(page)) { ["action"] = "save" });

        Assert.True(status == HttpStatusCode.SeeOther, html);
        Assert.Contains("Saved.", await _host.Client.GetStringAsync(location));
        var stored = await _host.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/api/subscribers/{id}");
        Assert.Equal("Ada Lovelace", stored.GetProperty("name").GetString());
        Assert.Equal(2.5, stored.GetProperty("minScore").GetDouble());
        Assert.Equal(4, stored.GetProperty("maxPapers").GetInt32());
        Assert.Equal("diffusion", stored.GetProperty("keywords")[0].GetString());
    }

    [Fact]
    public async Task Focus_chosen_on_the_subscribe_form_is_shown_kept_and_changed_on_the_preferences_page()
    {
        var (status, html) = await SubmitAsync("/subscribe", new()
        {
            ["email"] = "ada@example.org", ["keywords"] = "author:Hinton\ntitle:\"graph neural network\" AND NOT category:cs.CV", ["focus"] = "focused",
        });
        Assert.True(status == HttpStatusCode.OK, html);
        var id = Text("SELECT id FROM subscribers WHERE email = 'ada@example.org'");
        Assert.Equal("focused", Text($"SELECT focus FROM profiles WHERE subscriber_id = '{id}'"));
        var token = _host.Get<LinkSigner>().Sign(id, Text($"SELECT secret FROM subscribers WHERE id = '{id}'"), LinkPurpose.Preferences);
        var page = await _host.Client.GetStringAsync($"/preferences?token={Uri.EscapeDataString(token)}");
        Assert.Equal("focused", FieldsAsABrowserPostsThem(page)["focus"]);
        Assert.Contains("author:Hinton", page); // the help text names the qualifiers
        Assert.Contains("<code>category:cs.CL</code>", page);

        var (saved, _, _) = await PostAsync($"/preferences?token={Uri.EscapeDataString(token)}", new(FieldsAsABrowserPostsThem(page)) { ["action"] = "save" });
        Assert.Equal(HttpStatusCode.SeeOther, saved);
        Assert.Equal("focused", Text($"SELECT focus FROM profiles WHERE subscriber_id = '{id}'"));
        var (changed, _, _) = await PostAsync($"/preferences?token={Uri.EscapeDataString(token)}", new(FieldsAsABrowserPostsThem(page)) { ["focus"] = "broad", ["action"] = "save" });
        Assert.Equal(HttpStatusCode.SeeOther, changed);
        Assert.Equal("broad", Text($"SELECT focus FROM profiles WHERE subscriber_id = '{id}'"));

        var (badStatus, bad) = await SubmitAsync($"/preferences?token={Uri.EscapeDataString(token)}", new(FieldsAsABrowserPostsThem(page))
        {
            ["keywords"] = "diffusion\nvenue:neurips", ["focus"] = "narrow", ["action"] = "save",
        });
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("Choose broad or focused.", bad);
        Assert.Equal("broad", Text($"SELECT focus FROM profiles WHERE subscriber_id = '{id}'"));
    }

    [Fact]
    public async Task An_unknown_qualifier_on_the_subscribe_form_is_shown_with_its_column_and_nothing_is_stored()
    {
        var (status, html) = await SubmitAsync("/subscribe", new() { ["email"] = "ada@example.org", ["keywords"] = "diffusion\ndiffusion AND venue:neurips" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Line 2: unknown qualifier", html);
        Assert.Contains("venue:", html);
        Assert.Contains("(known: author:, title:, abstract:, category:, source:) (at column 15)", html);
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers"));
    }

    [Fact]
    public async Task Control_and_bidi_characters_in_a_name_never_reach_the_greeting()
    {
        // the form names control characters as an error; bidi overrides (not controls) are taken out, as the API takes out both
        var (refused, refusal) = await SubmitAsync("/subscribe", new() { ["email"] = "eve@example.org", ["name"] = "Eve\u001b[2J", ["keywords"] = "diffusion" });
        var (status, html) = await SubmitAsync("/subscribe", new() { ["email"] = "ada@example.org", ["name"] = "Ada \u202Eevil\u2066", ["keywords"] = "diffusion\u202E" });
        var api = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers",
            new { email = "bob@example.org", name = "Bob\r\nBcc: eve@example.org\u001b[2J\u0007", keywords = new[] { "diffusion\u0000" } });

        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("invalid characters", refusal);
        Assert.True(status == HttpStatusCode.OK, html);
        Assert.Equal(HttpStatusCode.Created, api.StatusCode);
        Assert.Equal("Ada evil", Text("SELECT name FROM subscribers WHERE email = 'ada@example.org'"));
        Assert.Equal("Bob Bcc: eve@example.org[2J", Text("SELECT name FROM subscribers WHERE email = 'bob@example.org'"));
        Assert.Equal("[\"diffusion\"]", Text("SELECT keywords FROM profiles p JOIN subscribers s ON s.id = p.subscriber_id WHERE s.email = 'ada@example.org'"));
        Assert.Equal("[\"diffusion\"]", Text("SELECT keywords FROM profiles p JOIN subscribers s ON s.id = p.subscriber_id WHERE s.email = 'bob@example.org'"));
        // Ada and Bob are each sent a confirmation, in either order: wait for both
        var mail = (await maildev.Server.WaitForAsync(2)).Single(e => e.To.Contains("ada@example.org"));
        Assert.Contains("Ada evil", mail.Text);
        Assert.DoesNotContain(mail.Text, c => c == '\u001b' || c == '\u202E' || c == '\u0007');
    }

    [Fact]
    public async Task An_internationalised_domain_is_accepted_on_the_form_as_on_the_command_line_and_an_ip_literal_is_not()
    {
        var (status, html) = await SubmitAsync("/subscribe", new() { ["email"] = "info@müller.de", ["keywords"] = "diffusion" });
        var (literalStatus, literal) = await SubmitAsync("/subscribe", new() { ["email"] = "ada@[127.0.0.1]", ["keywords"] = "diffusion" });

        Assert.True(status == HttpStatusCode.OK, html);
        Assert.Equal("pending", Status("info@xn--mller-kva.de"));
        Assert.Equal(HttpStatusCode.BadRequest, literalStatus);
        Assert.Contains("has an IP address where its domain should be", literal);
        Assert.Equal(1, Scalar("SELECT count(*) FROM subscribers"));
    }

    private async Task<(string Id, string Token)> AdaWithPreferencesLinkAsync(int maxPapers, params string[] keywords)
    {
        var created = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email = "ada@example.org", keywords, maxPapers, confirmed = true });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        return (id, _host.Get<LinkSigner>().Sign(id, Text($"SELECT secret FROM subscribers WHERE id = '{id}'"), LinkPurpose.Preferences));
    }

    private static int PreviewedPapers(string html)
    {
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        return document.QuerySelectorAll("ol.papers > li").Length;
    }

    /// <summary>The form's fields as a browser would post them unchanged: inputs' values, textareas' text, selects' chosen option, ticked boxes.</summary>
    private static Dictionary<string, string> FieldsAsABrowserPostsThem(string page)
    {
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page);
        var form = document.QuerySelector("form[action=\"/preferences\"]")!;
        var fields = new Dictionary<string, string>();
        foreach (var input in form.QuerySelectorAll("input[name]").OfType<AngleSharp.Html.Dom.IHtmlInputElement>())
        {
            if (input.Type is not ("checkbox" or "radio") || input.IsChecked)
            {
                fields[input.Name!] = input.Value;
            }
        }
        foreach (var area in form.QuerySelectorAll("textarea[name]").OfType<AngleSharp.Html.Dom.IHtmlTextAreaElement>())
        {
            fields[area.Name!] = area.Value;
        }
        foreach (var select in form.QuerySelectorAll("select[name]").OfType<AngleSharp.Html.Dom.IHtmlSelectElement>())
        {
            fields[select.Name!] = select.Value ?? "";
        }
        return fields;
    }

    private async Task<string> SubscribeAndGetIdAsync(string email)
    {
        var (status, html) = await SubmitAsync("/subscribe", new() { ["email"] = email, ["keywords"] = "diffusion", ["sendHour"] = "8", ["timeZone"] = "UTC" });
        Assert.True(status == HttpStatusCode.OK, html);
        return Text($"SELECT id FROM subscribers WHERE email = '{email}'");
    }

    private async Task ConfirmByMailAsync(string email)
    {
        var mail = (await maildev.Server.WaitForAsync(1)).Last(e => e.To.Contains(email));
        var link = ConfirmLink().Match(mail.Text).Value;
        var page = await _host.Client.GetStringAsync(link);
        var token = Regex.Match(page, "name=\"token\" value=\"([^\"]+)\"").Groups[1].Value;
        var (status, html) = await SubmitAsync("/confirm", new() { ["token"] = WebUtility.HtmlDecode(token) }, formPage: link);
        Assert.True(status == HttpStatusCode.OK, html);
        Assert.Equal("active", Status(email));
    }

    /// <summary>Loads the form page first (for its anti-forgery cookie and field), then posts the fields with the token.</summary>
    private async Task<(HttpStatusCode Status, string Html)> SubmitAsync(string path, Dictionary<string, string> fields, string? formPage = null)
    {
        var (status, _, html) = await PostAsync(path, fields, formPage);
        return (status, html);
    }

    /// <summary>Like <see cref="SubmitAsync"/>, and also says where a redirect points (null when there is none).</summary>
    private async Task<(HttpStatusCode Status, string? Location, string Html)> PostAsync(string path, Dictionary<string, string> fields, string? formPage = null)
    {
        var form = await _host.Client.GetStringAsync(formPage ?? (path.StartsWith("/preferences", StringComparison.Ordinal) ? path : "/subscribe"));
        var match = AntiforgeryField().Match(form);
        Assert.True(match.Success, "no anti-forgery field on " + (formPage ?? path));
        var post = new Dictionary<string, string>(fields) { [match.Groups[1].Value] = WebUtility.HtmlDecode(match.Groups[2].Value) };
        var target = path.Contains('?') ? path[..path.IndexOf('?')] : path;
        using var content = new FormUrlEncodedContent(post);
        var response = await _host.Client.PostAsync(target, content);
        return (response.StatusCode, response.Headers.Location?.OriginalString, await response.Content.ReadAsStringAsync());
    }

    private static string MainOf(string html) => Regex.Match(html, "<main id=\"main\">(.*)</main>", RegexOptions.Singleline).Groups[1].Value;

    private string Status(string email) => Text($"SELECT status FROM subscribers WHERE email = '{email}'");

    private long Scalar(string sql) => (long)Query(sql)!;

    private string Text(string sql) => (string)Query(sql)!;

    private object? Query(string sql) => _host.Query(sql);

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex(@"https?://\S+/confirm\?token=\S+")]
    private static partial Regex ConfirmLink();
}

[Collection(nameof(WebCollection))]
public sealed class SubscriberPagesTestsOnSqlite(WebMaildev maildev) : SubscriberPagesTests(maildev, Backend.Sqlite);

[Collection(nameof(WebCollection))]
public sealed class SubscriberPagesTestsOnPostgres(WebMaildev maildev) : SubscriberPagesTests(maildev, Backend.Postgres);

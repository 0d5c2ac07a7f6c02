using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Newsletter.Scheduling;
using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Admin;

/// <summary>The admin API over real HTTP (Kestrel on loopback), a real SQLite file and a real maildev.</summary>
public abstract class AdminApiTests(WebMaildev maildev, Backend backend) : IAsyncLifetime
{
    private const string Day = "2026-03-11";
    private WebTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await maildev.Server.ClearAsync();
        _host = await WebTestHost.StartAsync(maildev.Server, backend);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/admin/api/subscribers" },
        { "GET", "/admin/api/subscribers/abc" },
        { "POST", "/admin/api/subscribers" },
        { "PATCH", "/admin/api/subscribers/abc" },
        { "POST", "/admin/api/subscribers/abc/suppress" },
        { "DELETE", "/admin/api/subscribers/abc" },
        { "GET", "/admin/api/subscribers/abc/deliveries" },
        { "GET", "/admin/api/subscribers/abc/preview?date=2026-03-11" },
        { "POST", "/admin/api/digests/resend" },
        { "GET", "/admin/api/deliveries" },
        { "POST", "/admin/api/ingest" },
        { "GET", "/admin/api/runs" },
        { "GET", "/admin/api/audit" },
        { "GET", "/admin/api/openapi/v1.json" },
        { "GET", "/admin/api/subscribers/export" },
        { "POST", "/admin/api/subscribers/import" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_endpoint_refuses_a_request_without_a_key_or_with_a_wrong_one(string method, string path)
    {
        foreach (var authorization in new[] { null, "Bearer not-the-key-at-all-0123456789", "Basic dXNlcjpwYXNz" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) };
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
            using var response = await _host.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
        }
        Assert.Equal(0, Scalar("SELECT count(*) FROM audit_log"));
    }

    [Fact]
    public async Task Create_get_list_update_and_erase_a_subscriber_with_an_audit_trail()
    {
        var created = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new
        {
            email = "Ada@Example.org", name = "Ada", keywords = new[] { "reinforcement learning", "RLHF" }, exclude = new[] { "survey" }, maxPapers = 5, confirmed = true,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ada = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = ada.GetProperty("id").GetString()!;
        Assert.Equal($"/admin/api/subscribers/{id}", created.Headers.Location?.ToString());
        Assert.Equal("ada@example.org", ada.GetProperty("email").GetString());
        Assert.Equal("active", ada.GetProperty("status").GetString());
        await Add("grace@example.org", "diffusion");
        await Add("alan@example.org", "quantization", confirmed: false);

        var got = await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers/{id}");
        Assert.Equal(["reinforcement learning", "RLHF"], got.GetProperty("keywords").EnumerateArray().Select(k => k.GetString()));
        var page = await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/subscribers?pageSize=2&page=1");
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        var page2 = await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/subscribers?pageSize=2&page=2");
        Assert.Equal(1, page2.GetProperty("items").GetArrayLength());
        var byKeyword = await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/subscribers?search=diffusion");
        Assert.Equal("grace@example.org", byKeyword.GetProperty("items")[0].GetProperty("email").GetString());
        var pending = await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/subscribers?status=pending");
        Assert.Equal("alan@example.org", Assert.Single(pending.GetProperty("items").EnumerateArray()).GetProperty("email").GetString());

        var updated = await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{id}", new { keywords = new[] { "\"policy gradient\"" }, sendHour = 6, timeZone = "Europe/Berlin", paused = true });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("\"policy gradient\"", Assert.Single(after.GetProperty("keywords").EnumerateArray()).GetString());
        Assert.Equal(["survey"], after.GetProperty("exclude").EnumerateArray().Select(k => k.GetString())); // not given: kept
        Assert.Equal(6, after.GetProperty("sendHour").GetInt32());
        Assert.True(after.GetProperty("paused").GetBoolean());

        var suppressed = await _host.Admin.PostAsJsonAsync($"/admin/api/subscribers/{id}/suppress", new { reason = "asked by phone" });
        Assert.Equal("suppressed", (await suppressed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        var erased = await _host.Admin.DeleteAsync($"/admin/api/subscribers/{id}");
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Admin.GetAsync($"/admin/api/subscribers/{id}")).StatusCode);
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers WHERE email = 'ada@example.org'"));
        Assert.Equal(0, Scalar($"SELECT count(*) FROM profiles WHERE subscriber_id = '{id}'"));

        var audit = await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/audit");
        var actions = audit.EnumerateArray().Select(a => a.GetProperty("action").GetString()).Reverse().ToList();
        Assert.Equal(["subscribers.create", "subscribers.create", "subscribers.create", "subscribers.update", "subscribers.suppress", "subscribers.erase"], actions);
        Assert.All(audit.EnumerateArray(), a => Assert.Equal(Newsletter.Admin.ApiKeyFilter.Fingerprint(WebTestHost.AdminKey), a.GetProperty("actor").GetString()));
        Assert.DoesNotContain("ada@example.org", audit.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(WebTestHost.AdminKey, audit.GetRawText());
    }

    [Fact]
    public async Task Search_matches_part_of_an_email_or_of_a_keyword_as_typed_never_its_json_text()
    {
        var ada = await Add("ada@example.org", ["\"graph neural\" networks", "RLHF"]);
        await Add("grace_h@example.org", ["diffusion"]);
        await Add("gracehopper@example.org", ["Überraschung OR surprise"]);

        async Task<string[]> Found(string search)
        {
            var page = await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers?search={Uri.EscapeDataString(search)}");
            return [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("email").GetString()!).Order()];
        }

        Assert.Equal(["ada@example.org"], await Found("\"graph neural\""));
        Assert.Equal(["ada@example.org"], await Found("GRAPH NEURAL"));
        Assert.Equal(["ada@example.org"], await Found("rlhf"));
        Assert.Equal(["gracehopper@example.org"], await Found("Überraschung"));
        Assert.Equal(["grace_h@example.org"], await Found("grace_"));
        Assert.Equal(["grace_h@example.org", "gracehopper@example.org"], await Found("grace"));
        foreach (var jsonOnly in new[] { "[", "]", "\",\"", "\\u0022", "%", "_h@example.org\",", "\"rlhf\"" })
        {
            Assert.True((await Found(jsonOnly)).Length == 0, jsonOnly);
        }

        await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{ada}", new { keywords = new[] { "quantization" } });
        Assert.Empty(await Found("graph"));
        Assert.Equal(["ada@example.org"], await Found("quantiz"));
        await _host.Admin.DeleteAsync($"/admin/api/subscribers/{ada}");
        Assert.Empty(await Found("quantiz"));
        Assert.Equal(0, Scalar($"SELECT count(*) FROM profile_keywords WHERE subscriber_id = '{ada}'"));
    }

    [Fact]
    public async Task Erasing_a_subscriber_keeps_their_deliveries_for_the_counts_without_anything_personal()
    {
        var ada = await Add("ada@example.org", ["reinforcement learning"]);
        await RunDayAsync();
        await maildev.Server.WaitForAsync(1);
        Assert.Equal(1, Scalar($"SELECT count(*) FROM deliveries WHERE subscriber_id = '{ada}' AND server_reply IS NOT NULL"));

        var erased = await (await _host.Admin.DeleteAsync($"/admin/api/subscribers/{ada}")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1, erased.GetProperty("deliveriesKept").GetInt32());
        Assert.Equal(0, Scalar($"SELECT count(*) FROM subscribers WHERE id = '{ada}'"));
        Assert.Equal(1, Scalar($"SELECT count(*) FROM deliveries WHERE subscriber_id = '{ada}' AND server_reply IS NULL AND status = 'sent'"));
        var kept = _host.App.DigestPapers($"d.subscriber_id = '{ada}'");
        Assert.NotEmpty(kept);
        Assert.All(kept, r => Assert.Empty(r.Paper.Matched));
        Assert.DoesNotContain("reinforcement", string.Concat(_host.App.QueryRows("SELECT papers FROM digest_papers").Select(r => (string)r[0]!)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Bad_input_gets_problem_details_naming_the_field_and_stores_nothing()
    {
        var badKeyword = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email = "ada@example.org", keywords = new[] { "RL", "\"policy" } });
        await AssertProblem(badKeyword, HttpStatusCode.BadRequest, "keywords[1]", "unbalanced quote");

        var badEmail = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email = "ada@", keywords = new[] { "RL" } });
        await AssertProblem(badEmail, HttpStatusCode.BadRequest, "email", "ada@");

        var badZone = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email = "ada@example.org", keywords = new[] { "RL" }, timeZone = "Mars/Olympus" });
        await AssertProblem(badZone, HttpStatusCode.BadRequest, "timeZone", "Mars/Olympus");

        using var malformed = new StringContent("{\"email\": \"ada@example.org\", \"maxPapers\": \"ten\"}", Encoding.UTF8, "application/json");
        var badJson = await _host.Admin.PostAsync("/admin/api/subscribers", malformed);
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal("application/problem+json", badJson.Content.Headers.ContentType?.MediaType);
        Assert.Contains("$.maxPapers", await badJson.Content.ReadAsStringAsync());

        await AssertProblem(await _host.Admin.GetAsync("/admin/api/subscribers?status=gone"), HttpStatusCode.BadRequest, "status", "gone");
        await AssertProblem(await _host.Admin.GetAsync("/admin/api/deliveries?date=11-03-2026"), HttpStatusCode.BadRequest, "date", "YYYY-MM-DD");
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers"));

        var id = await Add("ada@example.org", "RL");
        var badUpdate = await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{id}", new { keywords = new[] { "NOT survey" }, sendHour = 3 });
        await AssertProblem(badUpdate, HttpStatusCode.BadRequest, "keywords[0]", "keyword 1");
        var unchanged = await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers/{id}");
        Assert.Equal("RL", unchanged.GetProperty("keywords")[0].GetString());
        Assert.Equal(8, unchanged.GetProperty("sendHour").GetInt32());

        var duplicate = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email = "ADA@example.org", keywords = new[] { "RL" }, confirmed = true });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Admin.PatchAsJsonAsync("/admin/api/subscribers/nope", new { sendHour = 3 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Admin.DeleteAsync("/admin/api/subscribers/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Admin.PostAsJsonAsync("/admin/api/digests/resend", new { subscriberId = "nope", date = Day })).StatusCode);
    }

    [Fact]
    public async Task A_subscribers_frequency_and_weekday_are_created_read_updated_and_checked_naming_the_field()
    {
        var created = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new
        {
            email = "ada@example.org", keywords = new[] { "RL" }, confirmed = true, frequency = "weekly", weekday = "Friday",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ada = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("weekly", ada.GetProperty("frequency").GetString());
        Assert.Equal("friday", ada.GetProperty("weekday").GetString());
        var id = ada.GetProperty("id").GetString()!;
        var daily = await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers/{await Add("grace@example.org", "diffusion")}");
        Assert.Equal("daily", daily.GetProperty("frequency").GetString());
        Assert.Equal("monday", daily.GetProperty("weekday").GetString());

        var updated = await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{id}", new { frequency = "weekdays" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("weekdays", (await updated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("frequency").GetString());
        Assert.Equal("weekdays", _host.Query($"SELECT frequency FROM subscribers WHERE id = '{id}'"));

        await AssertProblem(await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{id}", new { frequency = "hourly", sendHour = 3 }),
            HttpStatusCode.BadRequest, "frequency", "'hourly' is not a frequency");
        await AssertProblem(await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{id}", new { weekday = "funday" }),
            HttpStatusCode.BadRequest, "weekday", "'funday' is not a day of the week");
        await AssertProblem(await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email = "alan@example.org", keywords = new[] { "RL" }, frequency = "monthly" }),
            HttpStatusCode.BadRequest, "frequency", "monthly");
        // nothing of the refused changes was stored
        Assert.Equal(8L, _host.Query($"SELECT send_hour FROM subscribers WHERE id = '{id}'"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers WHERE email = 'alan@example.org'"));
        Assert.Contains("frequency", (string)_host.Query("SELECT details FROM audit_log WHERE action = 'subscribers.update'")!);
    }

    [Fact]
    public async Task A_minimum_score_that_is_not_a_finite_number_is_refused_naming_the_field_and_the_lists_keep_working()
    {
        using var huge = new StringContent("{\"email\": \"ada@example.org\", \"keywords\": [\"RL\"], \"minScore\": 1e309}", Encoding.UTF8, "application/json");
        await AssertProblem(await _host.Admin.PostAsync("/admin/api/subscribers", huge), HttpStatusCode.BadRequest, "minScore", "between 0 and 1000");
        foreach (var literal in new[] { "\"Infinity\"", "\"NaN\"", "-1", "1001" })
        {
            using var body = new StringContent($"{{\"email\": \"ada@example.org\", \"keywords\": [\"RL\"], \"minScore\": {literal}}}", Encoding.UTF8, "application/json");
            var response = await _host.Admin.PostAsync("/admin/api/subscribers", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{literal}: {text}");
            Assert.Contains("minScore", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("keywords", JsonDocument.Parse(text).RootElement.GetProperty("errors").ToString());
        }
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers"));

        var id = await Add("ada@example.org", "RL");
        using var nan = new StringContent("{\"minScore\": \"NaN\"}", Encoding.UTF8, "application/json");
        var patched = await _host.Admin.PatchAsync($"/admin/api/subscribers/{id}", nan);
        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        Assert.Contains("minScore", await patched.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await _host.Admin.GetAsync("/admin/api/subscribers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.Admin.GetAsync($"/admin/api/subscribers/{id}")).StatusCode);
        var fine = await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{id}", new { minScore = 2.5 });
        Assert.Equal(2.5, (await fine.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("minScore").GetDouble());
    }

    [Fact]
    public async Task Resend_of_a_sent_digest_sends_exactly_one_more_copy_per_request()
    {
        var ada = await Add("ada@example.org", "reinforcement learning");
        await Add("bob@example.org", "quantization");
        await RunDayAsync();
        await maildev.Server.WaitForAsync(2);

        var dry = await Resend(new { email = "ada@example.org", date = Day, dryRun = true });
        Assert.Equal("would-send", dry.GetProperty("recipients")[0].GetProperty("status").GetString());
        Assert.True(dry.GetProperty("recipients")[0].GetProperty("papers").GetArrayLength() > 0);
        var first = await Resend(new { subscriberId = ada, date = Day });
        var second = await Resend(new { subscriberId = ada, date = Day });

        Assert.Equal(1, first.GetProperty("sent").GetInt32());
        Assert.Equal(1, first.GetProperty("recipients")[0].GetProperty("sequence").GetInt32());
        Assert.Equal(2, second.GetProperty("recipients")[0].GetProperty("sequence").GetInt32());
        var emails = await maildev.Server.WaitForAsync(4);
        await Task.Delay(300); // anything extra would arrive now
        emails = await maildev.Server.EmailsAsync();
        Assert.Equal(3, emails.Count(e => e.To.Contains("ada@example.org")));
        Assert.Equal(1, emails.Count(e => e.To.Contains("bob@example.org")));
        var messageIds = emails.Where(e => e.To.Contains("ada@example.org")).Select(e => e.Headers["message-id"]).ToHashSet();
        Assert.Equal(3, messageIds.Count);

        var log = await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/deliveries?subscriberId={ada}&date={Day}");
        Assert.Equal([0, 1, 2], log.EnumerateArray().Select(d => d.GetProperty("sequence").GetInt32()));
        Assert.All(log.EnumerateArray(), d => Assert.Equal("sent", d.GetProperty("status").GetString()));
        Assert.All(log.EnumerateArray(), d => Assert.Contains("queued", d.GetProperty("serverReply").GetString()));
        var own = await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers/{ada}/deliveries");
        Assert.Equal(3, own.GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Admin.GetAsync("/admin/api/subscribers/nope/deliveries")).StatusCode);
    }

    [Fact]
    public async Task A_retried_resend_with_the_same_idempotency_key_sends_nothing_more_and_a_dry_run_sends_nothing()
    {
        await Add("ada@example.org", "reinforcement learning");
        await Add("bob@example.org", "reinforcement learning");
        await Add("eve@example.org", "no such topic zzzz");
        await RunDayAsync();
        await maildev.Server.WaitForAsync(2);
        await maildev.Server.ClearAsync();

        var dry = await Resend(new { filter = new { search = "reinforcement" }, date = Day, dryRun = true });
        var all = await Resend(new { filter = new { }, date = Day, dryRun = true });
        Assert.Equal(2, dry.GetProperty("wouldSend").GetInt32());
        Assert.Equal(1, all.GetProperty("skipped").GetInt32());
        Assert.Contains("no digest was planned", all.GetProperty("recipients").EnumerateArray().Single(r => r.GetProperty("email").GetString() == "eve@example.org").GetProperty("reason").GetString());
        Assert.Empty(await maildev.Server.EmailsAsync());
        Assert.Equal(2, Scalar("SELECT count(*) FROM deliveries"));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/api/digests/resend") { Content = JsonContent.Create(new { filter = new { deliveryStatus = "sent" }, date = Day }) };
        request.Headers.Add("Idempotency-Key", "resend-2026-03-11-a");
        var first = await _host.Admin.SendAsync(request);
        using var retry = new HttpRequestMessage(HttpMethod.Post, "/admin/api/digests/resend") { Content = JsonContent.Create(new { filter = new { deliveryStatus = "sent" }, date = Day }) };
        retry.Headers.Add("Idempotency-Key", "resend-2026-03-11-a");
        var replayed = await _host.Admin.SendAsync(retry);

        Assert.Equal(2, (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sent").GetInt32());
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.True(replayed.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, (await replayed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sent").GetInt32());
        await maildev.Server.WaitForAsync(2);
        await Task.Delay(300);
        Assert.Equal(2, (await maildev.Server.EmailsAsync()).Count);
        Assert.Equal(4, Scalar("SELECT count(*) FROM deliveries"));
    }

    [Fact]
    public async Task Runs_ingest_and_preview_report_what_the_service_did()
    {
        await using var source = await LoopbackServer.StartAsync();
        source.Script("/papers/2026-03-12.json", LoopbackServer.File(Corpus.ApiDay("2026-03-12"), "application/json"));
        await _host.DisposeAsync();
        _host = await WebTestHost.StartAsync(maildev.Server, backend, $"--Sources:DailyUrl={source.Url("/papers/")}{{date}}.json", "--Sources:MaxRetries=0");
        var ada = await Add("ada@example.org", "reinforcement learning");

        var ingest = await _host.Admin.PostAsJsonAsync("/admin/api/ingest", new { date = "2026-03-12" });
        var ingested = await ingest.Content.ReadFromJsonAsync<JsonElement>();
        await RunDayAsync("2026-03-12");

        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        Assert.True(ingested.GetProperty("fetched").GetInt32() > 50, ingested.ToString());
        Assert.Equal(ingested.GetProperty("fetched").GetInt32(), ingested.GetProperty("new").GetInt32());
        var runs = await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/runs");
        var run = Assert.Single(runs.EnumerateArray());
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("sent").GetInt32());
        Assert.Equal(["match", "send", "render"], run.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("phase").GetString()));
        var one = await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/runs/{run.GetProperty("id").GetString()}");
        Assert.Equal(run.GetProperty("id").GetString(), one.GetProperty("id").GetString());
        Assert.Equal(3, one.GetProperty("phases").GetArrayLength());
        var unknown = await _host.Admin.GetAsync("/admin/api/runs/20990101000000-deadbeef");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        var preview = await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers/{ada}/preview?date=2026-03-12");
        Assert.True(preview.GetProperty("papers").GetArrayLength() > 0);
        Assert.All(preview.GetProperty("papers").EnumerateArray(), p => Assert.Contains("reinforcement learning", p.GetProperty("matched").EnumerateArray().Select(m => m.GetString())));
        var html = await _host.Admin.GetAsync($"/admin/api/subscribers/{ada}/preview?date=2026-03-12&format=html");
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<mark>", await html.Content.ReadAsStringAsync());
        var failing = await _host.Admin.PostAsJsonAsync("/admin/api/ingest", new { date = "2026-03-13" });
        Assert.Equal(HttpStatusCode.BadGateway, failing.StatusCode);
        Assert.Contains("404", await failing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_admin_api()
    {
        var document = await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/admin/api/digests/resend", paths);
        Assert.Contains("/admin/api/subscribers/{id}", paths);
        Assert.DoesNotContain("/subscribe", paths);
    }

    [Fact]
    public async Task Focus_is_stored_with_the_profile_shown_changed_checked_and_used_by_the_preview()
    {
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay(Day)), CancellationToken.None);
        async Task<string> Create(object body) =>
            (await (await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", body)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var broad = await Create(new { email = "ada@example.org", keywords = new[] { "diffusion", "author:Hinton" }, maxPapers = 100, confirmed = true });
        var focused = await Create(new
        {
            email = "grace@example.org", keywords = new[] { "diffusion", "title:\"graph neural network\" AND NOT category:cs.CV" }, maxPapers = 100, focus = "focused",
            confirmed = true,
        });

        Assert.Equal("broad", (await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers/{broad}")).GetProperty("focus").GetString());
        Assert.Equal("focused", (await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers/{focused}")).GetProperty("focus").GetString());
        Assert.Equal("focused", (string)_host.Query($"SELECT focus FROM profiles WHERE subscriber_id = '{focused}'")!);
        async Task<string[]> Papers(string id) => [.. (await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers/{id}/preview?date={Day}"))
            .GetProperty("papers").EnumerateArray().Select(p => p.GetProperty("id").GetString()!)];
        var broadPapers = await Papers(broad);
        var focusedPapers = await Papers(focused);
        Assert.NotEmpty(focusedPapers);
        Assert.True(focusedPapers.Length < broadPapers.Length, $"{string.Join(",", broadPapers)} / {string.Join(",", focusedPapers)}");
        Assert.Subset(broadPapers.ToHashSet(), focusedPapers.ToHashSet());

        var bad = await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{focused}", new { focus = "narrow", keywords = new[] { "quantization" } });
        await AssertProblem(bad, HttpStatusCode.BadRequest, "focus", "focus must be 'broad' or 'focused' (was 'narrow')");
        Assert.Equal("focused", (string)_host.Query($"SELECT focus FROM profiles WHERE subscriber_id = '{focused}'")!);
        var unknownQualifier = await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{focused}", new { keywords = new[] { "diffusion", "venue:neurips" } });
        await AssertProblem(unknownQualifier, HttpStatusCode.BadRequest, "keywords[1]", "unknown qualifier 'venue:' (known: author:, title:, abstract:, category:, source:) at column 1 in keyword 2");

        var patched = await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{focused}", new { focus = "broad" });
        Assert.Equal("broad", (await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("focus").GetString());
        var kept = await _host.Admin.PatchAsJsonAsync($"/admin/api/subscribers/{focused}", new { maxPapers = 3 });
        Assert.Equal("broad", (await kept.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("focus").GetString());
    }

    private Task<string> Add(string email, string keyword, bool confirmed = true) => Add(email, [keyword], confirmed);

    private async Task<string> Add(string email, string[] keywords, bool confirmed = true)
    {
        var response = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email, keywords, confirmed });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task RunDayAsync(string day = Day)
    {
        if (day == Day)
        {
            await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay(day)), CancellationToken.None);
        }
        await _host.Get<DailyRun>().RunAsync(new RunRequest(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture), "manual", SkipIngest: true), CancellationToken.None);
    }

    private async Task<JsonElement> Resend(object body)
    {
        var response = await _host.Admin.PostAsJsonAsync("/admin/api/digests/resend", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string field, string words)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), text);
        Assert.Contains(words, messages[0].GetString(), StringComparison.OrdinalIgnoreCase);
    }

    private long Scalar(string sql) => (long)_host.Query(sql)!;
}

[Collection(nameof(WebCollection))]
public sealed class AdminApiTestsOnSqlite(WebMaildev maildev) : AdminApiTests(maildev, Backend.Sqlite);

[Collection(nameof(WebCollection))]
public sealed class AdminApiTestsOnPostgres(WebMaildev maildev) : AdminApiTests(maildev, Backend.Postgres);

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Newsletter.Admin;
using Newsletter.Scheduling;
using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.AdminConsole;

/// <summary>What an admin does in the console, over HTTP: the same services and audit entries as the API's.</summary>
public sealed class ConsoleFlowTests : IAsyncLifetime
{
    private const string Day = "2026-03-11";
    private WebTestHost _host = null!;
    private ConsoleClient _console = null!;

    public async Task InitializeAsync()
    {
        _host = await WebTestHost.StartAsync(null);
        _console = new ConsoleClient(_host.BaseUrl);
        await _console.SignInAsync();
    }

    public async Task DisposeAsync()
    {
        _console.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Search_finds_a_subscriber_by_part_of_a_keyword_as_typed_and_pages_by_fifty()
    {
        await AddAsync("ada@example.org", "\"policy gradient\"");
        for (var i = 0; i < 55; i++)
        {
            await AddAsync($"r{i:00}@example.org", "diffusion");
        }

        var found = await _console.PageAsync("/admin/subscribers?search=policy+gradient");
        Assert.Contains("ada@example.org", found);
        Assert.Contains("1 subscriber found", found);
        Assert.Contains("&quot;policy gradient&quot;", found);
        Assert.DoesNotContain("[", found[found.IndexOf("<table", StringComparison.Ordinal)..]);
        var first = await _console.PageAsync("/admin/subscribers");
        Assert.Contains("page 1 of 2", first);
        Assert.Equal(50, System.Text.RegularExpressions.Regex.Matches(first, "<tr><td><a href=\"/admin/subscribers/").Count);
        Assert.Contains("Next page", first);
        Assert.Equal(6, System.Text.RegularExpressions.Regex.Matches(await _console.PageAsync("/admin/subscribers?page=2"), "<tr><td><a href=\"/admin/subscribers/").Count);
    }

    [Fact]
    public async Task The_editor_shows_and_changes_the_focus_and_takes_qualified_keywords()
    {
        var id = await AddAsync("ada@example.org", "reinforcement learning");
        var page = $"/admin/subscribers/{id}";
        Assert.Contains("name=\"focus\" value=\"broad\" checked", await _console.PageAsync(page));

        var saved = await _console.PostAsync(page, page, ("keywords", "author:Hinton\ntitle:\"graph neural network\" AND NOT category:cs.CV"), ("maxPapers", "5"),
            ("sendHour", "6"), ("timeZone", "UTC"), ("focus", "focused"), ("action", "save"));

        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        var dto = await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers/{id}");
        Assert.Equal("focused", dto.GetProperty("focus").GetString());
        Assert.Equal("author:Hinton", dto.GetProperty("keywords")[0].GetString());
        Assert.Contains("name=\"focus\" value=\"focused\" checked", await _console.PageAsync(page));
        var audit = (await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/audit"))[0];
        Assert.Contains("focus", audit.GetProperty("details").GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task Editing_keywords_shows_a_refused_one_at_its_line_and_column_and_a_good_save_is_audited_as_the_api_does()
    {
        var id = await AddAsync("ada@example.org", "reinforcement learning");
        var page = $"/admin/subscribers/{id}";

        var refused = await _console.PostAsync(page, page, ("keywords", "diffusion\nRL AND \"policy"), ("maxPapers", "5"), ("sendHour", "8"), ("timeZone", "UTC"), ("action", "save"));
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Line 2: unbalanced quote", html);
        Assert.Contains("column", html);

        var saved = await _console.PostAsync(page, page, ("keywords", "diffusion\n\"policy gradient\""), ("maxPapers", "5"), ("sendHour", "6"), ("timeZone", "Europe/Berlin"), ("action", "save"));
        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        var dto = await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers/{id}");
        Assert.Equal(["diffusion", "\"policy gradient\""], dto.GetProperty("keywords").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(6, dto.GetProperty("sendHour").GetInt32());
        var audit = (await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/audit"))[0];
        Assert.Equal("subscribers.update", audit.GetProperty("action").GetString());
        Assert.Equal(id, audit.GetProperty("target").GetString());
        Assert.Equal(ApiKeyFilter.Fingerprint(WebTestHost.AdminKey), audit.GetProperty("actor").GetString());
        Assert.Contains("keywords", audit.GetProperty("details").GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task The_subscriber_page_shows_and_changes_how_often_and_names_a_bad_value()
    {
        var id = await AddAsync("ada@example.org", "reinforcement learning");
        var page = $"/admin/subscribers/{id}";
        var before = await _console.PageAsync(page);
        Assert.Contains("<legend>How often</legend>", before);
        Assert.Contains("<dd>daily, at 08:00 UTC</dd>", before);

        var refused = await _console.PostAsync(page, page, ("keywords", "diffusion"), ("frequency", "monthly"), ("action", "save"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("is not a frequency", await refused.Content.ReadAsStringAsync());

        var saved = await _console.PostAsync(page, page, ("keywords", "diffusion"), ("frequency", "weekly"), ("weekday", "saturday"), ("action", "save"));
        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        var dto = await _host.Admin.GetFromJsonAsync<JsonElement>($"/admin/api/subscribers/{id}");
        Assert.Equal(("weekly", "saturday"), (dto.GetProperty("frequency").GetString(), dto.GetProperty("weekday").GetString()));
        Assert.Contains("<dd>weekly on saturday, at 08:00 UTC</dd>", await _console.PageAsync(page));
    }

    [Fact]
    public async Task Pause_resume_suppress_and_erase_after_a_confirmation_page()
    {
        var id = await AddAsync("ada@example.org", "reinforcement learning");
        var page = $"/admin/subscribers/{id}";

        Assert.Equal(HttpStatusCode.SeeOther, (await _console.PostAsync(page, $"{page}/pause", ("paused", "on"))).StatusCode);
        Assert.Equal(1L, _host.Query($"SELECT count(*) FROM subscribers WHERE id = '{id}' AND paused_at IS NOT NULL"));
        Assert.Contains("Resume digests", await _console.PageAsync(page));
        await _console.PostAsync(page, $"{page}/pause", ("paused", "off"));
        Assert.Equal(1L, _host.Query($"SELECT count(*) FROM subscribers WHERE id = '{id}' AND paused_at IS NULL"));
        await _console.PostAsync(page, $"{page}/suppress", ("reason", "asked by phone"));
        Assert.Equal("suppressed", _host.Query($"SELECT status FROM subscribers WHERE id = '{id}'"));

        var confirm = await _console.PageAsync($"{page}/erase");
        Assert.Contains("cannot be undone", confirm);
        Assert.Equal(1L, _host.Query($"SELECT count(*) FROM subscribers WHERE id = '{id}'")); // the confirmation page erased nothing
        var erased = await _console.PostAsync($"{page}/erase", $"{page}/erase");
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.Equal(0L, _host.Query($"SELECT count(*) FROM subscribers WHERE id = '{id}'"));

        var actions = (await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/audit")).EnumerateArray().Select(a => a.GetProperty("action").GetString()).Reverse();
        Assert.Equal(["subscribers.create", "subscribers.update", "subscribers.update", "subscribers.suppress", "subscribers.erase"], actions);
    }

    [Fact]
    public async Task Resend_shows_a_dry_run_and_its_confirm_button_sends_once_however_often_it_is_pressed()
    {
        var ada = await AddAsync("ada@example.org", "reinforcement learning");
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay(Day)), CancellationToken.None);
        await _host.Get<DailyRun>().RunAsync(new RunRequest(DateOnly.Parse(Day, System.Globalization.CultureInfo.InvariantCulture), "manual", SkipIngest: true), CancellationToken.None);

        var dry = await _console.PageAsync($"/admin/resend?subscriberId={ada}&date={Day}");
        Assert.Contains("would-send", dry);
        Assert.Contains("Nothing was sent", dry);
        Assert.Equal(1L, _host.Query($"SELECT count(*) FROM deliveries WHERE subscriber_id = '{ada}'"));
        Assert.Contains("Send 1 copy now", dry);
        var token = ConsoleClient.AntiforgeryField().Match(dry); // one token for every form of the page
        var key = System.Text.RegularExpressions.Regex.Match(dry, "name=\"idempotencyKey\" value=\"([^\"]+)\"").Groups[1].Value;
        var form = new FormUrlEncodedContent([new(token.Groups[1].Value, WebUtility.HtmlDecode(token.Groups[2].Value)), new("idempotencyKey", key), new("subscriberId", ada), new("date", Day)]);
        var body = await form.ReadAsStringAsync();

        var first = await _console.Http.PostAsync("/admin/resend", new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        var second = await _console.Http.PostAsync("/admin/resend", new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Contains("1 sent", await first.Content.ReadAsStringAsync());
        Assert.Contains("nothing more was sent", await second.Content.ReadAsStringAsync());
        Assert.Equal(2L, _host.Query($"SELECT count(*) FROM deliveries WHERE subscriber_id = '{ada}'"));
        var audit = (await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/audit"))[0];
        Assert.Equal("digests.resend", audit.GetProperty("action").GetString());
    }

    [Fact]
    public async Task A_csv_upload_is_checked_first_with_its_bad_row_and_imported_by_the_next_button_then_exported()
    {
        var csv = "email,keywords\nada@example.org,reinforcement learning\nnot-an-address,diffusion\ngrace@example.org,diffusion\n";
        var token = await _console.TokenAsync("/admin/csv");
        using var upload = new MultipartFormDataContent
        {
            { new StringContent(token.Value), token.Key },
            { new StringContent("check"), "step" },
            { new StringContent("on"), "confirmed" },
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv)), "file", "subscribers.csv" },
        };
        var checkedPage = await (await _console.Http.PostAsync("/admin/csv", upload)).Content.ReadAsStringAsync();

        Assert.Contains("2 to add", checkedPage);
        Assert.Contains("<td>3</td>", checkedPage); // the bad row's line
        Assert.Equal(0L, _host.Query("SELECT count(*) FROM subscribers"));
        var text = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(checkedPage, "name=\"csv\" value=\"([^\"]*)\"").Groups[1].Value);
        using var import = new MultipartFormDataContent
        {
            { new StringContent(token.Value), token.Key },
            { new StringContent("import"), "step" },
            { new StringContent("on"), "confirmed" },
            { new StringContent(text), "csv" },
        };
        var imported = await (await _console.Http.PostAsync("/admin/csv", import)).Content.ReadAsStringAsync();

        Assert.Contains("Imported: 2 added", imported);
        Assert.Equal(2L, _host.Query("SELECT count(*) FROM subscribers WHERE status = 'active'"));
        Assert.Equal("subscribers.import", (await _host.Admin.GetFromJsonAsync<JsonElement>("/admin/api/audit"))[0].GetProperty("action").GetString());
        var export = await _console.Http.GetAsync("/admin/subscribers/export");
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.Contains("grace@example.org", await export.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_dashboard_runs_and_a_digest_preview_show_what_a_run_did()
    {
        var ada = await AddAsync("ada@example.org", "reinforcement learning");
        await _host.Get<Ingestor>().IngestAsync(new IngestRequest(Corpus.ApiDay(Day)), CancellationToken.None);
        await _host.Get<DailyRun>().RunAsync(new RunRequest(DateOnly.Parse(Day, System.Globalization.CultureInfo.InvariantCulture), "manual", SkipIngest: true), CancellationToken.None);

        var dashboard = await _console.PageAsync("/admin/dashboard");
        Assert.Contains("<svg", dashboard);
        Assert.Contains("1 sent", dashboard);
        Assert.Contains("warning at", dashboard);
        var runs = await _console.PageAsync("/admin/runs");
        var runId = System.Text.RegularExpressions.Regex.Match(runs, "href=\"/admin/runs/([^\"]+)\"").Groups[1].Value;
        Assert.Contains("Phases", await _console.PageAsync($"/admin/runs/{runId}"));
        var digest = await _console.PageAsync($"/admin/digest?subscriberId={ada}&date={Day}");
        Assert.Contains("The email&#x27;s text", digest.Replace("'", "&#x27;", StringComparison.Ordinal));
    }

    private async Task<string> AddAsync(string email, string keyword)
    {
        var response = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", new { email, keywords = new[] { keyword }, confirmed = true });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}

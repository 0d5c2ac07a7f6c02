using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Admin;

/// <summary>CSV export and import through the admin API, over real HTTP, on a real database.</summary>
public abstract class AdminCsvTests(WebMaildev maildev, Backend backend) : IAsyncLifetime
{
    private WebTestHost _host = null!;

    public async Task InitializeAsync()
    {
        await maildev.Server.ClearAsync();
        _host = await WebTestHost.StartAsync(maildev.Server, backend);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_export_imported_into_an_empty_database_recreates_the_same_subscribers()
    {
        await Add(new { email = "ada@example.org", name = "Ada, \"the\" Countess", keywords = new[] { "reinforcement learning", "\"graph neural\" NOT survey" },
            exclude = new[] { "quantum" }, maxPapers = 7, minScore = 2.5, sendHour = 6, timeZone = "Europe/Berlin", confirmed = true });
        await Add(new { email = "grace@example.org", keywords = new[] { "Überraschung" }, confirmed = false });
        var alan = await Add(new { email = "alan@example.org", keywords = new[] { "computability" }, confirmed = true });
        await _host.Admin.PostAsync($"/admin/api/subscribers/{alan}/suppress", JsonContent.Create(new { reason = "asked by phone" }));
        var exported = await Export(_host);

        await using var empty = await WebTestHost.StartAsync(maildev.Server, backend);
        var report = await Import(empty, exported, "dryRun=false&confirmed=true");

        Assert.Equal((3, 0, 0, 0), (report.GetProperty("added").GetInt32(), report.GetProperty("updated").GetInt32(),
            report.GetProperty("unchanged").GetInt32(), report.GetProperty("failed").GetInt32()));
        Assert.Equal(exported, await Export(empty));
        Assert.True(exported.Contains("ada@example.org,\"Ada, \"\"the\"\" Countess\",active,\"reinforcement learning | \"\"graph neural\"\" NOT survey\",quantum,7,2.5,6,Europe/Berlin,",
            StringComparison.Ordinal), exported);
        var again = await Import(empty, exported, "dryRun=false&confirmed=true");
        Assert.Equal(3, again.GetProperty("unchanged").GetInt32());
    }

    [Fact]
    public async Task A_bad_row_is_reported_with_its_line_and_field_and_a_dry_run_writes_nothing()
    {
        const string csv = """"
            email,keywords,maxPapers
            ada@example.org,reinforcement learning,5
            bob@example.org,"""unbalanced",5
            not-an-address,diffusion,5
            grace@example.org,diffusion,many
            ada@example.org,duplicate row,5
            alan@example.org,computability,
            """";

        var dry = await Import(_host, csv, "dryRun=true");

        Assert.Equal(2, dry.GetProperty("added").GetInt32());
        Assert.Equal(4, dry.GetProperty("failed").GetInt32());
        var errors = dry.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(3, "keywords"), (4, "email"), (5, "maxPapers"), (6, "email")], errors);
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers"));

        var real = await Import(_host, csv, "dryRun=false");
        Assert.Equal(2, real.GetProperty("added").GetInt32());
        Assert.Equal(2, Scalar("SELECT count(*) FROM subscribers WHERE status = 'pending'"));
        Assert.Equal(2, Scalar("SELECT count(*) FROM confirmations"));
    }

    [Fact]
    public async Task An_import_updates_known_addresses_and_never_reactivates_one_that_left()
    {
        var ada = await Add(new { email = "ada@example.org", keywords = new[] { "reinforcement learning" }, confirmed = true });
        await _host.Admin.PostAsync($"/admin/api/subscribers/{ada}/suppress", JsonContent.Create(new { reason = "bounced" }));

        var report = await Import(_host, "email,keywords,status\nada@example.org,diffusion,active\n", "dryRun=false&confirmed=true");

        Assert.Equal(1, report.GetProperty("updated").GetInt32());
        Assert.Equal("suppressed", (string)_host.Query($"SELECT status FROM subscribers WHERE id = '{ada}'")!);
        Assert.Equal("[\"diffusion\"]", (string)_host.Query($"SELECT keywords FROM profiles WHERE subscriber_id = '{ada}'")!);
    }

    [Fact]
    public async Task The_delivery_column_is_exported_read_back_and_a_bad_value_is_named()
    {
        var ada = await Add(new { email = "ada@example.org", keywords = new[] { "RL" }, confirmed = true, delivery = "feed" });
        await Add(new { email = "grace@example.org", keywords = new[] { "RL" }, confirmed = true });

        var exported = await Export(_host);
        var report = await Import(_host, "email,keywords,delivery\nada@example.org,RL,email\nalan@example.org,computability,feed\nbob@example.org,RL,fax\n", "dryRun=false&confirmed=true");
        var withoutColumn = await Import(_host, "email,keywords\nada@example.org,diffusion\n", "dryRun=false&confirmed=true");

        Assert.Contains(",createdAt,delivery,", exported.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains(exported.Split('\n'), line => line.StartsWith("ada@example.org,", StringComparison.Ordinal) && line.Contains(",feed,daily,monday", StringComparison.Ordinal));
        Assert.Contains(exported.Split('\n'), line => line.StartsWith("grace@example.org,", StringComparison.Ordinal) && line.Contains(",email,daily,monday", StringComparison.Ordinal));
        Assert.Equal((1, 1), (report.GetProperty("added").GetInt32(), report.GetProperty("updated").GetInt32()));
        var error = Assert.Single(report.GetProperty("errors").EnumerateArray());
        Assert.Equal((4, "delivery"), (error.GetProperty("line").GetInt32(), error.GetProperty("field").GetString()));
        Assert.Equal("feed", (string)_host.Query("SELECT delivery FROM subscribers WHERE email = 'alan@example.org'")!);
        Assert.Equal(1, withoutColumn.GetProperty("updated").GetInt32());
        Assert.Equal("email", (string)_host.Query($"SELECT delivery FROM subscribers WHERE id = '{ada}'")!); // a file without the column keeps it
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers WHERE email = 'bob@example.org'"));
    }

    [Fact]
    public async Task The_frequency_and_weekday_columns_round_trip_and_a_file_without_them_keeps_what_is_stored()
    {
        var ada = await Add(new { email = "ada@example.org", keywords = new[] { "RL" }, confirmed = true, frequency = "weekly", weekday = "thursday" });
        var exported = await Export(_host);
        Assert.StartsWith("email,name,status,keywords,exclusions,maxPapers,minScore,sendHour,timeZone,createdAt,delivery,frequency,weekday", exported, StringComparison.Ordinal);
        Assert.Contains(",email,weekly,thursday", exported, StringComparison.Ordinal);

        // an older file, without the columns: the known subscriber keeps her weekly Thursday, a new one is daily
        var report = await Import(_host, "email,keywords\nada@example.org,diffusion\ngrace@example.org,diffusion\n", "dryRun=false&confirmed=true");
        Assert.Equal((1, 1), (report.GetProperty("added").GetInt32(), report.GetProperty("updated").GetInt32()));
        Assert.Equal("weekly thursday", _host.Query($"SELECT frequency || ' ' || weekday FROM subscribers WHERE id = '{ada}'"));
        Assert.Equal("daily monday", _host.Query("SELECT frequency || ' ' || weekday FROM subscribers WHERE email = 'grace@example.org'"));

        var bad = await Import(_host, "email,keywords,frequency,weekday\nalan@example.org,RL,fortnightly,\nbob@example.org,RL,weekly,someday\ncarol@example.org,RL,weekdays,\n",
            "dryRun=false&confirmed=true");
        var errors = bad.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(2, "frequency"), (3, "weekday")], errors);
        Assert.Equal("weekdays", _host.Query("SELECT frequency FROM subscribers WHERE email = 'carol@example.org'"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers WHERE email IN ('alan@example.org', 'bob@example.org')"));
    }

    [Fact]
    public async Task The_focus_column_is_exported_last_imported_checked_and_optional()
    {
        const string csv = """
            email,keywords,focus
            ada@example.org,author:Hinton | title:diffusion,focused
            grace@example.org,diffusion,
            bob@example.org,diffusion,narrow
            """;

        var report = await Import(_host, csv, "dryRun=false&confirmed=true");

        Assert.Equal(2, report.GetProperty("added").GetInt32());
        var error = Assert.Single(report.GetProperty("errors").EnumerateArray());
        Assert.Equal((4, "focus"), (error.GetProperty("line").GetInt32(), error.GetProperty("field").GetString()));
        Assert.Contains("focus must be 'broad' or 'focused' (was 'narrow')", error.GetProperty("message").GetString());
        var exported = await Export(_host);
        Assert.StartsWith("email,name,status,keywords,exclusions,maxPapers,minScore,sendHour,timeZone,createdAt,delivery,frequency,weekday,focus", exported, StringComparison.Ordinal);
        Assert.Contains("ada@example.org,,active,author:Hinton | title:diffusion,,10,,", exported);
        Assert.Matches(@"ada@example\.org,.*,focused\r?\n", exported);
        Assert.Matches(@"grace@example\.org,.*,broad\r?\n", exported);

        var withoutFocus = await Import(_host, "email,keywords\ngrace@example.org,diffusion\n", "dryRun=false&confirmed=true");
        Assert.Equal(1, withoutFocus.GetProperty("unchanged").GetInt32());
    }

    [Fact]
    public async Task A_file_without_a_required_column_is_refused_naming_it()
    {
        using var response = await _host.Admin.PostAsync("/admin/api/subscribers/import", new StringContent("email,name\nada@example.org,Ada\n", Encoding.UTF8, "text/csv"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Contains("'keywords'", text);
        Assert.Equal(0, Scalar("SELECT count(*) FROM subscribers"));
    }

    private async Task<string> Add(object body)
    {
        var response = await _host.Admin.PostAsJsonAsync("/admin/api/subscribers", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<string> Export(WebTestHost host)
    {
        using var response = await host.Admin.GetAsync("/admin/api/subscribers/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<JsonElement> Import(WebTestHost host, string csv, string query)
    {
        using var response = await host.Admin.PostAsync($"/admin/api/subscribers/import?{query}", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private long Scalar(string sql) => (long)_host.Query(sql)!;
}

[Collection(nameof(WebCollection))]
public sealed class AdminCsvTestsOnSqlite(WebMaildev maildev) : AdminCsvTests(maildev, Backend.Sqlite);

[Collection(nameof(WebCollection))]
public sealed class AdminCsvTestsOnPostgres(WebMaildev maildev) : AdminCsvTests(maildev, Backend.Postgres);

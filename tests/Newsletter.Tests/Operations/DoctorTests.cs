using Microsoft.AspNetCore.Http;
using System.Text.Json;
using Newsletter.Tests.Support;
using Newsletter.Tests.Digests;

namespace Newsletter.Tests.Operations;

/// <summary>`newsletter doctor` against real parts: a SQLite file, maildev, a loopback listing source, a closed port.</summary>
[Collection(nameof(MaildevCollection))]
public sealed class DoctorTests(MaildevServer maildev) : IAsyncLifetime
{
    private const string AdminKey = "doctor-test-key-0123456789abcdef";
    private LoopbackServer _source = null!;

    public async Task InitializeAsync()
    {
        _source = await LoopbackServer.StartAsync();
        _source.Script("/daily", LoopbackServer.File(Corpus.ApiDay("2026-03-12"), "application/json"));
        _source.Script("/broken", async context =>
        {
            context.Response.StatusCode = 503;
            await context.Response.WriteAsync("down for maintenance");
        });
    }

    public async Task DisposeAsync() => await _source.DisposeAsync();

    /// <summary>A setup ready to go live: a mail server, and a sender and links at one real domain.</summary>
    private TestApp HealthyApp(params string[] more) => SendingApp(["--Site:BaseUrl=https://papers.example.org", "--Smtp:From=digest@papers.example.org", .. more]);

    private TestApp SendingApp(params string[] more) => new(
    [
        $"--Smtp:Host=127.0.0.1", $"--Smtp:Port={maildev.SmtpPort}", "--Smtp:Security=None",
        $"--Sources:DailyUrl={_source.Url("/daily")}?date={{date}}",
        $"--Admin:ApiKeys:0={AdminKey}",
        .. more,
    ]);

    private static Dictionary<string, JsonElement> ByCheck(CliResult result) =>
        result.Json().GetProperty("checks").EnumerateArray()
            .GroupBy(c => c.GetProperty("check").GetString()!)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.GetProperty("status").GetString() == "ok" ? 1 : 0).First());

    private static string Status(Dictionary<string, JsonElement> checks, string name) => checks[name].GetProperty("status").GetString()!;

    private static string Message(Dictionary<string, JsonElement> checks, string name) => checks[name].GetProperty("message").GetString()!;

    private static string Fix(Dictionary<string, JsonElement> checks, string name) => checks[name].GetProperty("fix").GetString()!;

    [Fact]
    public async Task A_working_setup_passes_every_check()
    {
        using var app = HealthyApp();
        Assert.Equal(0, (await app.RunAsync("db", "migrate")).ExitCode);

        var result = await app.RunAsync("doctor", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var checks = ByCheck(result);
        Assert.All(new[] { "config", "database", "migrations", "templates", "smtp", "source", "site", "sender" }, name => Assert.Equal("ok", Status(checks, name)));
        Assert.Contains($"127.0.0.1:{maildev.SmtpPort} greets", Message(checks, "smtp"));
        Assert.Matches(@"answers: \d+ papers \(hf-json\)", Message(checks, "source"));
        Assert.True(result.Json().GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Wrong_settings_are_all_named_and_the_checks_that_need_them_are_skipped()
    {
        using var app = HealthyApp("--Database:Provider=mysql", "--Smtp:Port=abc", "--Delivery:ClaimLeaseSeconds=1");

        var result = await app.RunAsync("doctor", "--json", "--offline");

        Assert.Equal(1, result.ExitCode);
        var checks = ByCheck(result);
        Assert.Equal("failed", Status(checks, "config"));
        Assert.Contains("Database:Provider", Message(checks, "config"));
        Assert.Contains("mysql", Message(checks, "config"));
        Assert.Contains("Smtp:Port", Message(checks, "config"));
        Assert.Contains("abc", Message(checks, "config"));
        Assert.Contains("Delivery:ClaimLeaseSeconds", Message(checks, "config"));
        Assert.Contains("--Section:Key=value", Fix(checks, "config"));
        Assert.Equal("skipped", Status(checks, "database"));
        Assert.Equal("skipped", Status(checks, "smtp"));
        Assert.Equal("ok", Status(checks, "templates"));
        Assert.False(File.Exists(app.DatabasePath), "doctor must not create the database");
    }

    [Fact]
    public async Task A_configuration_file_that_is_not_json_is_reported_with_its_position()
    {
        using var app = HealthyApp();
        var config = app.Dir.File("broken.json");
        await File.WriteAllTextAsync(config, "{ \"Smtp\": { \"Host\": \"mail\", } \n  \"Site\" }");

        var result = await app.RunAsync("--config", config, "doctor");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("FAIL  config", result.Stdout);
        Assert.Contains("not valid JSON", result.Stdout);
        Assert.Contains("fix: Correct the configuration file", result.Stdout);
    }

    [Fact]
    public async Task An_unreachable_mail_server_is_a_failure_that_names_host_port_and_what_to_check()
    {
        var closed = Ports.Free();
        using var app = HealthyApp($"--Smtp:Port={closed}");

        var result = await app.RunAsync("doctor", "--offline");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"FAIL  smtp         cannot connect to SMTP server 127.0.0.1:{closed}: connection refused", result.Stdout);
        Assert.Contains($"fix: Check that the mail server runs and accepts connections from this machine, and Smtp:Host, Smtp:Port ({closed})", result.Stdout);
        Assert.EndsWith("1 problem(s) found, 2 warning(s).\n", result.Stdout.ReplaceLineEndings("\n")); // one of them: mail is not DKIM-signed
    }

    [Fact]
    public async Task A_broken_template_is_named_with_its_line_and_column()
    {
        var folder = Path.Combine(Path.GetTempPath(), "doctor-templates-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            DigestFixtures.CopyTemplatesTo(folder);
            await File.WriteAllTextAsync(Path.Combine(folder, "digest.sbnhtml"), "<p>ok</p>\n<p>{{ for paper in papers }}{{ paper.title_html }}</p>\n");
            using var app = HealthyApp($"--Templates:Folder={folder}");

            var result = await app.RunAsync("doctor", "--json", "--offline");

            Assert.Equal(1, result.ExitCode);
            var checks = ByCheck(result);
            Assert.Equal("failed", Status(checks, "templates"));
            Assert.StartsWith("template digest.sbnhtml has an error at line", Message(checks, "templates"));
            Assert.Contains("column", Message(checks, "templates"));
            Assert.Contains("Templates:Folder", Fix(checks, "templates"));
            Assert.Equal("ok", Status(checks, "smtp"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_source_that_answers_with_an_error_is_reported_with_the_status()
    {
        using var app = HealthyApp($"--Sources:DailyUrl={_source.Url("/broken")}?date={{date}}");

        var result = await app.RunAsync("doctor", "--json");

        Assert.Equal(1, result.ExitCode);
        var checks = ByCheck(result);
        Assert.Equal("failed", Status(checks, "source"));
        Assert.Contains("answered 503", Message(checks, "source"));
        Assert.Contains("Sources:DailyUrl", Fix(checks, "source"));
    }

    [Fact]
    public async Task A_source_answering_more_than_the_listing_limit_is_reported_without_reading_it_all()
    {
        _source.Script("/endless", async context =>
        {
            context.Response.ContentType = "application/json"; // chunked, no length: only reading tells the size
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)' ');
            while (!context.RequestAborted.IsCancellationRequested
                   && !(await context.Response.BodyWriter.WriteAsync(chunk, context.RequestAborted)).IsCompleted)
            {
            }
        });
        using var app = HealthyApp($"--Sources:DailyUrl={_source.Url("/endless")}?date={{date}}", "--Sources:MaxListingBytes=1000000");

        var result = await app.RunAsync("doctor", "--json");

        Assert.Equal(1, result.ExitCode);
        var checks = ByCheck(result);
        Assert.Equal("failed", Status(checks, "source"));
        Assert.Contains("is larger than the limit Sources:MaxListingBytes = 1,000,000 bytes", Message(checks, "source"));
    }

    [Fact]
    public async Task Pending_migrations_are_a_warning_that_says_how_to_apply_them()
    {
        using var app = HealthyApp();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={app.DatabasePath}"))
        {
            connection.Open(); // an empty file: a database nobody migrated yet
        }

        var result = await app.RunAsync("doctor", "--json", "--offline");

        Assert.Equal(0, result.ExitCode);
        var checks = ByCheck(result);
        Assert.Equal("warning", Status(checks, "migrations"));
        var known = Newsletter.Data.Migrator.Sqlite.Count;
        Assert.StartsWith($"{known} of {known} migrations not applied yet: 0001_", Message(checks, "migrations"));
        Assert.Contains("newsletter db migrate", Fix(checks, "migrations"));
        Assert.Equal(0L, app.Query("SELECT count(*) FROM sqlite_master"));
    }

    [Theory]
    [InlineData("--Site:BaseUrl=http://papers.example.org", "Site:BaseUrl http://papers.example.org is plain http", "set Site:BaseUrl to the https:// address")]
    [InlineData("--Site:BaseUrl=https://localhost:8443", "Site:BaseUrl https://localhost:8443 names localhost", "Set Site:BaseUrl to the public https:// address")]
    [InlineData("--Site:BaseUrl=http://localhost:5080", "Site:BaseUrl http://localhost:5080 names localhost", "Set Site:BaseUrl to the public https:// address")]
    [InlineData(null, "Site:BaseUrl is not set: emailed links go to where serve listens (by default http://localhost:5080)", "Set Site:BaseUrl")]
    public async Task Going_live_with_links_on_http_or_on_localhost_is_a_failure_with_its_fix(string? baseUrl, string message, string fix)
    {
        using var app = SendingApp(["--Smtp:From=digest@papers.example.org", .. baseUrl is null ? Array.Empty<string>() : [baseUrl]]);

        var result = await app.RunAsync("doctor", "--json", "--offline");

        Assert.Equal(1, result.ExitCode);
        var checks = ByCheck(result);
        Assert.Equal("failed", Status(checks, "site"));
        Assert.StartsWith(message, Message(checks, "site"));
        Assert.Contains(fix, Fix(checks, "site"));
        Assert.Equal(1, result.Json().GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task Links_on_a_loopback_address_pass_for_a_trial_on_this_machine()
    {
        using var app = SendingApp("--Site:BaseUrl=http://127.0.0.1:5191", "--Smtp:From=digest@papers.example.org");

        var result = await app.RunAsync("doctor", "--json", "--offline");

        var checks = ByCheck(result);
        Assert.Equal("ok", Status(checks, "site"));
        Assert.Equal("ok", Status(checks, "sender"));
    }

    [Theory]
    [InlineData("newsletter@localhost.localdomain", "localhost.localdomain")]
    [InlineData("digest@localhost", "localhost")]
    [InlineData("digest@[192.0.2.1]", "[192.0.2.1]")]
    public async Task Going_live_with_a_sender_at_localhost_or_at_an_address_is_a_failure(string from, string domain)
    {
        using var app = SendingApp("--Site:BaseUrl=https://papers.example.org", $"--Smtp:From={from}");

        var result = await app.RunAsync("doctor", "--json", "--offline");

        Assert.Equal(1, result.ExitCode);
        var checks = ByCheck(result);
        Assert.Equal("ok", Status(checks, "site"));
        Assert.Equal("failed", Status(checks, "sender"));
        Assert.StartsWith($"Smtp:From is at {domain}, which is not a mail domain", Message(checks, "sender"));
        Assert.Contains("Set Smtp:From to an address at your own domain (e.g. newsletter@example.org)", Fix(checks, "sender"));
    }

    [Theory]
    [InlineData("digest@mail.example.org", "https://papers.example.org", "ok")]
    [InlineData("digest@lists.example.co.uk", "https://papers.example.co.uk", "ok")]
    [InlineData("digest@example.net", "https://papers.example.org", "warning")]
    [InlineData("digest@other.co.uk", "https://papers.example.co.uk", "warning")]
    public async Task A_sender_at_another_domain_than_the_links_is_a_warning(string from, string baseUrl, string status)
    {
        using var app = SendingApp($"--Site:BaseUrl={baseUrl}", $"--Smtp:From={from}");

        var result = await app.RunAsync("doctor", "--json", "--offline");

        var checks = ByCheck(result);
        Assert.Equal(status, Status(checks, "sender"));
        if (status == "warning")
        {
            Assert.Equal(0, result.ExitCode); // a warning does not stop the service
            Assert.Contains("DMARC", Message(checks, "sender"));
            Assert.StartsWith("Send from an address at ", Fix(checks, "sender"));
        }
    }

    [Fact]
    public async Task Without_a_mail_server_the_going_live_checks_are_skipped()
    {
        using var app = SendingApp("--Smtp:Host=");

        var result = await app.RunAsync("doctor", "--json", "--offline");

        var checks = ByCheck(result);
        Assert.Equal("skipped", Status(checks, "site"));
        Assert.False(checks.ContainsKey("sender"));
        Assert.Equal("warning", Status(checks, "smtp"));
    }
}

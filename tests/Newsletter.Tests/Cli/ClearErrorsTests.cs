using Microsoft.AspNetCore.Http;
using Newsletter.Tests.Hosting;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Cli;

/// <summary>Each way a command can fail ends in one line naming the cause (file, URL, setting) and the documented exit code.</summary>
[Collection(nameof(EnvironmentVariables))]
public sealed class ClearErrorsTests : IAsyncLifetime
{
    private LoopbackServer _server = null!;
    private readonly TestApp _app = new("--Sources:MaxRetries=0");

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _app.Dispose();
    }

    [Fact]
    public async Task A_refused_connection_is_one_short_line_per_retry_and_a_last_line_naming_the_url()
    {
        var url = $"http://127.0.0.1:{Ports.Free()}/api/daily_papers";
        using var app = new TestApp("--Sources:MaxRetries=2");

        var result = await app.RunProgramAsync(["ingest", "--from", url], TimeSpan.FromSeconds(10));

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 3, result.Stderr);
        Assert.All(lines[..2], line => Assert.Matches(@"failed \(Connection refused \(127\.0\.0\.1:\d+\)\); retry [12] of 2 in", line));
        Assert.DoesNotContain("Exception", result.Stderr);
        Assert.DoesNotContain(" at ", result.Stderr);
        Assert.StartsWith($"error: could not fetch {url}: Connection refused", lines[2]);
    }

    [Fact]
    public async Task A_redirect_to_a_file_url_is_refused_naming_where_it_pointed()
    {
        _server.Script("/listing", context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "file:///etc/passwd";
            return Task.CompletedTask;
        });

        var result = await _app.RunAsync("ingest", "--from", _server.Url("/listing"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: {_server.Url("/listing")} redirected to file:///etc/passwd, which is not http(s).", result.Stderr.Trim());
    }

    [Fact]
    public async Task A_redirect_to_another_http_address_is_still_followed()
    {
        _server.Script("/moved", context =>
        {
            context.Response.StatusCode = 301;
            context.Response.Headers.Location = "/api/daily_papers?date=2026-03-11";
            return Task.CompletedTask;
        });
        _server.Script("/api/daily_papers", LoopbackServer.File(Corpus.ApiDay("2026-03-11"), "application/json"));

        var result = await _app.RunAsync("ingest", "--from", _server.Url("/moved"), "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(109, result.Json().GetProperty("fetched").GetInt32());
    }

    [Fact]
    public async Task A_database_whose_folder_cannot_be_created_is_one_database_error_line()
    {
        var inTheWay = _app.Dir.Write("not-a-folder", "a file where the database folder should be");
        var database = Path.Combine(inTheWay, "data", "newsletter.db");

        var result = await _app.RunAsync("papers", "list", $"--Database:ConnectionString=Data Source={database}");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"database error: cannot create {database}: its folder cannot be created (", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_database_in_a_place_sqlite_cannot_write_is_one_database_error_line()
    {
        Assert.True(Directory.Exists("/proc/self"), "this test needs Linux's /proc, where not even root may create files");

        var result = await _app.RunAsync("papers", "list", "--Database:ConnectionString=Data Source=/proc/self/newsletter.db");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("database error: cannot open or create /proc/self/newsletter.db: it cannot be made or opened there (this user must be able to write to the file and its folder).",
            result.Stderr.Trim());
    }

    [Theory]
    [InlineData("papers", "list")]
    [InlineData("serve")]
    public async Task A_broken_settings_file_is_named_with_the_line_and_position(params string[] command)
    {
        var config = _app.Dir.Write("broken.json", "{\n  \"Sources\": {\n    \"MaxRetries\": 3,,\n  }\n}\n");

        var result = await _app.RunAsync([.. command, "--config", config]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"configuration error: {config} is not valid JSON at line 3, position 21: ',' is an invalid start of a property name. Expected a '\"'.",
            result.Stderr.Trim());
        Assert.False(File.Exists(_app.DatabasePath));
    }

    [Fact]
    public async Task A_settings_file_with_a_key_given_twice_is_named()
    {
        var config = _app.Dir.Write("twice.json", """{ "Sources": { "MaxRetries": 3, "MaxRetries": 4 } }""");

        var result = await _app.RunAsync("papers", "list", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"configuration error: {config} cannot be read as settings: A duplicate key 'Sources:MaxRetries' was found.", result.Stderr.Trim());
    }

    [Theory]
    [InlineData("papers", "list")]
    [InlineData("serve")]
    public async Task A_missing_NEWSLETTER_HOME_is_named(params string[] command)
    {
        var home = _app.Dir.File("no-such-home");
        Environment.SetEnvironmentVariable("NEWSLETTER_HOME", home);
        try
        {
            var result = await _app.RunAsync(command);

            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith($"configuration error: NEWSLETTER_HOME={home} does not exist;", result.Stderr);
            Assert.Single(result.Stderr.Trim().Split('\n'));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NEWSLETTER_HOME", null);
        }
    }

    [Fact]
    public async Task Serve_on_https_without_a_certificate_says_so_in_one_line_and_writes_nothing()
    {
        var url = $"https://127.0.0.1:{Ports.Free()}";
        // an empty home: no developer certificate for Kestrel to fall back on, as on a server
        var environment = new Dictionary<string, string> { ["HOME"] = _app.Dir.Path, ["DOTNET_CLI_HOME"] = _app.Dir.Path };

        var result = await _app.RunProgramAsync(["serve", "--urls", url, "--Schedule:Enabled=false"], TimeSpan.FromSeconds(10), environment);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"configuration error: --urls {url}: HTTPS needs a server certificate; set Kestrel:Certificates:Default:Path (and :Password, or :KeyPath), " +
            "or listen on http:// and terminate TLS at a reverse proxy.", result.Stderr.Trim());
        Assert.False(File.Exists(_app.DatabasePath));
    }

    [Theory]
    [InlineData("listing.json", """[{"paper": {"id": "2603.00001", "title": "A"}}, {"paper": """)]
    [InlineData("listing.html", "<html><body><p>no papers here</p></body></html>")]
    [InlineData("listing.atom", """<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>cut""")]
    public async Task A_listing_file_that_cannot_be_read_is_invalid_input_and_exits_2(string name, string content)
    {
        var file = _app.Dir.Write(name, content);

        var result = await _app.RunAsync("ingest", "--from", file);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains(file, result.Stderr);
        Assert.Equal(0L, _app.Query("SELECT count(*) FROM papers"));
    }

    [Fact]
    public async Task A_listing_served_broken_is_invalid_input_and_an_unreachable_source_is_a_failure()
    {
        _server.Script("/broken.json", async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""[{"paper": {"id": """);
        });

        var broken = await _app.RunAsync("ingest", "--from", _server.Url("/broken.json"));
        var missing = await _app.RunAsync("ingest", "--from", _server.Url("/missing.json"));

        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("is not valid JSON", broken.Stderr);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("HTTP 404", missing.Stderr);
    }
}

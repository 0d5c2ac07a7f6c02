using Newsletter.Common;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Hosting;

[Collection(nameof(EnvironmentVariables))]
public sealed class ConfigurationTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("--Database:Provider=mysql", "Database:Provider: 'mysql' is not a known database provider")]
    [InlineData("--Sources:DailyUrl=htp:/nowhere", "Sources:DailyUrl: 'htp:/nowhere' is not an absolute http(s) URL")]
    [InlineData("--Sources:MaxRetries=-1", "Sources:MaxRetries: must be between 0 (no retries) and 20 (was -1).")]
    [InlineData("--Sources:RequestTimeoutSeconds=0", "Sources:RequestTimeoutSeconds: must be between 1 and 3600 (was 0).")]
    [InlineData("--Sources:MaxRetries=many", "Sources:MaxRetries")]
    [InlineData("--Delivery:ClaimLeaseSeconds=1", "Delivery:ClaimLeaseSeconds: must be between 3 and 3600 (was 1).")]
    [InlineData("--Site:SubscribeRequestsPerMinute=-5", "Site:SubscribeRequestsPerMinute: must be between 0 (no limit) and 10000 (was -5).")]
    public async Task A_wrong_setting_stops_start_up_with_a_message_naming_it(string setting, string expected)
    {
        var result = await _app.RunAsync("papers", "list", setting);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("configuration error", result.Stderr);
        Assert.Contains(expected, result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.False(File.Exists(_app.DatabasePath), "nothing may be written when the configuration is wrong");
    }

    [Theory]
    [InlineData("Database=newsletter;Username=newsletter", "Database:ConnectionString: names no PostgreSQL host")]
    [InlineData("Data Source=data/x.db", "Database:ConnectionString: not a valid PostgreSQL connection string")]
    public async Task A_wrong_postgres_connection_string_is_named_before_anything_connects(string connectionString, string expected)
    {
        var result = await _app.RunAsync("papers", "list", "--Database:Provider=postgres", $"--Database:ConnectionString={connectionString}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }

    [Fact]
    public async Task A_malformed_connection_string_is_named()
    {
        using var stderr = new StringWriter();

        var code = await Newsletter.Hosting.NewsletterCli.RunAsync(["papers", "list", "--Database:ConnectionString=Data Sauce=x.db"], new StringWriter(), stderr);

        Assert.Equal(2, code);
        Assert.Contains("Database:ConnectionString: 'Data Sauce=x.db' is not a valid SQLite connection string", stderr.ToString());
    }

    [Fact]
    public async Task Environment_variables_override_the_settings_file()
    {
        Environment.SetEnvironmentVariable("NEWSLETTER__Sources__MaxRetries", "-3");
        try
        {
            var result = await _app.RunAsync("papers", "list");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("Sources:MaxRetries: must be between 0 (no retries) and 20 (was -3).", result.Stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NEWSLETTER__Sources__MaxRetries", null);
        }
    }

    [Fact]
    public async Task Environment_variable_sets_the_database_and_a_switch_beats_it()
    {
        var envDb = _app.Dir.File("from-env.db");
        Environment.SetEnvironmentVariable("NEWSLETTER__Database__ConnectionString", $"Data Source={envDb}");
        try
        {
            using var stdout = new StringWriter();
            var code = await Newsletter.Hosting.NewsletterCli.RunAsync(["db", "migrate"], stdout, new StringWriter());
            Assert.Equal(0, code);
            Assert.True(File.Exists(envDb));

            var switched = await _app.RunAsync("db", "migrate");
            Assert.Contains(_app.DatabasePath, switched.Stdout);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NEWSLETTER__Database__ConnectionString", null);
        }
    }

    [Fact]
    public async Task A_config_file_that_is_not_json_is_reported_as_such()
    {
        var config = _app.Dir.Write("broken.json", "{ \"Database\": { ");

        var result = await _app.RunAsync("papers", "list", "--config", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"configuration error: {config} is not valid JSON at line 1, position", result.Stderr);
    }

    [Fact]
    public async Task A_missing_config_file_given_explicitly_is_an_error()
    {
        var result = await _app.RunAsync("papers", "list", "--config", _app.Dir.File("nope.json"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--config: the file", result.Stderr);
    }

    [Fact]
    public void Setting_switches_are_split_from_command_arguments()
    {
        var switches = ConfigSwitches.Extract(["ingest", "--Sources:MaxRetries", "3", "--from", "x", "--Database:Provider=sqlite", "--json"]);

        Assert.Equal(["ingest", "--from", "x", "--json"], switches.CommandArgs);
        Assert.Equal(["--Sources:MaxRetries=3", "--Database:Provider=sqlite"], switches.Settings);
    }

    [Fact]
    public void The_shipped_settings_file_is_valid()
    {
        var config = Path.Combine(Corpus.RepoRoot, "config", "appsettings.json");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(config));
        Assert.Equal("sqlite", json.RootElement.GetProperty("Database").GetProperty("Provider").GetString());
    }
}

[CollectionDefinition(nameof(EnvironmentVariables), DisableParallelization = true)]
public sealed class EnvironmentVariables;

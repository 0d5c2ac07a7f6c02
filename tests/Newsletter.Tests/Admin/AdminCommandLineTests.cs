using Newsletter.Tests.Support;

namespace Newsletter.Tests.Admin;

/// <summary>The admin operations on the command line: resend, update, suppress.</summary>
[Collection(nameof(MaildevCollection))]
public sealed class AdminCommandLineTests(MaildevServer maildev) : IAsyncLifetime
{
    private readonly TestApp _app = new("--Smtp:Host=127.0.0.1", $"--Smtp:Port={maildev.SmtpPort}", "--Smtp:Security=None", "--Smtp:MaxPerSecond=0",
        "--Smtp:From=digest@papers.example.org", "--Site:SigningKey=0123456789abcdef0123456789abcdef-test");

    public Task InitializeAsync() => maildev.ClearAsync();

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("add", "1e309")]
    [InlineData("add", "-0.5")]
    [InlineData("update", "1e309")]
    public async Task A_minimum_score_that_is_not_a_finite_number_in_range_is_refused_and_nothing_is_stored(string command, string value)
    {
        if (command == "update")
        {
            await Ok("subscribers", "add", "--email", "ada@example.org", "--keyword", "RL", "--confirmed", "--min-score", "2");
        }
        string[] email = ["--email", command == "add" ? "bob@example.org" : "ada@example.org"];

        var result = await _app.RunAsync(["subscribers", command, .. email, "--keyword", "RL", $"--min-score={value}"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("the minimum score must be a number between 0 and 1000", result.Stderr);
        Assert.Equal(command == "add" ? 0L : 1L, _app.Query("SELECT count(*) FROM subscribers"));
        var listed = await Ok("subscribers", "list", "--json");
        Assert.All(listed.Json().EnumerateArray(), s => Assert.Equal(2, s.GetProperty("minScore").GetDouble()));
    }

    [Fact]
    public async Task Subscribers_add_and_update_take_a_frequency_and_a_weekday_and_refuse_bad_ones_naming_the_option()
    {
        await Ok("subscribers", "add", "--email", "ada@example.org", "--keyword", "RL", "--confirmed", "--frequency", "weekly", "--weekday", "friday");
        Assert.Equal("weekly friday", _app.Query("SELECT frequency || ' ' || weekday FROM subscribers"));

        await Ok("subscribers", "update", "--email", "ada@example.org", "--frequency", "weekdays");
        var listed = (await Ok("subscribers", "list", "--json")).Json()[0];
        Assert.Equal(("weekdays", "friday"), (listed.GetProperty("frequency").GetString(), listed.GetProperty("weekday").GetString()));

        var bad = await _app.RunAsync("subscribers", "update", "--email", "ada@example.org", "--frequency", "hourly", "--send-hour", "3");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--frequency", bad.Stderr);
        Assert.Contains("hourly", bad.Stderr);
        var badDay = await _app.RunAsync("subscribers", "add", "--email", "bob@example.org", "--keyword", "RL", "--weekday", "funday");
        Assert.Equal(2, badDay.ExitCode);
        Assert.Contains("funday", badDay.Stderr);
        Assert.Equal(8L, _app.Query("SELECT send_hour FROM subscribers"));
        Assert.Equal(1L, _app.Query("SELECT count(*) FROM subscribers"));
    }

    [Fact]
    public async Task Digest_resend_sends_one_more_copy_and_its_dry_run_sends_none()
    {
        await Ok("subscribers", "add", "--email", "ada@example.org", "--keyword", "reinforcement learning", "--confirmed");
        await Ok("ingest", "--from", Corpus.ApiDay("2026-03-11"));
        await Ok("digest", "run", "--date", "2026-03-11", "--skip-ingest");
        await maildev.WaitForAsync(1);

        var dry = await Ok("digest", "resend", "--date", "2026-03-11", "--email", "ada@example.org", "--dry-run", "--json");
        var real = await Ok("digest", "resend", "--date", "2026-03-11", "--all", "--delivery-status", "sent", "--json");
        var neither = await _app.RunAsync("digest", "resend", "--date", "2026-03-11");

        Assert.Equal(1, dry.Json().GetProperty("wouldSend").GetInt32());
        Assert.Equal(1, real.Json().GetProperty("sent").GetInt32());
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("Give either --email or --all", neither.Stderr);
        await maildev.WaitForAsync(2);
        await Task.Delay(300);
        Assert.Equal(2, (await maildev.EmailsAsync()).Count);
    }

    [Fact]
    public async Task Subscribers_update_checks_keywords_and_suppress_stops_mail()
    {
        await Ok("subscribers", "add", "--email", "ada@example.org", "--keyword", "RL", "--confirmed");

        var bad = await _app.RunAsync("subscribers", "update", "--email", "ada@example.org", "--keyword", "(RL");
        await Ok("subscribers", "update", "--email", "ada@example.org", "--keyword", "diffusion", "--send-hour", "6", "--pause");
        var paused = (await Ok("subscribers", "list", "--json")).Json()[0];
        await Ok("subscribers", "suppress", "--email", "ada@example.org", "--reason", "bounced elsewhere");
        var suppressed = (await Ok("subscribers", "list", "--json")).Json()[0];

        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("keyword 1", bad.Stderr);
        Assert.Equal("diffusion", paused.GetProperty("keywords")[0].GetString());
        Assert.Equal(6, paused.GetProperty("sendHour").GetInt32());
        Assert.Equal("suppressed", suppressed.GetProperty("status").GetString());
        Assert.Equal("bounced elsewhere", suppressed.GetProperty("statusReason").GetString());
    }

    [Fact]
    public async Task Subscribers_add_and_update_take_the_delivery_and_refuse_another_value()
    {
        await Ok("subscribers", "add", "--email", "ada@example.org", "--keyword", "RL", "--confirmed", "--delivery", "feed");
        var added = (await Ok("subscribers", "list", "--json")).Json()[0];
        var bad = await _app.RunAsync("subscribers", "update", "--email", "ada@example.org", "--delivery", "fax");
        await Ok("subscribers", "update", "--email", "ada@example.org", "--delivery", "email");
        var updated = (await Ok("subscribers", "list", "--json")).Json()[0];

        Assert.Equal("feed", added.GetProperty("delivery").GetString());
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("fax", bad.Stderr);
        Assert.Equal("email", updated.GetProperty("delivery").GetString());
    }

    private async Task<CliResult> Ok(params string[] args)
    {
        var result = await _app.RunAsync(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}

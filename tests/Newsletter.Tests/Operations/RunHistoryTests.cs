using System.Text.Json;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Operations;

/// <summary>What `runs list` / `runs show` (and /admin/api/runs, which reads the same rows) tell about past runs.</summary>
public abstract class RunHistoryTests(Backend backend) : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.CreateAsync(backend, $"--Smtp:PickupFolder={Path.Combine(Path.GetTempPath(), "runs-" + Guid.NewGuid().ToString("N"))}");
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    private async Task SeedAsync()
    {
        Assert.Equal(0, (await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"))).ExitCode);
        Assert.Equal(0, (await _app.RunAsync("subscribers", "add", "--email", "ada@example.org", "--keyword", "reinforcement learning", "--confirmed")).ExitCode);
        Assert.Equal(0, (await _app.RunAsync("subscribers", "add", "--email", "bob@example.org", "--keyword", "diffusion", "--confirmed")).ExitCode);
    }

    [Fact]
    public async Task A_run_is_listed_with_its_phases_counts_and_duration()
    {
        await SeedAsync();
        var run = await _app.RunAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var runId = run.Json().GetProperty("runId").GetString();

        var list = await _app.RunAsync("runs", "list", "--json");

        Assert.True(list.ExitCode == 0, list.ToString());
        var listed = Assert.Single(list.Json().EnumerateArray());
        Assert.Equal(runId, listed.GetProperty("id").GetString());
        Assert.Equal("manual", listed.GetProperty("kind").GetString());
        Assert.Equal("succeeded", listed.GetProperty("status").GetString());
        Assert.Equal(2, listed.GetProperty("planned").GetInt64());
        Assert.Equal(2, listed.GetProperty("sent").GetInt64());
        Assert.True(listed.GetProperty("matches").GetInt64() >= 2);
        Assert.True(listed.GetProperty("durationMs").GetInt64() >= 0);
        var phases = listed.GetProperty("phases").EnumerateArray().ToDictionary(p => p.GetProperty("phase").GetString()!);
        Assert.Equal(["match", "send", "render"], phases.Keys);
        Assert.Equal(2, phases["match"].GetProperty("items").GetInt64());
        Assert.Equal(2, phases["send"].GetProperty("items").GetInt64());
        Assert.Equal(2, phases["render"].GetProperty("items").GetInt64());
        Assert.All(phases.Values, p => Assert.Equal(JsonValueKind.Null, p.GetProperty("error").ValueKind));

        var text = await _app.RunAsync("runs", "list");
        Assert.Contains($"{runId}  manual    2026-03-11  succeeded", text.Stdout);
        Assert.Contains("papers 109, planned 2, sent 2, failed 0, suppressed 0, deferred 0, retries 0", text.Stdout);
        Assert.Matches(@"match \d+\.\d\d s \(2\), send \d+\.\d\d s \(2\), render \d+\.\d\d s \(2\)", text.Stdout);

        var shown = await _app.RunAsync("runs", "show", runId!);
        Assert.Contains("  digests planned: 2", shown.Stdout);
        Assert.Matches(@"phase send: \d+\.\d\d s, 2 items", shown.Stdout);
    }

    [Fact]
    public async Task A_failed_run_keeps_its_error_and_the_phase_that_failed()
    {
        var closed = $"http://127.0.0.1:{Ports.Free()}/papers?date={{date}}";

        var run = await _app.RunAsync("digest", "run", "--date", "2026-03-11", $"--Sources:DailyUrl={closed}", "--Sources:MaxRetries=0");

        Assert.Equal(1, run.ExitCode);
        var listed = Assert.Single((await _app.RunAsync("runs", "list", "--json")).Json().EnumerateArray());
        Assert.Equal("failed", listed.GetProperty("status").GetString());
        Assert.Contains("127.0.0.1", listed.GetProperty("error").GetString());
        var phase = Assert.Single(listed.GetProperty("phases").EnumerateArray());
        Assert.Equal("ingest", phase.GetProperty("phase").GetString());
        Assert.Equal(listed.GetProperty("error").GetString(), phase.GetProperty("error").GetString());
        var text = await _app.RunAsync("runs", "list");
        Assert.Contains("    error: ", text.Stdout);
    }

    [Fact]
    public async Task Showing_an_unknown_run_is_a_usage_error()
    {
        var result = await _app.RunAsync("runs", "show", "20990101000000-deadbeef");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no run with the id 20990101000000-deadbeef", result.Stderr);
    }
}

public sealed class RunHistoryOnSqlite() : RunHistoryTests(Backend.Sqlite);

public sealed class RunHistoryOnPostgres() : RunHistoryTests(Backend.Postgres);

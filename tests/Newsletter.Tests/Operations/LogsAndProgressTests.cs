using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Newsletter.Cli;
using Newsletter.Hosting;
using Newsletter.Tests.Support;
using Spectre.Console;

namespace Newsletter.Tests.Operations;

/// <summary>JSON logs carrying the run id, and progress that is bars on a terminal and plain lines anywhere else.</summary>
public sealed class LogsAndProgressTests : IDisposable
{
    private readonly TestApp _app = new($"--Smtp:PickupFolder={Path.Combine(Path.GetTempPath(), "progress-" + Guid.NewGuid().ToString("N"))}");

    public void Dispose() => _app.Dispose();

    private async Task SeedAsync()
    {
        Assert.Equal(0, (await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"))).ExitCode);
        foreach (var (email, keyword) in new[] { ("ada@example.org", "reinforcement learning"), ("bob@example.org", "diffusion"), ("cy@example.org", "language model") })
        {
            Assert.Equal(0, (await _app.RunAsync("subscribers", "add", "--email", email, "--keyword", keyword, "--confirmed")).ExitCode);
        }
    }

    /// <summary>The built program with both outputs redirected (as under cron, systemd or CI).</summary>
    private async Task<CliResult> RunProgramAsync(params string[] args)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "newsletter.dll");
        var start = new ProcessStartInfo("dotnet", [program, .. args, .. _app.Settings])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _app.Dir.Path,
        };
        start.Environment["TERM"] = "xterm-256color"; // a terminal type is set, but the outputs are not a terminal
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Every_log_line_of_a_run_carries_its_run_id_in_json()
    {
        await SeedAsync();

        var result = await RunProgramAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json",
            "--Logging:Console:FormatterName=json", "--Logging:LogLevel:Default=Information");

        Assert.True(result.ExitCode == 0, result.ToString());
        var runId = result.Json().GetProperty("runId").GetString();
        var logLines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).ToList();
        var runLines = logLines.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("Category").GetString()!.StartsWith("Newsletter.", StringComparison.Ordinal)
                        && l.GetProperty("Category").GetString() != "Newsletter.Data.Migrator")
            .ToList();
        Assert.True(runLines.Count >= 5, result.Stderr); // started, match, send, render, finished
        Assert.All(runLines, line => Assert.Contains(line.GetProperty("Scopes").EnumerateArray(),
            scope => scope.TryGetProperty("RunId", out var id) && id.GetString() == runId));
        var finished = runLines.Single(l => l.GetProperty("Message").GetString()!.StartsWith("Run for 2026-03-11 finished", StringComparison.Ordinal));
        Assert.Equal(3, finished.GetProperty("State").GetProperty("Sent").GetInt32());
    }

    [Fact]
    public async Task Progress_is_plain_lines_on_stderr_when_the_output_is_redirected()
    {
        await SeedAsync();

        var result = await RunProgramAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain('\u001b', result.Stderr + result.Stdout); // no colours, no cursor movement
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d\d:\d\d:\d\d match: started$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d\d:\d\d:\d\d match: done in \d+\.\d s: 3 digests planned$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d\d:\d\d:\d\d send: started, 3 to do$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d\d:\d\d:\d\d send: done in \d+\.\d s: 3 digests sent$"));
        Assert.StartsWith("Run ", result.Stdout); // the result stays on stdout, as one line, without a table
        Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task With_json_stdout_is_one_json_document_and_progress_stays_on_stderr()
    {
        await SeedAsync();

        var result = await _app.RunAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json");

        Assert.Equal(3, result.Json().GetProperty("sent").GetInt32());
        Assert.Contains("send: done in", result.Stderr);
    }

    [Fact]
    public void Plain_progress_writes_a_line_at_each_tenth_and_one_at_the_end()
    {
        using var output = new StringWriter();
        var progress = new PlainProgress(output);

        using (var phase = progress.Begin("send", 200))
        {
            for (var i = 0; i < 200; i++)
            {
                phase.Advance();
            }
            phase.Complete("200 digests sent");
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l[9..]).ToList();
        Assert.Equal("send: started, 200 to do", lines[0]);
        Assert.Equal(Enumerable.Range(1, 9).Select(t => $"send: {t * 20}/200 ({t * 10}%)"), lines.Skip(1).Take(9));
        Assert.Matches(@"^send: done in \d+\.\d s: 200 digests sent$", lines[10]);
        Assert.Equal(11, lines.Count);
    }

    [Fact]
    public async Task On_a_terminal_progress_is_drawn_as_bars()
    {
        using var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.TrueColor,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(screen),
        });

        var total = await ProgressDisplay.RunWithBarsAsync(console, async progress =>
        {
            using var phase = progress.Begin("send", 50);
            for (var i = 0; i < 50; i++)
            {
                phase.Advance();
                await Task.Yield();
            }
            phase.Complete("50 digests sent");
            return 50;
        });

        Assert.Equal(50, total);
        Assert.Contains('\u001b', screen.ToString());
        Assert.Contains("send: 50 digests sent", screen.ToString());
        Assert.Contains("100%", screen.ToString());
    }

    [Fact]
    public async Task Serve_starts_with_one_block_and_no_framework_information_lines_before_it()
    {
        const string key = "startup-test-key-0123456789abcdef";
        var listen = $"http://127.0.0.1:{Ports.Free()}";
        Assert.Equal(0, (await _app.RunAsync("db", "migrate")).ExitCode); // migrations say what they apply: not on this start
        // a home without a settings file: the program's own defaults, every category at Information
        await using var serve = ServeProcess.Start(_app.Dir.Path,
            ["--urls", listen, "--Schedule:DefaultTimeZone=Europe/Berlin", $"--Admin:ApiKeys:0={key}", .. _app.Settings]);

        var start = await serve.WaitForLineAsync(l => l.StartsWith("Newsletter is running", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await serve.ReadForAsync(TimeSpan.FromSeconds(2)); // log lines are written from a queue: give late ones time to show

        var before = serve.Lines.Take(start).ToList();
        Assert.DoesNotContain(before, l => l.Contains(" info: ", StringComparison.Ordinal));
        var block = serve.Lines.Skip(start).Take(7).ToList();
        Assert.Equal("Newsletter is running. Press Ctrl+C to stop.", block[0]);
        Assert.Equal($"  listening on   {listen}", block[1]);
        Assert.Equal($"  email links    {listen}/…", block[2]);
        Assert.Equal($"  database       SQLite {_app.DatabasePath}", block[3]);
        Assert.StartsWith("  mail           no SMTP server (Smtp:Host is empty): .eml files in ", block[4]);
        Assert.Matches(@"^  schedule       next run \d{4}-\d\d-\d\d \d\d:00 UTC \(\d{4}-\d\d-\d\d \d\d:00 in Europe/Berlin\), then on cron '0 0 \* \* \* \?'$", block[5]);
        Assert.Equal("  admin API      on (1 key)", block[6]);
        Assert.DoesNotContain(serve.Lines, l => Regex.IsMatch(l, @" info: (Quartz|Microsoft)"));
    }

    [Fact]
    public async Task A_setting_brings_the_framework_start_up_lines_back()
    {
        var listen = $"http://127.0.0.1:{Ports.Free()}";
        await using var serve = ServeProcess.Start(_app.Dir.Path,
            ["--urls", listen, "--Logging:LogLevel:Quartz=Information", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information", .. _app.Settings]);

        await serve.WaitForLineAsync(l => l.StartsWith("Newsletter is running", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await serve.ReadForAsync(TimeSpan.FromSeconds(2));

        Assert.Contains(serve.Lines, l => l.Contains(" info: Quartz.", StringComparison.Ordinal));
        Assert.Contains(serve.Lines, l => l.Contains($" info: Microsoft.Hosting.Lifetime[14] Now listening on: {listen}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_log_format_is_a_configuration_error()
    {
        var result = await _app.RunAsync("runs", "list", "--Logging:Console:FormatterName=xml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Logging:Console:FormatterName must be simple or json (was 'xml')", result.Stderr);
    }
}

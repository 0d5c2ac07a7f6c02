using System.Diagnostics;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Cli;

public sealed class CommandLineTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData(new[] { "ingest", "--from", "x", "--format", "pdf" }, "pdf")]
    [InlineData(new[] { "ingest", "--from", "x", "--date", "2026-13-01" }, "--date: '2026-13-01' is not a date in the form YYYY-MM-DD")]
    [InlineData(new[] { "papers", "list", "--date", "yesterday" }, "'yesterday' is not a date")]
    [InlineData(new[] { "ingest", "--frm", "x" }, "--frm")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    public async Task Invalid_command_lines_exit_2_with_the_reason(string[] args, string expected)
    {
        var result = await _app.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_missing_file_is_a_clear_error()
    {
        var result = await _app.RunAsync("ingest", "--from", _app.Dir.File("missing.json"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("listing file not found", result.Stderr);
    }

    [Fact]
    public async Task An_explicit_format_that_does_not_fit_the_content_is_invalid_input()
    {
        var result = await _app.RunAsync("ingest", "--from", Corpus.HtmlDay("2026-03-11"), "--format", "hf-json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not valid JSON", result.Stderr);
    }

    [Fact]
    public async Task The_built_program_prints_only_json_on_stdout()
    {
        var program = Path.Combine(AppContext.BaseDirectory, "newsletter.dll");
        var start = new ProcessStartInfo("dotnet", [program, "ingest", "--from", Corpus.ApiDay("2026-03-11"), "--json", .. _app.Settings])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _app.Dir.Path,
        };
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal(109, json.RootElement.GetProperty("fetched").GetInt32());
    }
}

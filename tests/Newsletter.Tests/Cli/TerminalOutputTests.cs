using System.Text.Json;
using Newsletter.Cli;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Cli;

/// <summary>Titles, keywords and messages quoting them reach the operator's terminal without escape sequences or controls.</summary>
public sealed class TerminalOutputTests : IDisposable
{
    // clear screen, set the window title, colour, a C1 CSI, a bell and a right-to-left override
    private const string Title = "Good \u001b[2J\u001b]0;pwned\u0007title \u001b[31mred\u001b[0m \u009b31m \u202Eright-to-left\u0007";
    private const string Keyword = "diffusion\u001b[2J\u202E";

    private static readonly char[] Unsafe = ['\u001b', '\u0007', '\u009b', '\u202E'];

    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    private string EvilListing() => _app.Dir.Write("evil.json", JsonSerializer.Serialize(new[]
    {
        new { paper = new { id = "2603.00001", title = Title, summary = "diffusion models" } },
        new { paper = new { id = "", title = "no id \u001b]0;pwned\u0007 here", summary = "" } },
    }));

    [Fact]
    public async Task Escape_sequences_and_bidi_overrides_in_titles_and_keywords_never_reach_the_terminal()
    {
        var ingest = await _app.RunAsync("ingest", "--from", EvilListing());
        var added = await _app.RunAsync("subscribers", "add", "--email", "ada@example.org", "--keyword", Keyword, "--confirmed");
        var papers = await _app.RunAsync("papers", "list");
        var subscribers = await _app.RunAsync("subscribers", "list");

        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        Assert.True(added.ExitCode == 0, added.ToString());
        foreach (var output in new[] { ingest.Stdout, ingest.Stderr, papers.Stdout, subscribers.Stdout })
        {
            Assert.Equal(-1, output.IndexOfAny(Unsafe));
        }
        Assert.Contains("Good title red 31m right-to-left", papers.Stdout);
        Assert.Contains("warning: skipped element [1] (\"no id  here\")", ingest.Stderr);
        Assert.Contains("ada@example.org", subscribers.Stdout);
        Assert.Contains("diffusion", subscribers.Stdout);
    }

    [Fact]
    public async Task Json_output_keeps_the_data_and_shows_every_control_escaped()
    {
        await _app.RunAsync("ingest", "--from", EvilListing());

        var result = await _app.RunAsync("papers", "list", "--json");

        Assert.Equal(-1, result.Stdout.IndexOfAny(Unsafe));
        Assert.Contains("\\u202E", result.Stdout);
        Assert.Equal(Title, result.Json()[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task An_error_line_quoting_a_path_with_escapes_is_cleaned()
    {
        var result = await _app.RunAsync("ingest", "--from", _app.Dir.File("missing\u001b[2J\u202E.json"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(-1, result.Stderr.IndexOfAny(Unsafe));
        Assert.Contains("listing file not found: ", result.Stderr);
    }

    [Fact]
    public async Task Log_lines_quoting_a_listing_are_cleaned_too()
    {
        var result = await _app.RunProgramAsync(["ingest", "--from", EvilListing()], TimeSpan.FromSeconds(10));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warn: Newsletter.Sources.Ingestor", result.Stderr); // the log line, besides the command's own warning line
        Assert.Equal(-1, result.Stderr.IndexOfAny(Unsafe));
        Assert.Equal(-1, result.Stdout.IndexOfAny(Unsafe));
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("two\nlines\tand a tab", "two\nlines\tand a tab")]
    [InlineData("mail\r\nline ends", "mail\r\nline ends")]
    [InlineData("over\rwrite", "overwrite")]
    [InlineData("a\u001b[2Jb\u001b[38;5;196mc", "abc")]
    [InlineData("a\u001b]0;title\u0007b\u001b]8;;http://x\u001b\\c", "abc")]
    [InlineData("a\u001bcb\u001b(Bc", "abc")]
    [InlineData("cut \u001b[31", "cut [31")]
    [InlineData("c1\u009b31m\u0085", "c131m")]
    [InlineData("\u202Eevil\u202C \u2066iso\u2069 \u200Fmark", "evil iso mark")]
    [InlineData("accents é ü 漢字 emoji 🎉", "accents é ü 漢字 emoji 🎉")]
    public void Clean_keeps_text_newlines_and_tabs_and_drops_escapes_and_controls(string text, string expected)
    {
        Assert.Equal(expected, TerminalText.Clean(text));
    }
}

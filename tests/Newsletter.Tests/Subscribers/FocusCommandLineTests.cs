using Newsletter.Tests.Support;

namespace Newsletter.Tests.Subscribers;

/// <summary><c>subscribers add|update --focus</c>, and qualified keywords on the command line.</summary>
public sealed class FocusCommandLineTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Focus_is_set_by_add_listed_changed_by_update_and_kept_when_not_given()
    {
        await Ok("subscribers", "add", "--email", "ada@example.org", "--keyword", "author:Hinton", "--keyword", "title:diffusion", "--confirmed", "--focus", "focused");
        await Ok("subscribers", "add", "--email", "bob@example.org", "--keyword", "RL", "--confirmed");

        Assert.Equal(["focused", "broad"], await Focuses());
        await Ok("subscribers", "update", "--email", "ada@example.org", "--max", "5");
        Assert.Equal(["focused", "broad"], await Focuses());
        await Ok("subscribers", "update", "--email", "ada@example.org", "--focus", "broad");
        await Ok("subscribers", "update", "--email", "bob@example.org", "--focus", "focused");
        Assert.Equal(["broad", "focused"], await Focuses());
    }

    [Fact]
    public async Task A_focus_that_is_neither_broad_nor_focused_is_refused_and_nothing_is_stored()
    {
        var result = await _app.RunAsync("subscribers", "add", "--email", "ada@example.org", "--keyword", "RL", "--confirmed", "--focus", "narrow");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("narrow", result.Stderr);
        Assert.Contains("focused", result.Stderr);
        Assert.Equal(0, (await Ok("subscribers", "list", "--json")).Json().GetArrayLength());
    }

    [Fact]
    public async Task An_unknown_qualifier_is_refused_with_its_column_and_nothing_is_stored()
    {
        var result = await _app.RunAsync("subscribers", "add", "--email", "ada@example.org", "--keyword", "RL", "--keyword", "diffusion AND venue:neurips", "--confirmed");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown qualifier 'venue:' (known: author:, title:, abstract:, category:, source:) at column 15 in keyword 2", result.Stderr);
        Assert.Equal(0L, _app.Query("SELECT count(*) FROM subscribers"));
    }

    private async Task<string[]> Focuses()
    {
        var listed = await Ok("subscribers", "list", "--json");
        return [.. listed.Json().EnumerateArray().OrderBy(s => s.GetProperty("email").GetString()).Select(s => s.GetProperty("focus").GetString()!)];
    }

    private async Task<CliResult> Ok(params string[] args)
    {
        var result = await _app.RunAsync(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}

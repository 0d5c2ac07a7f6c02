using System.Text.Json;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Matching;

public sealed class MatchCommandTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    private string Profiles(object profiles) => _app.Dir.Write("profiles.json", JsonSerializer.Serialize(profiles));

    [Fact]
    public async Task Json_output_lists_every_match_uncapped_with_score_keywords_and_spans()
    {
        var profiles = Profiles(new object[]
        {
            new { id = "p1", keywords = new[] { "reinforcement learning", "RL" }, exclude = new[] { "survey" } },
            new { id = "p2", keywords = new[] { "text-to-image" }, exclude = Array.Empty<string>() },
        });

        var result = await _app.RunAsync("match", "--papers", Corpus.ApiDay("2026-03-11"), "--profiles", profiles, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = result.Json().EnumerateArray().ToList();
        Assert.True(rows.Count(r => r.GetProperty("profile").GetString() == "p1") > 10, "uncapped: more than the default 10");
        var first = rows[0];
        Assert.Equal(["profile", "paper", "score", "matched", "spans"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal("p1", first.GetProperty("profile").GetString());
        Assert.Matches(@"^9912\.\d{5}$", first.GetProperty("paper").GetString());
        Assert.True(first.GetProperty("score").GetDouble() > 0);
        Assert.Contains("reinforcement learning", first.GetProperty("matched").EnumerateArray().Select(m => m.GetString()));
        var summary = MatchingSupport.CorpusPaper(first.GetProperty("paper").GetString()!).Summary;
        var span = first.GetProperty("spans").GetProperty("summary")[0];
        var highlighted = summary.Substring(span[0].GetInt32(), span[1].GetInt32());
        Assert.True(highlighted.Equals("reinforcement learning", StringComparison.OrdinalIgnoreCase) || highlighted == "RL", highlighted);
        var p1Scores = rows.Where(r => r.GetProperty("profile").GetString() == "p1").Select(r => r.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(p1Scores.OrderByDescending(s => s), p1Scores);
    }

    [Fact]
    public async Task With_NEWSLETTER_TIMINGS_match_reports_its_first_index_build_on_stderr_and_only_then()
    {
        var profiles = Profiles(new object[] { new { id = "p1", keywords = new[] { "diffusion" } } });
        string[] args = ["match", "--papers", Corpus.ApiDay("2026-03-11"), "--profiles", profiles, "--json"];

        var timed = await _app.RunProgramAsync(args, TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["NEWSLETTER_TIMINGS"] = "1" });
        var plain = await _app.RunProgramAsync(args, TimeSpan.FromSeconds(60));

        Assert.True(timed.ExitCode == 0, timed.ToString());
        // the benchmark's startup suite reads this line
        Assert.Matches(@"^timing: first index of \d+ papers built in \d+\.\d ms \(\d+\.\d ms CPU of its thread\), done \d+ ms after the process started; "
            + @"meanwhile \d+ collections, \d+ methods compiled \(\d+\.\d ms\), \d+\.\d MB allocated$", timed.Stderr.Trim());
        Assert.Equal(plain.Stdout, timed.Stdout); // the result itself is the same
        Assert.Equal("", plain.Stderr);
    }

    [Fact]
    public async Task An_invalid_profile_exits_2_naming_profile_keyword_and_column_with_nothing_on_stdout()
    {
        var profiles = Profiles(new object[]
        {
            new { id = "good", keywords = new[] { "diffusion" }, exclude = Array.Empty<string>() },
            new { id = "p7", keywords = new[] { "video", "\"diffusion model" }, exclude = Array.Empty<string>() },
        });

        var result = await _app.RunAsync("match", "--papers", Corpus.ApiDay("2026-03-11"), "--profiles", profiles, "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("profile p7", result.Stderr);
        Assert.Contains("unbalanced quote at column 1 in keyword 2", result.Stderr);
    }

    [Fact]
    public async Task A_profiles_file_of_the_wrong_shape_is_refused_clearly()
    {
        var profiles = _app.Dir.Write("profiles.json", """[{"id": "p1", "keywords": "diffusion"}]""");

        var result = await _app.RunAsync("match", "--papers", Corpus.ApiDay("2026-03-11"), "--profiles", profiles);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("profile p1: \"keywords\" must be an array of strings", result.Stderr);
    }

    [Fact]
    public async Task A_focused_profile_matches_a_subset_of_the_same_broad_profile_ranked_by_centrality()
    {
        var profiles = Profiles(new object[]
        {
            new { id = "broad", keywords = new[] { "diffusion", "title:quantization" } },
            new { id = "focused", keywords = new[] { "diffusion", "title:quantization" }, focus = "focused" },
            new { id = "said-broad", keywords = new[] { "diffusion", "title:quantization" }, focus = "broad" },
        });

        var rows = (await _app.RunAsync("match", "--papers", Corpus.PapersJson, "--profiles", profiles, "--json")).Json().EnumerateArray().ToList();

        string[] Of(string id) => [.. rows.Where(r => r.GetProperty("profile").GetString() == id).Select(r => r.GetProperty("paper").GetString()!)];
        Assert.Equal(Of("broad"), Of("said-broad"));
        Assert.True(Of("focused").Length > 0 && Of("focused").Length < Of("broad").Length, $"{Of("focused").Length} of {Of("broad").Length}");
        Assert.Subset(Of("broad").ToHashSet(), Of("focused").ToHashSet());
        var once = Assert.Single(MatchingSupport.CorpusPapers, p => p.Id == "9912.00001"); // "diffusion" once, in its abstract
        Assert.Contains(once.Id, Of("broad"));
        Assert.DoesNotContain(once.Id, Of("focused"));
    }

    [Theory]
    [InlineData("""{"id": "p3", "keywords": ["diffusion"], "focus": "narrow"}""", "profile p3: \"focus\" must be \"broad\" or \"focused\" (was \"narrow\")")]
    [InlineData("""{"id": "p3", "keywords": ["diffusion"], "focus": 1}""", "profile p3: \"focus\" must be \"broad\" or \"focused\" (was 1)")]
    [InlineData("""{"id": "p4", "keywords": ["diffusion", "title:video AND venue:cvpr"]}""", "profile p4: unknown qualifier 'venue:' (known: author:, title:, abstract:, category:, source:) at column 17 in keyword 2")]
    [InlineData("""{"id": "p5", "keywords": ["diffusion"], "exclude": ["category:cs/CV"]}""", "profile p5: 'cs/CV' is not a category: write one like cs.CL, or cs for the whole archive at column 10 in exclusion 1")]
    public async Task A_bad_focus_or_qualifier_exits_2_naming_the_profile_and_the_column(string profile, string message)
    {
        var profiles = _app.Dir.Write("profiles.json", $$"""[{"id": "good", "keywords": ["author:Hinton", "source:hf"]}, {{profile}}]""");

        var result = await _app.RunAsync("match", "--papers", Corpus.ApiDay("2026-03-11"), "--profiles", profiles, "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public async Task Exclusions_veto_in_the_command_too()
    {
        var without = Profiles(new object[] { new { id = "p", keywords = new[] { "quantization" }, exclude = Array.Empty<string>() } });
        var all = (await _app.RunAsync("match", "--papers", Corpus.PapersJson, "--profiles", without, "--json")).Json().GetArrayLength();
        var with = Profiles(new object[] { new { id = "p", keywords = new[] { "quantization" }, exclude = new[] { "LLM", "\"language model\"" } } });

        var vetoed = (await _app.RunAsync("match", "--papers", Corpus.PapersJson, "--profiles", with, "--json")).Json().GetArrayLength();

        Assert.True(vetoed < all && vetoed > 0, $"{vetoed} of {all}");
    }
}

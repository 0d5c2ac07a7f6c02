using Newsletter.Matching;
using Newsletter.Sources;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Matching;

/// <summary>Keywords are compiled once and shared by every profile that has them; their cached answers must stay per index.</summary>
public sealed class SharedKeywordTests
{
    private static PaperIndex Day(string day) => PaperIndex.Build(ListingParser.Parse(File.ReadAllText(Corpus.ApiDay(day)), day).Papers);

    [Fact]
    public void Profiles_with_the_same_keywords_share_one_compiled_keyword()
    {
        var a = Profile.Compile("a", ["\"reinforcement learning\"", "LLM"]);
        var b = Profile.Compile("b", ["LLM", "\"reinforcement learning\""]);

        Assert.Same(a.Keywords[0], b.Keywords[1]);
        Assert.Same(a.Keywords[1], b.Keywords[0]);
    }

    [Fact]
    public void Shared_keywords_matched_against_two_days_at_once_give_each_day_its_own_answer()
    {
        var days = new[] { new ProfileMatcher(Day("2026-03-11")), new ProfileMatcher(Day("2026-03-12")) };
        var profiles = Enumerable.Range(0, 40).Select(i => Profile.Compile($"p{i}", i % 2 == 0
            ? ["\"reinforcement learning\"", "LLM", "diffusion NOT survey"]
            : ["diffusion NOT survey", "agent", "quantization"])).ToList();
        var expected = days.Select(d => profiles.Select(p => Ids(d, d.Select(p))).ToList()).ToList();

        var mismatches = 0;
        Parallel.For(0, 4_000, i =>
        {
            var day = i % 2;
            var profile = i / 2 % profiles.Count;
            if (Ids(days[day], days[day].Select(profiles[profile])) != expected[day][profile])
            {
                Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(0, mismatches);
        Assert.NotEqual(expected[0][0], expected[1][0]); // the two days really differ
    }

    private static string Ids(ProfileMatcher matcher, List<PaperMatch> matches) =>
        string.Join(",", matches.Select(m => $"{matcher.Index.Papers[m.Paper].Id}:{m.Score}"));
}

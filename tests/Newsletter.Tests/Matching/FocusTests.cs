using Newsletter.Matching;
using Newsletter.Papers;

namespace Newsletter.Tests.Matching;

/// <summary>Focused profiles keep papers a keyword is central to (title, twice in the abstract, a listing qualifier), ranked by that first.</summary>
public sealed class FocusTests
{
    // "diffusion": in the title (9912.00006), four times in the abstract only (9912.00023), once in the abstract (9912.00001)
    private static readonly Paper[] Papers =
    [
        MatchingSupport.CorpusPaper("9912.00001") with { Authors = ["Wei Zhang"] },
        MatchingSupport.CorpusPaper("9912.00023"),
        MatchingSupport.CorpusPaper("9912.00006") with { Upvotes = 0 },
    ];

    private static readonly ProfileMatcher Matcher = new(PaperIndex.Build(Papers));

    private static string[] Selected(ProfileFocus focus, params string[] keywords) =>
        [.. Matcher.Match(Profile.Compile("p", keywords, focus: focus)).Select(m => Papers[m.Paper].Id)];

    [Fact]
    public void A_paper_mentioning_the_keyword_once_in_its_abstract_is_kept_by_broad_and_dropped_by_focused()
    {
        Assert.Contains("9912.00001", Selected(ProfileFocus.Broad, "diffusion"));
        Assert.DoesNotContain("9912.00001", Selected(ProfileFocus.Focused, "diffusion"));
    }

    [Fact]
    public void Focused_keeps_a_title_hit_and_a_repeated_abstract_hit_and_ranks_the_title_hit_first()
    {
        Assert.Equal(["9912.00006", "9912.00023"], Selected(ProfileFocus.Focused, "diffusion"));
    }

    [Fact]
    public void Focused_ranks_by_centrality_before_the_score()
    {
        // 9912.00023 scores more (five keywords in its abstract, two of them repeated); 9912.00006 has two in its title
        string[] keywords = ["diffusion", "camera", "object counting", "spatial composition", "cross-attention", "L2I"];
        var broad = Matcher.Match(Profile.Compile("p", keywords));
        var focused = Matcher.Match(Profile.Compile("p", keywords, focus: ProfileFocus.Focused));

        Assert.Equal("9912.00023", Papers[broad[0].Paper].Id);
        Assert.Equal("9912.00006", Papers[focused[0].Paper].Id);
        Assert.True(focused[0].Centrality > focused[1].Centrality);
        Assert.True(focused[0].Score < focused[1].Score);
        Assert.All(broad, m => Assert.Equal(0, m.Centrality));
    }

    [Fact]
    public void A_phrase_counts_once_per_occurrence_not_once_per_word_or_form()
    {
        var paper = Paper.Of("2401.00001", "An unrelated title",
            "We study the diffusion model. Fine-tuning helps; fine tuning twice helps more, and finetuning is cheap.");
        var matcher = new ProfileMatcher(PaperIndex.Build([paper]));

        Assert.Equal(1, matcher.AbstractMentions(Profile.Compile("p", ["diffusion model"]).Keywords[0], 0));
        Assert.Equal(3, matcher.AbstractMentions(Profile.Compile("p", ["fine-tuning"]).Keywords[0], 0));
        Assert.Empty(matcher.Match(Profile.Compile("p", ["diffusion model"], focus: ProfileFocus.Focused)));
        Assert.Single(matcher.Match(Profile.Compile("p", ["fine-tuning"], focus: ProfileFocus.Focused)));
    }

    [Fact]
    public void On_a_corpus_paper_a_hyphenated_keyword_twice_in_the_abstract_is_central()
    {
        var papers = new[] { MatchingSupport.CorpusPaper("9912.00005"), MatchingSupport.CorpusPaper("9912.00010") };
        var matcher = new ProfileMatcher(PaperIndex.Build(papers));
        var profile = Profile.Compile("p", ["fine-tuning"], focus: ProfileFocus.Focused);

        Assert.Equal(2, matcher.AbstractMentions(profile.Keywords[0], 0));
        Assert.Equal(["9912.00005"], matcher.Match(profile).Select(m => papers[m.Paper].Id));
    }

    [Fact]
    public void The_terms_of_a_boolean_keyword_add_up_and_an_author_hit_is_central_by_itself()
    {
        // 9912.00001 mentions "diffusion" once and "flow matching" in its title
        Assert.Contains("9912.00001", Selected(ProfileFocus.Focused, "diffusion AND author:Zhang"));
        Assert.Contains("9912.00001", Selected(ProfileFocus.Focused, "author:Zhang"));
        Assert.DoesNotContain("9912.00001", Selected(ProfileFocus.Focused, "abstract:diffusion"));
        Assert.DoesNotContain("9912.00006", Selected(ProfileFocus.Focused, "abstract:diffusion AND NOT abstract:camera"));
    }

    [Fact]
    public void A_title_qualified_keyword_is_central_where_it_matches()
    {
        Assert.Equal(["9912.00006"], Selected(ProfileFocus.Focused, "title:diffusion"));
    }
}

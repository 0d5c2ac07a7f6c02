using Newsletter.Matching;
using Newsletter.Papers;

namespace Newsletter.Tests.Matching;

/// <summary>
/// Qualifiers on real corpus papers. The corpus listing carries no authors or categories (the HF list gives none),
/// so the tests give three of its papers some, as an arXiv listing would.
/// </summary>
public sealed class QualifierMatchingTests
{
    // "diffusion" in the title (9912.00006), four times in the abstract only (9912.00023), once in the abstract (9912.00001)
    private static readonly Paper InTitle = MatchingSupport.CorpusPaper("9912.00006") with
    {
        Authors = ["Joëlle Pineau", "Geoffrey E. Hinton", "Wei Zhang"], Categories = ["cs.CV", "cs.LG"], Sources = ["arxiv"],
    };

    private static readonly Paper InAbstract = MatchingSupport.CorpusPaper("9912.00023") with
    {
        Authors = ["Hao Zhang", "Yee Whye Teh"], Categories = ["cs.CL"], Sources = ["hf", "arxiv"],
    };

    private static readonly Paper OnceInAbstract = MatchingSupport.CorpusPaper("9912.00001") with
    {
        Authors = ["Geoffrey Pineau-Smith"], Categories = ["stat.ML"], Sources = ["hf"],
    };

    private static readonly Paper[] Papers = [InTitle, InAbstract, OnceInAbstract];

    private static readonly ProfileMatcher Matcher = new(PaperIndex.Build(Papers));

    private static string[] Matched(string keyword, params string[] exclusions) =>
        [.. Matcher.Match(Profile.Compile("p", [keyword], exclusions)).Select(m => Papers[m.Paper].Id).Order()];

    [Theory]
    [InlineData("author:Hinton", new[] { "9912.00006" })]
    [InlineData("author:hinton", new[] { "9912.00006" })]
    [InlineData("author:\"Geoffrey Hinton\"", new[] { "9912.00006" })]
    [InlineData("author:\"G. Hinton\"", new[] { "9912.00006" })]
    [InlineData("author:\"Joelle Pineau\"", new[] { "9912.00006" })]
    [InlineData("author:Pineau", new[] { "9912.00006" })]
    [InlineData("author:Zhang", new[] { "9912.00006", "9912.00023" })]
    [InlineData("author:\"Wei Zhang\"", new[] { "9912.00006" })]
    [InlineData("author:\"Hao Zhang\"", new[] { "9912.00023" })]
    [InlineData("author:\"Pineau-Smith\"", new[] { "9912.00001" })]
    [InlineData("author:Teh", new[] { "9912.00023" })]
    public void Author_matches_a_last_name_or_a_full_name_folded_like_the_text(string keyword, string[] expected) =>
        Assert.Equal(expected, Matched(keyword));

    [Theory]
    [InlineData("author:Geoffrey")] // a first name alone is not a last name
    [InlineData("author:Joëlle")]
    [InlineData("author:\"Geoffrey Zhang\"")]
    [InlineData("author:Whye")]
    public void Author_does_not_match_a_first_or_middle_name_alone(string keyword) => Assert.Empty(Matched(keyword));

    [Theory]
    [InlineData("category:cs.CL", new[] { "9912.00023" })]
    [InlineData("category:CS.cl", new[] { "9912.00023" })]
    [InlineData("category:cs", new[] { "9912.00006", "9912.00023" })]
    [InlineData("category:stat", new[] { "9912.00001" })]
    [InlineData("category:cs.C", new string[0])]
    [InlineData("source:hf", new[] { "9912.00001", "9912.00023" })]
    [InlineData("source:ARXIV", new[] { "9912.00006", "9912.00023" })]
    [InlineData("source:rss", new string[0])]
    public void Category_and_source_match_what_the_listing_says(string keyword, string[] expected) =>
        Assert.Equal(expected, Matched(keyword));

    [Fact]
    public void Title_and_abstract_qualifiers_look_only_there()
    {
        Assert.Equal(["9912.00006"], Matched("title:diffusion"));
        Assert.Equal(["9912.00023"], Matched("title:\"layout-to-image\""));
        Assert.Equal(["9912.00001", "9912.00023"], Matched("abstract:diffusion AND NOT title:diffusion"));
        Assert.Equal(["9912.00001", "9912.00006", "9912.00023"], Matched("diffusion"));
    }

    [Fact]
    public void Qualifiers_combine_with_boolean_operators_and_work_in_exclusions()
    {
        Assert.Equal(["9912.00023"], Matched("diffusion AND category:cs AND NOT title:diffusion"));
        Assert.Equal(["9912.00001", "9912.00006"], Matched("diffusion", "category:cs.CL"));
        Assert.Equal(["9912.00006"], Matched("(author:Zhang OR author:Pineau) AND title:diffusion"));
        Assert.Equal(["9912.00023"], Matched("diffusion", "source:hf AND category:stat", "author:Hinton"));
    }

    [Fact]
    public void A_title_qualified_hit_is_highlighted_in_the_title_only()
    {
        var profile = Profile.Compile("p", ["title:diffusion"]);
        var match = Assert.Single(Matcher.Match(profile));

        var why = Matcher.Explain(profile, match);

        Assert.Empty(why.SummarySpans);
        Assert.All(why.TitleSpans, s => Assert.Equal("diffusion", InTitle.Title.Substring(s.Start, s.Length), ignoreCase: true));
        Assert.Equal(["title:diffusion"], why.Keywords);
    }

    [Fact]
    public void An_abstract_qualified_hit_is_highlighted_in_the_abstract_only_and_scores_as_an_abstract_hit()
    {
        var profile = Profile.Compile("p", ["abstract:diffusion"]);
        var match = Assert.Single(Matcher.Match(profile), m => m.Paper == 0);

        var why = Matcher.Explain(profile, match);

        Assert.Empty(why.TitleSpans);
        Assert.Equal(ProfileMatcher.PerKeyword + ProfileMatcher.AbstractHit, match.Score);
    }

    [Fact]
    public void The_why_matched_line_names_the_author_category_or_source_as_listed()
    {
        var profile = Profile.Compile("p", ["author:zhang", "diffusion AND category:cs", "source:hf"]);

        var why = Profile_explained(profile, InAbstract);

        Assert.Equal(["author: Hao Zhang", "diffusion AND category:cs (category: cs.CL)", "source: hf"], why.Keywords);
        Assert.NotEmpty(why.SummarySpans); // the text term is highlighted as before
    }

    private static MatchExplanation Profile_explained(Profile profile, Paper paper) =>
        Matcher.Explain(profile, Matcher.Match(profile).Single(m => Papers[m.Paper].Id == paper.Id));

    [Fact]
    public void A_field_term_under_not_is_neither_named_nor_needed()
    {
        var profile = Profile.Compile("p", ["diffusion AND NOT author:Hinton"]);

        var why = Profile_explained(profile, InAbstract);

        Assert.Equal(["diffusion AND NOT author:Hinton"], why.Keywords);
    }

    [Fact]
    public void Papers_without_authors_categories_or_sources_match_no_such_qualifier()
    {
        var matcher = new ProfileMatcher(PaperIndex.Build([MatchingSupport.CorpusPaper("9912.00006")]));

        Assert.Empty(matcher.Match(Profile.Compile("p", ["author:Hinton", "category:cs", "source:hf"])));
        Assert.Single(matcher.Match(Profile.Compile("p", ["title:diffusion"])));
    }
}

using Newsletter.Matching;

namespace Newsletter.Tests.Matching;

public sealed class QueryParserTests
{
    [Theory]
    [InlineData("diffusion \"video generation", "unbalanced quote", 11)]
    [InlineData("(diffusion OR flow", "'(' is never closed", 1)]
    [InlineData("diffusion OR flow)", "')' has no matching '('", 18)]
    [InlineData("diffusion AND", "'AND' has nothing after it", 11)]
    [InlineData("OR diffusion", "'OR' has nothing before it", 1)]
    [InlineData("diffusion OR", "'OR' has nothing after it", 11)]
    [InlineData("video AND ()", "empty parentheses", 11)]
    [InlineData("\"\" AND video", "empty quotes", 1)]
    [InlineData("NOT survey", "only says what a paper must not contain", 1)]
    public void Syntax_errors_name_the_reason_and_column(string keyword, string reason, int column)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(keyword));

        Assert.Contains(reason, error.Reason);
        Assert.Equal(column, error.Column);
    }

    [Fact]
    public void A_keyword_with_the_noncharacter_U_FFFE_parses() =>
        Assert.Equal("diffusion\uFFFE", Assert.IsType<TermNode>(QueryParser.Parse("diffusion\uFFFE")).Text);

    [Fact]
    public void An_empty_keyword_is_refused() => Assert.Contains("empty", Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse("   ")).Reason);

    [Fact]
    public void Two_hundred_characters_of_punctuation_are_refused() =>
        Assert.Contains("no letters or digits", Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(new string('!', 100) + new string('?', 100))).Reason);

    [Fact]
    public void Ten_thousand_open_parentheses_are_refused_without_descending_into_them() =>
        Assert.Contains("longer than 200", Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(new string('(', 10_000) + "a")).Reason);

    [Fact]
    public void An_overlong_keyword_is_refused() =>
        Assert.Contains("longer than 200", Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(new string('a', 201))).Reason);

    [Fact]
    public void Profile_errors_name_the_keyword_number_column_and_text()
    {
        var error = Assert.Throws<ProfileValidationException>(() => Profile.Compile("p1", ["diffusion", "video", "RL AND \"policy"]));

        Assert.Equal("unbalanced quote at column 8 in keyword 3: \"RL AND \"policy\"", error.Message);
        Assert.Equal(3, error.Index);
        Assert.Equal(8, error.Column);
    }

    [Fact]
    public void Exclusion_errors_say_exclusion() =>
        Assert.StartsWith("'AND' has nothing after it at column 8 in exclusion 1", Assert.Throws<ProfileValidationException>(() => Profile.Compile("p", ["x"], ["survey AND"])).Message);

    [Fact]
    public void Lower_case_operator_words_are_ordinary_words()
    {
        var node = QueryParser.Parse("reasoning and planning");

        Assert.Equal("reasoning and planning", Assert.IsType<TermNode>(node).Text);
    }

    [Fact]
    public void Not_binds_tighter_than_and_which_binds_tighter_than_or()
    {
        var node = QueryParser.Parse("a OR b AND NOT c");

        var or = Assert.IsType<OrNode>(node);
        var and = Assert.IsType<AndNode>(or.Children[1]);
        Assert.IsType<NotNode>(and.Children[1]);
    }
}

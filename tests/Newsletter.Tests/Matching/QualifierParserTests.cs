using Newsletter.Matching;

namespace Newsletter.Tests.Matching;

public sealed class QualifierParserTests
{
    [Theory]
    [InlineData("title:diffusion", TextScope.Title, "diffusion")]
    [InlineData("title:\"graph neural network\"", TextScope.Title, "graph neural network")]
    [InlineData("abstract:fine-tuning", TextScope.Abstract, "fine-tuning")]
    [InlineData("abstract:\u201Cdiffusion model\u201D", TextScope.Abstract, "diffusion model")]
    public void Title_and_abstract_qualify_a_word_or_a_quoted_phrase(string keyword, TextScope scope, string text)
    {
        var term = Assert.IsType<TermNode>(QueryParser.Parse(keyword));

        Assert.Equal(scope, term.Scope);
        Assert.Equal(text, term.Text);
    }

    [Theory]
    [InlineData("author:Hinton", PaperField.Author, "hinton")]
    [InlineData("author:\"Geoffrey Hinton\"", PaperField.Author, "geoffrey hinton")]
    [InlineData("author:\"Joëlle Pineau\"", PaperField.Author, "joelle pineau")]
    [InlineData("category:cs.CL", PaperField.Category, "cs.cl")]
    [InlineData("category:cs", PaperField.Category, "cs")]
    [InlineData("source:hf", PaperField.Source, "hf")]
    public void Author_category_and_source_look_at_the_listing(string keyword, PaperField field, string words)
    {
        var node = Assert.IsType<FieldNode>(QueryParser.Parse(keyword));

        Assert.Equal(field, node.Field);
        Assert.Equal(words, string.Join(' ', node.Words));
    }

    [Fact]
    public void Qualified_terms_combine_with_and_or_not_parentheses_and_phrases()
    {
        var node = QueryParser.Parse("title:\"graph neural network\" AND NOT category:cs.CV");

        var and = Assert.IsType<AndNode>(node);
        Assert.Equal(TextScope.Title, Assert.IsType<TermNode>(and.Children[0]).Scope);
        Assert.Equal(PaperField.Category, Assert.IsType<FieldNode>(Assert.IsType<NotNode>(and.Children[1]).Child).Field);
    }

    [Fact]
    public void A_qualified_term_in_parentheses_or_beside_a_phrase_is_a_term_like_any_other()
    {
        var and = Assert.IsType<AndNode>(QueryParser.Parse("(author:Hinton OR author:\"Yann LeCun\") diffusion model"));

        var or = Assert.IsType<OrNode>(and.Children[0]);
        Assert.All(or.Children, c => Assert.Equal(PaperField.Author, Assert.IsType<FieldNode>(c).Field));
        Assert.Equal("diffusion model", Assert.IsType<TermNode>(and.Children[1]).Text);
        Assert.IsType<FieldNode>(Assert.IsType<AndNode>(QueryParser.Parse("diffusion author:Ho")).Children[1]);
    }

    [Fact]
    public void A_bare_qualified_word_does_not_swallow_the_words_after_it()
    {
        var and = Assert.IsType<AndNode>(QueryParser.Parse("title:diffusion model"));

        Assert.Equal(TextScope.Title, Assert.IsType<TermNode>(and.Children[0]).Scope);
        var model = Assert.IsType<TermNode>(and.Children[1]);
        Assert.Equal(("model", TextScope.Anywhere), (model.Text, model.Scope));
    }

    [Theory]
    [InlineData("BERT: pre-training", "BERT: pre-training")]
    [InlineData("ratio 3:1", "ratio 3:1")]
    [InlineData("note: distillation", "note: distillation")]
    [InlineData("Title:diffusion", "Title:diffusion")]
    [InlineData("http://example.org", "http://example.org")]
    public void Colons_that_are_not_qualifiers_stay_text(string keyword, string text)
    {
        var term = Assert.IsType<TermNode>(QueryParser.Parse(keyword));

        Assert.Equal(text, term.Text);
        Assert.Equal(TextScope.Anywhere, term.Scope);
    }

    [Theory]
    [InlineData("venue:neurips", "unknown qualifier 'venue:' (known: author:, title:, abstract:, category:, source:)", 1)]
    [InlineData("diffusion AND venue:\"ICML\"", "unknown qualifier 'venue:'", 15)]
    [InlineData("title: diffusion", "'title:' has nothing right after it", 1)]
    [InlineData("diffusion OR author:", "'author:' has nothing right after it", 14)]
    [InlineData("title:(a OR b)", "'title:' takes a word or a quoted phrase, not parentheses", 1)]
    [InlineData("title:\"diffusion", "unbalanced quote", 7)]
    [InlineData("abstract:\"  \"", "empty quotes", 10)]
    [InlineData("title:!!!", "'title:' needs letters or digits after it", 7)]
    [InlineData("author:\"...\"", "'author:' needs a name", 9)]
    [InlineData("x AND category:cs/CL", "'cs/CL' is not a category: write one like cs.CL, or cs for the whole archive", 16)]
    [InlineData("source:hf!", "'hf!' is not a source name", 8)]
    [InlineData("NOT author:Hinton", "only says what a paper must not contain", 1)]
    public void Qualifier_errors_name_the_reason_and_column(string keyword, string reason, int column)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(keyword));

        Assert.Contains(reason, error.Reason);
        Assert.Equal(column, error.Column);
    }

    [Fact]
    public void An_unknown_qualifier_in_a_profile_names_the_keyword_and_column()
    {
        var error = Assert.Throws<ProfileValidationException>(() => Profile.Compile("p", ["diffusion"], ["survey", "x OR venue:arxiv"]));

        Assert.StartsWith("unknown qualifier 'venue:' (known: author:, title:, abstract:, category:, source:) at column 6 in exclusion 2", error.Message);
    }

    [Fact]
    public void A_title_and_an_anywhere_term_of_the_same_words_are_different_terms() =>
        Assert.NotEqual(QueryParser.Parse("diffusion"), QueryParser.Parse("title:diffusion"));
}

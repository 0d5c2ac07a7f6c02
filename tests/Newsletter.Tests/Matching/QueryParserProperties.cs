using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Newsletter.Matching;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Matching;

/// <summary>
/// The keyword parser takes whatever a person types into a form, the API or the command line: for any text it
/// must answer with a query or with its own error (shown to that person with a column), never crash the request.
/// </summary>
public sealed class QueryParserProperties
{
    /// <summary>Keywords are short: mostly under the length limit, heavy on the language's own syntax.</summary>
    private static Gen<string> KeywordGen => Gen.Frequency(
        (12, HostileText.Text(maxFragments: 30, veryLong: false)),
        (2, Nesting),
        (1, HostileText.Text()));

    /// <summary>
    /// Deep and unbalanced nesting: as deep as the length limit lets it parse, and 10,000 '(' that must be a clean
    /// error, not a stack overflow.
    /// </summary>
    private static Gen<string> Nesting =>
        from open in Gen.Frequency((2, Gen.Choose(0, 100)), (1, Gen.Choose(0, 10_000)))
        from close in Gen.Frequency((2, Gen.Constant(open)), (1, Gen.Choose(0, open + 2)))
        from core in Gen.Elements("a", "NOT a", "a OR b", "\"a b\"", "", "NOT", "x AND NOT (y)")
        select new string('(', open) + core + new string(')', close);

    private static Arbitrary<string> Keyword => HostileText.Arbitrary(KeywordGen);

    [Property(MaxTest = 2_000)]
    public Property Any_keyword_either_parses_or_fails_with_a_syntax_error() => Prop.ForAll(Keyword, keyword =>
    {
        try
        {
            Assert.NotNull(QueryParser.Parse(keyword));
        }
        catch (QuerySyntaxException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            if (e.Column is { } column)
            {
                Assert.InRange(column, 1, keyword.Length + 1);
            }
        }
    });

    [Property(MaxTest = 300)]
    public Property Any_list_of_keywords_either_compiles_or_fails_naming_the_keyword() => Prop.ForAll(
        HostileText.Arbitrary(KeywordGen).Array(),
        HostileText.Arbitrary(KeywordGen).Array(),
        (keywords, exclusions) =>
        {
            try
            {
                var profile = Profile.Compile("p", keywords, exclusions);
                Assert.Equal(keywords.Length, profile.Keywords.Count);
                Assert.Equal(exclusions.Length, profile.Exclusions.Count);
            }
            catch (ProfileValidationException e)
            {
                Assert.Contains(e.Kind, new[] { "keyword", "exclusion" });
                var list = e.Kind == "keyword" ? keywords : exclusions;
                Assert.InRange(e.Index, 0, Profile.MaxKeywords + 1);
                if (list.Length <= Profile.MaxKeywords && e.Index > 0)
                {
                    Assert.Equal(list[e.Index - 1], e.Keyword);
                }
                if (e.Column is { } column)
                {
                    Assert.InRange(column, 1, e.Keyword.Length + 1);
                }
            }
        });

    [Property(MaxTest = 500)]
    public Property A_keyword_that_parses_compiles_into_a_profile() => Prop.ForAll(Keyword, keyword =>
    {
        QueryNode parsed;
        try
        {
            parsed = QueryParser.Parse(keyword);
        }
        catch (QuerySyntaxException)
        {
            return;
        }
        var profile = Profile.Compile("p", [keyword]);
        Assert.Equal(parsed, profile.Keywords[0].Query, QueryComparer.Instance);
    });

    /// <summary>Structural equality of query trees (records compare lists by reference).</summary>
    private sealed class QueryComparer : IEqualityComparer<QueryNode>
    {
        public static readonly QueryComparer Instance = new();

        public bool Equals(QueryNode? x, QueryNode? y) => (x, y) switch
        {
            (TermNode a, TermNode b) => a.Canonical == b.Canonical,
            (AndNode a, AndNode b) => a.Children.Count == b.Children.Count && a.Children.Zip(b.Children).All(p => Equals(p.First, p.Second)),
            (OrNode a, OrNode b) => a.Children.Count == b.Children.Count && a.Children.Zip(b.Children).All(p => Equals(p.First, p.Second)),
            (NotNode a, NotNode b) => Equals(a.Child, b.Child),
            _ => false,
        };

        public int GetHashCode(QueryNode obj) => 0;
    }
}

using Newsletter.Digests;
using Newsletter.Papers;

namespace Newsletter.Tests.Digests;

/// <summary>Listings often carry no votes at all: "▲ 0 upvotes" on every paper tells the reader nothing.</summary>
public sealed class UpvoteLineTests
{
    private static readonly DateOnly Day = new(2026, 3, 11);

    private static (string Html, string Text) Render(params Paper[] papers)
    {
        var composer = DigestFixtures.Composer();
        return composer.Render(composer.Model(DigestFixtures.Ada, Day, [.. papers.Select(p => new SelectedPaper(p, 1, ["flow"], [], []))]));
    }

    [Fact]
    public void A_paper_without_votes_shows_no_upvote_line()
    {
        var (html, text) = Render(Paper.Of("9912.00001", "Flow Matching in Latent Space", "An abstract."));

        Assert.DoesNotContain("upvote", html);
        Assert.DoesNotContain("▲", html);
        Assert.DoesNotContain("upvote", text);
        Assert.DoesNotContain("▲", text);
        Assert.Contains(">#1</p>", html);
        // no empty line where the upvotes were: the link is followed by what was matched
        Assert.Contains("   https://huggingface.co/papers/9912.00001\n   Matched: flow\n", text.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_paper_without_votes_but_with_authors_shows_the_authors_alone()
    {
        var paper = Paper.Of("9912.00001", "Flow Matching in Latent Space", "An abstract.") with { Authors = ["Ada Lovelace"] };

        var (html, text) = Render(paper);

        Assert.Contains(">#1 · Ada Lovelace</p>", html);
        Assert.Contains("\n   Ada Lovelace\n", text.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("upvote", html + text);
    }

    [Fact]
    public void A_paper_with_votes_shows_them_with_the_right_number()
    {
        var (html, text) = Render(Paper.Of("9912.00001", "Flow Matching", "An abstract.", upvotes: 1), Paper.Of("9912.00002", "Latent Space", "An abstract.", upvotes: 12));

        Assert.Contains(">#1 · ▲ 1 upvote</p>", html);
        Assert.Contains(">#2 · ▲ 12 upvotes</p>", html);
        Assert.Contains("\n   ▲ 1 upvote\n", text.ReplaceLineEndings("\n"));
        Assert.Contains("\n   ▲ 12 upvotes\n", text.ReplaceLineEndings("\n"));
    }
}

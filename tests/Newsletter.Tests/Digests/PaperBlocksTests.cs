using Newsletter.Digests;
using Newsletter.Matching;
using Newsletter.Papers;

namespace Newsletter.Tests.Digests;

public sealed class PaperBlocksTests
{
    private readonly List<string> _rendered = [];

    private DigestPaper Render(int rank, SelectedPaper selected)
    {
        _rendered.Add(selected.Paper.Id);
        return new DigestPaper(rank, selected.Paper.Id, selected.Paper.Title, "https://example.org/" + selected.Paper.Id, selected.Paper.Upvotes,
            "", selected.Matched, "", "", "");
    }

    private static SelectedPaper Selected(string id, string keyword = "agents") =>
        new(new Paper(id, "Title of " + id, "Summary of " + id, 3, null, ["A. Author"], null), 1, [keyword], [new TextSpan(0, 5)], []);

    [Fact]
    public void A_block_asked_for_again_is_rendered_once()
    {
        var blocks = new PaperBlocks(generation: 100);
        var first = blocks.GetOrRender(0, Selected("p1"), Render);
        var second = blocks.GetOrRender(0, Selected("p1"), Render);

        Assert.Same(first, second);
        Assert.Equal(["p1"], _rendered);
        Assert.Equal((1L, 1L), (blocks.Hits, blocks.Misses));
    }

    [Fact]
    public void A_different_match_of_the_same_paper_is_its_own_block()
    {
        var blocks = new PaperBlocks(generation: 100);
        blocks.GetOrRender(0, Selected("p1", "agents"), Render);
        blocks.GetOrRender(0, Selected("p1", "robots"), Render);
        blocks.GetOrRender(3, Selected("p1", "agents"), Render);

        Assert.Equal(["p1", "p1", "p1"], _rendered);
    }

    [Fact]
    public void Blocks_held_never_exceed_two_generations_however_many_come()
    {
        var blocks = new PaperBlocks(generation: 10);
        for (var i = 0; i < 1_000; i++)
        {
            blocks.GetOrRender(0, Selected("p" + i), Render);
            Assert.InRange(blocks.Count, 1, 20);
        }
        Assert.Equal(1_000, _rendered.Count);
    }

    [Fact]
    public void A_block_in_use_stays_while_the_rest_of_its_generation_goes()
    {
        var blocks = new PaperBlocks(generation: 4);
        blocks.GetOrRender(0, Selected("hot"), Render);
        for (var i = 0; i < 100; i++)
        {
            blocks.GetOrRender(0, Selected("rare" + i), Render);
            blocks.GetOrRender(0, Selected("hot"), Render);
        }
        blocks.GetOrRender(0, Selected("rare0"), Render);

        Assert.Single(_rendered, "hot");
        Assert.Equal(2, _rendered.Count(id => id == "rare0")); // gone after two generations, rendered again when it comes back
    }

    [Fact]
    public void Blocks_asked_for_from_many_threads_are_each_rendered_about_once_and_stay_bounded()
    {
        var blocks = new PaperBlocks(generation: 50);
        var renders = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var block = blocks.GetOrRender(0, Selected("p" + (i % 40)), (rank, selected) =>
            {
                Interlocked.Increment(ref renders);
                return new DigestPaper(rank, selected.Paper.Id, "", "", 0, "", [], "", "", "");
            });
            Assert.Equal("p" + (i % 40), block.Id);
        });

        Assert.InRange(renders, 40, 40 * 4); // 40 papers fit in a generation: a race may render one twice, never more than once per thread
        Assert.InRange(blocks.Count, 40, 100);
        Assert.Equal(20_000, blocks.Hits + blocks.Misses);
    }
}

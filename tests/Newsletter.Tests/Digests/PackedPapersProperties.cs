using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Newsletter.Digests;
using Newsletter.Matching;
using Newsletter.Papers;

namespace Newsletter.Tests.Digests;

/// <summary>A digest's papers are stored as one packed text: whatever planning chose reads back the same, in the same order.</summary>
public sealed class PackedPapersProperties
{
    private static Gen<TextSpan[]> Spans => Gen.Choose(0, 100_000).Zip(Gen.Choose(0, 5_000)).Select(p => new TextSpan(p.Item1, p.Item2)).ArrayOf();

    private static Arbitrary<SelectedPaper[]> AnyPapers =>
        (from id in ArbMap.Default.GeneratorFor<NonEmptyString>()
         from score in ArbMap.Default.GeneratorFor<NormalFloat>()
         from matched in ArbMap.Default.GeneratorFor<NonNull<string>>().ArrayOf()
         from title in Spans
         from summary in Spans
         select new SelectedPaper(new Paper(id.Get, "title", "summary", 0, null, [], null), score.Get, [.. matched.Select(m => m.Get)], title, summary))
        .ArrayOf().ToArbitrary();

    [Property(MaxTest = 500)]
    public Property Packed_papers_read_back_unchanged_in_order() => Prop.ForAll(AnyPapers, papers =>
    {
        var back = PackedPapers.Unpack(PackedPapers.Pack(papers));

        Assert.Equal(papers.Select(p => p.Paper.Id), back.Select(p => p.PaperId));
        Assert.Equal(papers.Select(p => p.Score), back.Select(p => p.Score));
        Assert.Equal(papers.Select(p => p.Matched), back.Select(p => p.Matched));
        Assert.Equal(papers.Select(p => p.TitleSpans), back.Select(p => p.TitleSpans));
        Assert.Equal(papers.Select(p => p.SummarySpans), back.Select(p => p.SummarySpans));
    });

    [Property(MaxTest = 200)]
    public Property Erasing_keywords_keeps_every_paper_score_and_span() => Prop.ForAll(AnyPapers, papers =>
    {
        var packed = PackedPapers.Pack(papers);

        var erased = PackedPapers.Unpack(PackedPapers.WithoutKeywords(packed));

        Assert.All(erased, p => Assert.Empty(p.Matched));
        Assert.Equal(PackedPapers.Unpack(packed).Select(p => (p.PaperId, p.Score, p.TitleSpans.Count, p.SummarySpans.Count)),
            erased.Select(p => (p.PaperId, p.Score, p.TitleSpans.Count, p.SummarySpans.Count)));
    });

    [Theory]
    [InlineData("not json")]
    [InlineData("[{\"paper\":\"2403.00001\",\"score\":1,\"matched\":\"rl\",\"title\":[],\"summary\":[]}]")]
    [InlineData("[{\"score\":1,\"matched\":[],\"title\":[],\"summary\":[]}]")]
    [InlineData("[{\"paper\":\"2403.00001\",\"title\":[[1]]}]")]
    [InlineData("[{\"paper\":\"2403.00001\"}")]
    public void A_damaged_list_is_refused_with_a_json_error(string packed) =>
        Assert.ThrowsAny<JsonException>(() => PackedPapers.Unpack(packed));
}

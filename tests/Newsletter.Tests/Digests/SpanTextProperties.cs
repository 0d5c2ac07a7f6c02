using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Newsletter.Digests;
using Newsletter.Matching;

namespace Newsletter.Tests.Digests;

/// <summary>The highlight spans a plan stores are written by hand (the hot path of recording a day): exactly the JSON the reader expects.</summary>
public sealed class SpanTextProperties
{
    private static Arbitrary<TextSpan[]> AnySpans =>
        Gen.Choose(0, 100_000).Zip(Gen.Choose(0, 5_000)).Select(p => new TextSpan(p.Item1, p.Item2)).ArrayOf().ToArbitrary();

    [Property(MaxTest = 1_000)]
    public Property Spans_are_written_as_the_json_serializer_writes_them_and_read_back_unchanged() => Prop.ForAll(AnySpans, spans =>
    {
        var text = DigestPlans.Spans(spans);

        Assert.Equal(JsonSerializer.Serialize(spans.Select(s => new[] { s.Start, s.Length })), text);
        Assert.Equal(spans, DigestPlans.ReadSpans(text));
    });
}

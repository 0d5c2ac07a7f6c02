using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Subscribers;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

/// <summary>
/// Subjects are cut from titles nobody checked: a cut must fit, be a real prefix, and never leave half a character
/// (a lone surrogate shows as garbage, an accent torn from its letter lands on the ellipsis).
/// </summary>
public sealed class ShortTextProperties
{
    // one composer for every case, as in a send: its block cache is keyed by everything a block shows
    private static readonly Lazy<DigestComposer> Composer = new(() => DigestFixtures.Composer());

    private static Arbitrary<string> AnyText => HostileText.Arbitrary(HostileText.Text());

    private static Arbitrary<int> MaxLength => Gen.Frequency((4, Gen.Choose(2, 20)), (4, Gen.Choose(2, 200)), (1, Gen.Choose(2, 50_000))).ToArbitrary();

    [Property(MaxTest = 2_000)]
    public Property A_cut_fits_and_is_the_text_or_a_trimmed_prefix_of_it_with_an_ellipsis() => Prop.ForAll(AnyText, MaxLength, (text, max) =>
    {
        var cut = ShortText.Cut(text, max);

        Assert.True(cut.Length <= max, $"{cut.Length} > {max}");
        if (text.Length <= max)
        {
            Assert.Equal(text, cut);
            return;
        }
        Assert.EndsWith(ShortText.Ellipsis, cut, StringComparison.Ordinal);
        var kept = cut[..^ShortText.Ellipsis.Length];
        Assert.StartsWith(kept, text, StringComparison.Ordinal);
        Assert.Equal(kept.TrimEnd(), kept);
    });

    [Property(MaxTest = 2_000)]
    public Property A_cut_falls_between_two_user_perceived_characters() => Prop.ForAll(AnyText, MaxLength, (text, max) =>
    {
        var cut = ShortText.Cut(text, max);
        if (ReferenceEquals(cut, text) || cut == text)
        {
            return;
        }
        var kept = cut.Length - ShortText.Ellipsis.Length;
        HostileText.Expect(!HostileText.SplitsSurrogatePair(text, kept), () => $"cut at {kept} splits a surrogate pair of {HostileText.Show(text)}");
        HostileText.Expect(HostileText.Boundaries(text).Contains(kept), () => $"cut at {kept} is inside a text element of {HostileText.Show(text)}");
    });

    [Property(MaxTest = 1_000)]
    public Property The_boundary_before_a_place_is_the_one_a_walk_from_the_start_finds() => Prop.ForAll(AnyText, Gen.Choose(0, int.MaxValue).ToArbitrary(), (text, pick) =>
    {
        if (text.Length == 0)
        {
            return;
        }
        var at = pick % (text.Length + 1);
        var walked = HostileText.Boundaries(text).Where(b => b <= at).Max();

        HostileText.Expect(ShortText.BoundaryAtOrBefore(text, at) == walked, () => $"at {at} of {HostileText.Show(text)}: {ShortText.BoundaryAtOrBefore(text, at)}, not {walked}");
    });

    [Property(MaxTest = 300)]
    public Property Any_lead_title_gives_a_one_line_subject_of_bounded_length() => Prop.ForAll(
        AnyText,
        Gen.Choose(1, 12).ToArbitrary(),
        (title, count) =>
        {
            var papers = Enumerable.Range(0, count)
                .Select(i => new SelectedPaper(Paper.Of($"2601.{i:D5}", i == 0 ? title : $"Paper {i}", "An abstract."), 1, ["x"], [], []))
                .ToList();

            var message = Composer.Value.Compose(DigestFixtures.Ada, new DateOnly(2026, 3, 11), papers);

            var subject = Assert.IsType<string>(message.Subject);
            Assert.True(subject.Length <= DigestComposer.SubjectLength, $"subject of {subject.Length} characters: {HostileText.Show(subject)}");
            Assert.DoesNotContain(subject, c => char.IsControl(c) || TypedText.IsBidiControl(c) || c is '\u2028' or '\u2029');
            var head = $"Trending Digest · 11 Mar: {count} {(count == 1 ? "paper" : "papers")}";
            Assert.True(subject == head || subject.StartsWith(head + ": ", StringComparison.Ordinal), $"subject {HostileText.Show(subject)}");
            message.WriteTo(Stream.Null); // and the message can be written out as it will be sent
        });
}

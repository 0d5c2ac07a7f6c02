using Newsletter.Digests;
using Newsletter.Papers;

namespace Newsletter.Tests.Digests;

/// <summary>
/// A phone shows the first 30 or 40 characters of a subject: they must say which list, which day and how much, so
/// the lead title comes last and is the part that gets shortened.
/// </summary>
public sealed class DigestSubjectTests
{
    private static string Subject(DateOnly day, params SelectedPaper[] papers) =>
        DigestFixtures.Composer().Compose(DigestFixtures.Ada, day, papers).Subject ?? "";

    private static SelectedPaper Selected(string title) => new(Paper.Of("9912.00001", title, "An abstract."), 1, ["flow"], [], []);

    [Fact]
    public void The_subject_names_the_list_the_day_and_the_count_before_the_lead_title()
    {
        var selection = DigestFixtures.Selection();

        Assert.Equal("Trending Digest · 11 Mar: 3 papers: Flow Matching in Latent Space", Subject(new DateOnly(2026, 3, 11), [.. selection]));
    }

    [Fact]
    public void A_digest_covering_several_listing_days_names_them_as_a_range()
    {
        var selection = DigestFixtures.Selection();
        string Covering(DateOnly first, DateOnly last) => DigestFixtures.Composer().Compose(DigestFixtures.Ada, last, [.. selection], firstDay: first).Subject ?? "";

        Assert.Equal("Trending Digest · 9–11 Mar: 3 papers: Flow Matching in Latent Space", Covering(new DateOnly(2026, 3, 9), new DateOnly(2026, 3, 11)));
        Assert.Equal("Trending Digest · 28 Feb – 2 Mar: 3 papers: Flow Matching in Latent Space", Covering(new DateOnly(2026, 2, 28), new DateOnly(2026, 3, 2)));
        Assert.Equal("Trending Digest · 11 Mar: 3 papers: Flow Matching in Latent Space", Covering(new DateOnly(2026, 3, 11), new DateOnly(2026, 3, 11)));
    }

    [Fact]
    public void A_one_paper_digest_says_1_paper_and_a_day_has_no_leading_zero()
    {
        Assert.Equal("Trending Digest · 1 Mar: 1 paper: Flow Matching in Latent Space", Subject(new DateOnly(2026, 3, 1), Selected("Flow Matching in Latent Space")));
    }

    [Fact]
    public void A_long_lead_title_is_shortened_on_a_word_so_the_subject_fits_in_78_characters()
    {
        var selection = DigestFixtures.Selection();

        var subject = Subject(new DateOnly(2026, 3, 11), selection[2], selection[0]);

        Assert.Equal("Trending Digest · 11 Mar: 2 papers: Mobile-Agent-v2: Mobile Device Operation…", subject);
        Assert.True(subject.Length <= 78, $"{subject.Length} characters");
    }
}

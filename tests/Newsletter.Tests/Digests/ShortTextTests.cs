using Newsletter.Digests;

namespace Newsletter.Tests.Digests;

public sealed class ShortTextTests
{
    [Fact]
    public void A_title_that_fits_is_kept_whole() => Assert.Equal("Flow Matching", ShortText.Cut("Flow Matching", 13));

    [Fact]
    public void A_long_title_is_cut_after_a_word_with_an_ellipsis() =>
        Assert.Equal("Flow Matching in…", ShortText.Cut("Flow Matching in Latent Space", 18));

    [Fact]
    public void A_cut_that_finds_only_spaces_before_its_last_word_cuts_into_the_word_instead()
    {
        // the word boundary at 5 kept nothing but spaces: the cut used to return "     …"
        Assert.Equal("      abc…", ShortText.Cut("      abcdefghijklmnop", 10));
        Assert.Equal("…", ShortText.Cut(" D ", 2));
    }

    [Fact]
    public void A_cut_never_separates_a_prepended_concatenation_mark_from_what_follows_it()
    {
        // U+0600 and the space after it are one user-perceived character: cutting at the space left half of it
        Assert.Equal("ab…", ShortText.Cut("ab\u0600 cdefghij", 6));
    }
}

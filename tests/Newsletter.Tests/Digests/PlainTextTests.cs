using Newsletter.Digests;

namespace Newsletter.Tests.Digests;

public sealed class PlainTextTests
{
    [Fact]
    public void A_long_line_is_wrapped_on_spaces_and_its_continuations_keep_its_indent()
    {
        var line = "   " + string.Join(' ', Enumerable.Repeat("flow matching", 10));

        Assert.Equal(
            "   flow matching flow matching flow matching flow matching flow matching\n" +
            "   flow matching flow matching flow matching flow matching flow matching",
            PlainText.Wrap(line));
    }

    [Fact]
    public void A_url_longer_than_the_line_goes_on_a_line_of_its_own_unbroken()
    {
        var url = "https://digest.example.org/unsubscribe?token=sub-ada-0001.unsubscribe.1780992000.iQbuXmvX0IGaUBcshbS_0EJPD-CYCvu6";

        Assert.Equal($"Unsubscribe:\n{url}\nand more words", PlainText.Wrap($"Unsubscribe: {url} and more words"));
    }

    [Fact]
    public void Continuations_of_a_numbered_line_line_up_after_its_number()
    {
        var title = "3. Mobile-Agent-v2: Mobile Device Operation Assistant with Effective Navigation via Multi-Agent Collaboration";

        Assert.Equal(
            "3. Mobile-Agent-v2: Mobile Device Operation Assistant with Effective\n" +
            "   Navigation via Multi-Agent Collaboration",
            PlainText.Wrap(title));
    }

    [Fact]
    public void Text_whose_lines_fit_is_returned_as_it_is_trailing_spaces_and_all()
    {
        var text = "Short lines\n\n-- \nstay as they are, and so does a link too long for any line:\n   https://example.org/" + new string('x', 100) + "\n";

        Assert.Same(text, PlainText.Wrap(text));
    }

    [Fact]
    public void Wide_characters_take_two_columns_and_marks_none()
    {
        Assert.Equal(4, Columns.Of("中文"));
        Assert.Equal(1, Columns.Of("e\u0301"));
        Assert.Equal(2, Columns.Of("\U0001F600"));
        // 72 columns in 36 characters: one more word of two does not fit
        Assert.Equal(string.Concat(Enumerable.Repeat("中文", 18)) + "\n中文 中文", PlainText.Wrap(string.Concat(Enumerable.Repeat("中文", 18)) + " 中文 中文"));
    }

    [Fact]
    public void A_line_holding_the_exception_is_left_for_later_and_the_others_are_wrapped()
    {
        var title = "\uE000. Mobile-Agent-v2: Mobile Device Operation Assistant with Effective Navigation via Multi-Agent Collaboration";
        var excerpt = "   " + string.Join(' ', Enumerable.Repeat("flow matching", 10));

        var wrapped = PlainText.Wrap(title + "\n" + excerpt, except: "\uE000");

        Assert.Equal(title + "\n" + PlainText.Wrap(excerpt), wrapped);
    }
}

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Newsletter.Digests;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

/// <summary>
/// Wrapping runs over every text part, paper text included: it may only move line breaks, never lose, reorder or
/// split a word (a URL), and what it leaves must fit unless a single word is too long for any line.
/// </summary>
public sealed class PlainTextProperties
{
    /// <summary>Lines of words from short to URL-long, indented or not, mixed with text nobody checked.</summary>
    private static Arbitrary<string> Texts => HostileText.Arbitrary(Gen.Frequency(
        (3, HostileText.Text()),
        (4, from lines in (
                from indent in Gen.Elements("", "", "   ", "3. ", "12. ", "  - ")
                from words in Gen.Frequency((6, Gen.Elements("flow", "matching", "a", "中文中文", "e\u0301", "\U0001F600", "--", "")),
                    (1, Gen.Choose(20, 140).Select(n => "https://example.org/" + new string('x', n)))).ArrayOf()
                from separator in Gen.Elements(" ", " ", "  ")
                select indent + string.Join(separator, words)).ArrayOf()
            select string.Join('\n', lines))));

    private static IEnumerable<string> Words(string text) => text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);

    [Property(MaxTest = 1_000)]
    public Property Wrapping_keeps_every_word_whole_and_in_order() => Prop.ForAll(Texts, text =>
    {
        var wrapped = PlainText.Wrap(text);

        HostileText.Expect(Words(text).SequenceEqual(Words(wrapped)), () => $"words changed: '{HostileText.Show(text)}' became '{HostileText.Show(wrapped)}'");
    });

    [Property(MaxTest = 1_000)]
    public Property A_line_fits_in_the_width_or_holds_a_single_word() => Prop.ForAll(Texts, text =>
    {
        foreach (var line in PlainText.Wrap(text).Split('\n'))
        {
            HostileText.Expect(Columns.Of(line) <= PlainText.Width || !line.Trim(' ').Contains(' '),
                () => $"{Columns.Of(line)} columns in '{HostileText.Show(line)}' of '{HostileText.Show(text)}'");
        }
    });

    [Property(MaxTest = 1_000)]
    public Property Lines_that_fit_or_cannot_break_are_kept_as_they_are_and_wrapping_twice_changes_nothing() => Prop.ForAll(Texts, text =>
    {
        var wrapped = PlainText.Wrap(text);

        Assert.Equal(wrapped, PlainText.Wrap(wrapped));
        if (text.Split('\n').All(line => Columns.Of(line) <= PlainText.Width || !line.TrimStart(' ').Contains(' ')))
        {
            Assert.Same(text, wrapped);
        }
    });

    [Property(MaxTest = 1_000)]
    public Property The_vectorised_pass_finds_the_lines_the_line_by_line_pass_finds() => Prop.ForAll(Texts, text =>
    {
        // a wide character on the first line sends Wrap through every line one by one
        const string wide = "中\n";

        var fast = PlainText.Wrap(text);
        var byLine = PlainText.Wrap(wide + text);

        HostileText.Expect(wide + fast == byLine, () => $"'{HostileText.Show(fast)}' against '{HostileText.Show(byLine)}'");
    });
}

using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Newsletter.Digests;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

/// <summary>
/// Highlighting puts paper text into the HTML part of every digest, with spans read back from the database (which
/// may belong to another version of the text): the text must come through unchanged and unable to become markup,
/// and an excerpt must be a real piece of the abstract whatever the spans say.
/// </summary>
public sealed class HighlighterProperties
{
    /// <summary>Text with spans: mostly inside it, some running past either end, empty or negative.</summary>
    private static Gen<(string Text, TextSpan[] Spans)> Highlighted(bool loneSurrogates) =>
        from text in HostileText.Text(loneSurrogates)
        from spans in (
            from start in Gen.Frequency((8, Gen.Choose(0, Math.Max(0, text.Length - 1))), (1, Gen.Choose(-20, text.Length + 20)))
            from length in Gen.Frequency((8, Gen.Choose(1, 40)), (1, Gen.Choose(-5, text.Length + 5)))
            select new TextSpan(start, length)).ArrayOf()
        select (text, spans);

    [Property(MaxTest = 1_000)]
    public Property Highlighted_html_without_its_marks_decodes_to_the_original_text() => Prop.ForAll(Highlighted(loneSurrogates: false).ToArbitrary(), c =>
    {
        var html = Highlighter.Html(c.Text, c.Spans);

        Assert.Equal(c.Text, WebUtility.HtmlDecode(html.Replace("<mark>", "").Replace("</mark>", "")));
        Assert.DoesNotContain('<', html.Replace("<mark>", "").Replace("</mark>", ""));
        AssertMarksAlternate(html);
    });

    [Property(MaxTest = 1_000)]
    public Property Highlighting_never_fails_and_its_marks_never_nest() => Prop.ForAll(Highlighted(loneSurrogates: true).ToArbitrary(), c =>
    {
        var html = Highlighter.Html(c.Text, c.Spans);

        Assert.DoesNotContain('<', html.Replace("<mark>", "").Replace("</mark>", ""));
        AssertMarksAlternate(html);
    });

    [Property(MaxTest = 1_000)]
    public Property An_excerpt_is_a_piece_of_the_text_with_its_spans_inside_it() => Prop.ForAll(
        Highlighted(loneSurrogates: true).ToArbitrary(),
        Gen.Frequency((3, Gen.Choose(10, 60)), (2, Gen.Choose(10, 400)), (1, Gen.Choose(10, 50_000))).ToArbitrary(),
        (c, maxLength) =>
        {
            var (excerpt, spans) = Highlighter.Excerpt(c.Text, c.Spans, maxLength);

            Assert.All(spans, s => HostileText.Expect(s.Start >= 0 && s.Length > 0 && s.End <= excerpt.Length,
                () => $"span [{s.Start}, {s.End}) outside the excerpt '{HostileText.Show(excerpt)}'"));
            if (c.Text.Length <= maxLength)
            {
                Assert.Equal(c.Text, excerpt);
                return;
            }
            // the ellipses are the excerpt's own unless the abstract itself has one there: either reading may hold
            HostileText.Expect(Cores(excerpt).Any(core => core.Length > 0 && c.Text.Contains(core, StringComparison.Ordinal)),
                () => $"'{HostileText.Show(excerpt)}' is not a piece of '{HostileText.Show(c.Text)}'");
        });

    private static IEnumerable<string> Cores(string excerpt)
    {
        var e = ShortText.Ellipsis;
        yield return excerpt;
        if (excerpt.StartsWith(e, StringComparison.Ordinal))
        {
            yield return excerpt[e.Length..];
        }
        if (excerpt.EndsWith(e, StringComparison.Ordinal))
        {
            yield return excerpt[..^e.Length];
        }
        if (excerpt.Length >= 2 * e.Length && excerpt.StartsWith(e, StringComparison.Ordinal) && excerpt.EndsWith(e, StringComparison.Ordinal))
        {
            yield return excerpt[e.Length..^e.Length];
        }
    }

    private static void AssertMarksAlternate(string html)
    {
        var open = false;
        for (var at = html.IndexOf('<'); at >= 0; at = html.IndexOf('<', at + 1))
        {
            var tag = html.AsSpan(at).StartsWith("<mark>") ? true : html.AsSpan(at).StartsWith("</mark>") ? false : (bool?)null;
            HostileText.Expect(tag is { } t && t != open, () => $"mark tags out of order in {HostileText.Show(html)}");
            open = !open;
        }
        Assert.False(open, "a <mark> is never closed");
    }
}

using System.Runtime.CompilerServices;
using MimeKit;
using Newsletter.Matching;
using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

public sealed class DigestRenderingTests
{
    private static string GoldenPath(string name) => Path.Combine(Corpus.RepoRoot, "tests", "Newsletter.Tests", "Digests", "Golden", name);

    /// <summary>Compares with the checked-in file; UPDATE_GOLDEN=1 rewrites it (then review the diff).</summary>
    private static void AssertGolden(string name, string actual)
    {
        var path = GoldenPath(name);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }
        Assert.True(File.Exists(path), $"golden file {name} is missing; run the tests once with UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_paper_block_reused_by_later_digests_shows_each_digests_own_rank_and_the_same_golden_text()
    {
        var composer = DigestFixtures.Composer();
        var selection = DigestFixtures.Selection();
        var day = new DateOnly(2026, 3, 11);
        composer.Render(composer.Model(DigestFixtures.Ada, day, [selection[2], selection[0]])); // blocks first rendered at other ranks

        var (_, reversed) = composer.Render(composer.Model(DigestFixtures.Ada, day, [selection[1], selection[2], selection[0]]));
        var (html, text) = composer.Render(composer.Model(DigestFixtures.Ada, day, selection));

        Assert.Contains("1. <script>alert(1)</script>", reversed);
        Assert.Contains("3. Flow Matching in Latent Space", reversed);
        Assert.DoesNotContain(TemplateSet.RankMark, reversed + html + text);
        AssertGolden("digest.txt", text);
        AssertGolden("digest.html", html);
        Assert.True(composer.BlockReuse.Hits > 0);
    }

    [Fact]
    public void A_digest_covering_several_listing_days_names_the_range_in_its_header_and_the_single_day_one_stays_as_it_was()
    {
        var composer = DigestFixtures.Composer();
        var model = composer.Model(DigestFixtures.Ada, new DateOnly(2026, 3, 11), DigestFixtures.Selection()) with { FirstDate = new DateOnly(2026, 3, 9) };

        var (html, text) = composer.Render(model);

        Assert.Contains("9–11 March 2026", html);
        AssertGolden("digest-range.txt", text);
        Assert.Equal("9–11 March 2026", model.DateText);
        Assert.Equal("28 February – 2 March 2026", (model with { Date = new DateOnly(2026, 3, 2), FirstDate = new DateOnly(2026, 2, 28) }).DateText);
        Assert.Equal("29 December 2025 – 2 January 2026", (model with { Date = new DateOnly(2026, 1, 2), FirstDate = new DateOnly(2025, 12, 29) }).DateText);
        Assert.Equal("Wednesday, 11 March 2026", (model with { FirstDate = null }).DateText);
    }

    [Fact]
    public void A_paper_template_that_computes_with_the_rank_gets_a_block_per_rank()
    {
        using var dir = new TempDirectory();
        DigestFixtures.CopyTemplatesTo(dir.Path);
        File.WriteAllText(dir.File("digest-paper.sbntxt"), "{{ paper.rank * 10 }}) {{ paper.title }}");
        var composer = DigestFixtures.Composer(dir.Path);
        var selection = DigestFixtures.Selection();
        var day = new DateOnly(2026, 3, 11);

        var (_, first) = composer.Render(composer.Model(DigestFixtures.Ada, day, selection));
        var (_, second) = composer.Render(composer.Model(DigestFixtures.Ada, day, [selection[2], selection[0]]));

        Assert.Contains("10) Flow Matching in Latent Space", first);
        Assert.Contains("30) Mobile-Agent-v2", first);
        Assert.Contains("10) Mobile-Agent-v2", second);
        Assert.Contains("20) Flow Matching in Latent Space", second);
    }

    [Fact]
    public void A_composed_message_is_not_kept_alive_by_the_composer_once_sent()
    {
        var composer = DigestFixtures.Composer();
        var selection = DigestFixtures.Selection();

        var composed = ComposeAndForget(composer, selection);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(composed.IsAlive, "the composer (or something it shares between messages) still references a message it composed");
        GC.KeepAlive(composer);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ComposeAndForget(DigestComposer composer, IReadOnlyList<SelectedPaper> selection) =>
        new(composer.Compose(DigestFixtures.Ada, new DateOnly(2026, 3, 11), selection));

    [Fact]
    public void Html_digest_matches_the_golden_file()
    {
        var composer = DigestFixtures.Composer();
        var (html, _) = composer.Render(composer.Model(DigestFixtures.Ada, new DateOnly(2026, 3, 11), DigestFixtures.Selection()));

        AssertGolden("digest.html", html);
    }

    [Fact]
    public void Text_digest_matches_the_golden_file()
    {
        var composer = DigestFixtures.Composer();
        var (_, text) = composer.Render(composer.Model(DigestFixtures.Ada, new DateOnly(2026, 3, 11), DigestFixtures.Selection()));

        AssertGolden("digest.txt", text);
    }

    [Fact]
    public void A_hostile_title_shows_as_text_in_the_html_part()
    {
        var composer = DigestFixtures.Composer();
        var (html, text) = composer.Render(composer.Model(DigestFixtures.Ada, new DateOnly(2026, 3, 11), DigestFixtures.Selection()));

        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<b>markup</b>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Friends&quot;: Robust <mark>Flow Matching</mark>", html);
        Assert.Contains("<script>alert(1)</script> & \"Friends\": Robust Flow Matching", text);
    }

    [Fact]
    public void Matched_terms_are_marked_in_title_and_excerpt()
    {
        var composer = DigestFixtures.Composer();
        var (html, _) = composer.Render(composer.Model(DigestFixtures.Ada, new DateOnly(2026, 3, 11), DigestFixtures.Selection()));

        Assert.Contains("><mark>Flow Matching</mark> in Latent Space</a>", html);
        Assert.Contains("<mark>Flow matching</mark> is a recent framework", html);
        Assert.Contains("Mobile Device Operation Assistant with Effective Navigation via <mark>Multi-Agent</mark> Collaboration", html);
    }

    [Fact]
    public void Digest_message_has_both_parts_and_the_bulk_mail_headers()
    {
        var message = DigestFixtures.Composer().Compose(DigestFixtures.Ada, new DateOnly(2026, 3, 11), DigestFixtures.Selection());

        var body = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal(["text/plain", "text/html"], body.Select(p => p.ContentType.MimeType));
        Assert.Equal("digest.20260311.0.sub-ada-0001@example.org", message.MessageId);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Matches(@"^<https://digest\.example\.org/unsubscribe\?token=sub-ada-0001\.unsubscribe\.\d+\.[A-Za-z0-9_-]+>, <mailto:digest@example\.org\?subject=unsubscribe%20", message.Headers["List-Unsubscribe"]);
        Assert.Equal("bulk", message.Headers["Precedence"]);
        Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
        Assert.Equal("\"Trending Digest\" <digest@example.org>", message.From.ToString());
        Assert.Equal("ada@example.org", Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal("Ada", message.To.Mailboxes.Single().Name);
        Assert.Equal("Trending Digest · 11 Mar: 3 papers: Flow Matching in Latent Space", message.Subject);
    }

    [Fact]
    public void Message_id_is_the_same_for_the_same_subscriber_day_and_sequence_and_differs_for_a_resend()
    {
        var composer = DigestFixtures.Composer();
        var first = composer.Compose(DigestFixtures.Ada, new DateOnly(2026, 3, 11), DigestFixtures.Selection());
        var again = composer.Compose(DigestFixtures.Ada, new DateOnly(2026, 3, 11), DigestFixtures.Selection());
        var resend = composer.Compose(DigestFixtures.Ada, new DateOnly(2026, 3, 11), DigestFixtures.Selection(), sequence: 1);

        Assert.Equal(first.MessageId, again.MessageId);
        Assert.NotEqual(first.MessageId, resend.MessageId);
    }

    [Fact]
    public void A_long_abstract_is_cut_to_an_excerpt_around_the_first_match_at_word_boundaries()
    {
        var text = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"word{i}"));
        var at = text.IndexOf("word150", StringComparison.Ordinal);

        var (excerpt, spans) = Highlighter.Excerpt(text, [new TextSpan(at, 7)], maxLength: 120);

        Assert.StartsWith("…word", excerpt);
        Assert.EndsWith("…", excerpt);
        Assert.True(excerpt.Length <= 122);
        Assert.Equal("word150", excerpt.Substring(Assert.Single(spans).Start, 7));
    }

    [Fact]
    public void A_stored_span_that_splits_a_surrogate_pair_marks_the_whole_character()
    {
        // "a 😀 b" with a span from the emoji's second half: each half used to be encoded alone, as U+FFFD
        Assert.Equal("a <mark>&#128512; b</mark>", Highlighter.Html("a \U0001F600 b", [new TextSpan(3, 3)]));
        Assert.Equal("<mark>a &#128512;</mark> b", Highlighter.Html("a \U0001F600 b", [new TextSpan(0, 3)]));
    }

    [Fact]
    public void A_title_with_line_breaks_controls_and_bidi_overrides_gives_a_one_line_subject()
    {
        var paper = Paper.Of("9912.00001", "Flow\r\nMatching\u2029in \u202ELatent\u0007 Space", "An abstract.");

        var message = DigestFixtures.Composer().Compose(DigestFixtures.Ada, new DateOnly(2026, 3, 11), [new SelectedPaper(paper, 1, ["flow"], [], [])]);

        Assert.Equal("Trending Digest · 11 Mar: 1 paper: Flow Matching in Latent Space", message.Subject);
    }

    [Fact]
    public void Overlapping_spans_are_marked_once()
    {
        Assert.Equal("a <mark>b c d</mark> e &amp;", Highlighter.Html("a b c d e &", [new TextSpan(2, 3), new TextSpan(4, 3)]));
    }
}

using MimeKit;
using Newsletter.Digests;
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
        Assert.Equal("Flow Matching in Latent Space and 2 more · Trending Digest, 11 Mar 2026", message.Subject);
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
    public void Overlapping_spans_are_marked_once()
    {
        Assert.Equal("a <mark>b c d</mark> e &amp;", Highlighter.Html("a b c d e &", [new TextSpan(2, 3), new TextSpan(4, 3)]));
    }
}

using Newsletter.Digests;
using Newsletter.Matching;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

/// <summary>
/// A digest's pages are rendered with placeholders and its numbered paper blocks written in where they stand; what
/// comes out must be what rendering the whole page with every block at its rank gives.
/// </summary>
public sealed class BlocksWrittenInTests
{
    private static readonly DateOnly Day = new(2026, 3, 11);

    /// <summary>The same digest with its papers' parts written out, which the composer renders the whole way.</summary>
    private static DigestModel WrittenOut(DigestModel model) => model with { Papers = [.. model.Papers.Select(p => p with { })] };

    /// <summary>The shipped templates, but for blocks that compute with the rank (adding nothing): rendered by rank, the whole way, by the template engine.</summary>
    private static TempDirectory RankedByTheEngine()
    {
        var dir = CopyOfTheTemplates();
        foreach (var name in new[] { TemplateSet.PaperHtml, TemplateSet.PaperText })
        {
            var template = File.ReadAllText(dir.File(name));
            Assert.Contains("{{ paper.rank }}", template);
            File.WriteAllText(dir.File(name), template.Replace("{{ paper.rank }}", "{{ paper.rank + 0 }}", StringComparison.Ordinal));
        }
        return dir;
    }

    private static TempDirectory CopyOfTheTemplates()
    {
        var dir = new TempDirectory();
        DigestFixtures.CopyTemplatesTo(dir.Path);
        return dir;
    }

    [Fact]
    public void Every_digest_of_a_real_day_written_in_is_the_same_as_rendered_whole_by_the_engine()
    {
        using var ranked = RankedByTheEngine();
        var composer = DigestFixtures.Composer();
        var engine = DigestFixtures.Composer(ranked.Path);
        var papers = DigestFixtures.CorpusDay("2026-03-11");
        var selections = papers.Select(p => new SelectedPaper(p, 1, ["model"], [], [])).ToList();
        Assert.True(papers.Count >= 12, "the day should give digests of ten papers and more, so that ranks widen");
        Assert.True(new TemplateSet(DigestFixtures.ShippedTemplates).BlocksWriteIn, "the shipped templates should have their blocks written in");
        Assert.False(new TemplateSet(ranked.Path).RankIsPlainText);

        // every paper at several ranks, two digits among them: the rank's width changes where a long title wraps
        for (var start = 0; start < selections.Count; start += 5)
        {
            var digest = Enumerable.Range(0, 12).Select(i => selections[(start + i) % selections.Count]).ToList();
            var model = composer.Model(DigestFixtures.Ada, Day, digest);

            var byEngine = engine.Model(DigestFixtures.Ada, Day, digest);
            var written = composer.Render(model);

            Assert.Equal(engine.Render(byEngine), written);
            Assert.Equal(byEngine.Papers.Select(p => (p.Html, p.Text)), model.Papers.Select(p => (p.Html, p.Text))); // each block as read on its own
            Assert.Equal(written, composer.Render(WrittenOut(model)));
            Assert.Contains("\n12. ", written.Text);
        }
    }

    [Fact]
    public void A_digest_composed_from_its_written_pages_goes_out_byte_for_byte_as_one_rendered_whole()
    {
        // the composer makes the parts' bytes from the buffer the pages were written in; the engine's from strings
        using var ranked = RankedByTheEngine();
        var composer = DigestFixtures.Composer();
        var engine = DigestFixtures.Composer(ranked.Path);
        var selections = DigestFixtures.CorpusDay("2026-03-11").Select(p => new SelectedPaper(p, 1, ["model"], [], [])).ToList();
        // a name long enough that the page's greeting must be wrapped, and one that is not there at all
        var recipients = new[] { DigestFixtures.Ada, DigestFixtures.Ada with { Name = "Ada " + string.Join(' ', Enumerable.Repeat("Augusta King Lovelace", 5)) }, DigestFixtures.Ada with { Name = null } };

        foreach (var recipient in recipients)
        {
            for (var count = 1; count <= 12; count += 11)
            {
                var digest = selections.Take(count).ToList();
                var written = Wire(composer.Compose(recipient, Day, digest));

                Assert.Equal(Wire(engine.Compose(recipient, Day, digest)), written);
                Assert.Contains("\r\n--=20\r\n", written); // the signature separator, quoted-printable
                Assert.DoesNotContain("\uFFFD", written);
            }
        }
    }

    /// <summary>The message as it goes out, the boundary fixed (MimeKit makes a new one for every message).</summary>
    private static string Wire(MimeKit.MimeMessage message)
    {
        ((MimeKit.Multipart)message.Body!).Boundary = "=-boundary";
        var options = MimeKit.FormatOptions.Default.Clone();
        options.NewLineFormat = MimeKit.NewLineFormat.Dos;
        using var output = new MemoryStream();
        message.Prepare(MimeKit.EncodingConstraint.EightBit, 998);
        message.WriteTo(options, output);
        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public void A_name_holding_a_placeholder_character_leaves_every_block_in_its_place()
    {
        var composer = DigestFixtures.Composer();
        var selection = DigestFixtures.Selection();
        var recipient = DigestFixtures.Ada with { Name = "Ada \uE001\uE002\uE000 Lovelace" };
        var model = composer.Model(recipient, Day, selection);

        var (html, text) = composer.Render(model);

        Assert.Equal(composer.Render(WrittenOut(model)), (html, text));
        Assert.Contains("1. Flow Matching in Latent Space", text);
        Assert.Contains("3. Mobile-Agent-v2", text);
    }

    [Theory]
    [InlineData("{{ paper.rank }}: {{ paper.text }}", "1: 1. Flow Matching in Latent Space")]
    [InlineData("{{ paper.text }}\n{{ paper.text }}", "3. Mobile-Agent-v2")]
    [InlineData("{{ if paper.rank > 2 }}and last:\n{{ end }}{{ paper.text }}", "and last:\n3. Mobile-Agent-v2")]
    [InlineData("{{ paper.rank * 10 }}) {{ paper.title }}", "30) Mobile-Agent-v2")]
    [InlineData("{{ for i in 1..paper.rank }}*{{ end }} {{ paper.text }}", "*** 3. Mobile-Agent-v2")]
    public void A_page_template_that_does_more_with_a_block_than_print_it_once_gets_the_whole_page_rendered(string loopBody, string expected)
    {
        using var dir = CopyOfTheTemplates();
        var page = File.ReadAllText(dir.File(TemplateSet.DigestText));
        Assert.Contains("{{ paper.text }}", page);
        File.WriteAllText(dir.File(TemplateSet.DigestText), page.Replace("{{ paper.text }}", loopBody, StringComparison.Ordinal));
        var composer = DigestFixtures.Composer(dir.Path);

        var (_, text) = composer.Render(composer.Model(DigestFixtures.Ada, Day, DigestFixtures.Selection()));

        Assert.False(new TemplateSet(dir.Path).BlocksWriteIn);
        Assert.Contains(expected, text);
        Assert.DoesNotContain(TemplateSet.RankMark, text);
        Assert.DoesNotContain("\uE002", text);
    }
}

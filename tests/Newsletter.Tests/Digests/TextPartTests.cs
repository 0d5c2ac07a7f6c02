using System.Text;
using MimeKit;
using Newsletter.Digests;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

/// <summary>The plain-text part as a mail program that shows it as it is (in a fixed-width font) presents it.</summary>
public sealed class TextPartTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly DateOnly Day = new(2026, 3, 11);

    [Fact]
    public void The_text_part_is_wrapped_at_76_columns_without_breaking_urls()
    {
        var composer = DigestFixtures.Composer();
        var model = composer.Model(DigestFixtures.Ada, Day, DigestFixtures.Selection());

        var (_, text) = composer.Render(model);

        var lines = text.ReplaceLineEndings("\n").Split('\n');
        Assert.All(lines, line => Assert.True(Columns.Of(line) <= PlainText.Width || !line.Trim().Contains(' '), $"{Columns.Of(line)} columns: '{line}'"));
        Assert.All(model.Papers.Select(p => p.Url).Append(model.PreferencesUrl).Append(model.UnsubscribeUrl),
            url => Assert.Contains(lines, line => line.Trim() == url || line.EndsWith(" " + url, StringComparison.Ordinal)));
        // prose is filled, not broken early: the excerpt's lines reach past 60 columns
        Assert.Contains(lines, line => line.StartsWith("   Flow matching is", StringComparison.Ordinal) && Columns.Of(line) > 60);
    }

    [Fact]
    public void A_title_of_a_paper_ranked_10_or_more_still_fits()
    {
        var composer = DigestFixtures.Composer();
        var flow = DigestFixtures.Selection()[2];
        var papers = Enumerable.Range(0, 12).Select(i => flow with { Paper = flow.Paper with { Id = $"9912.{i:D5}" } }).ToList();

        var (_, text) = composer.Render(composer.Model(DigestFixtures.Ada, Day, papers));

        // continuations line up with the title, after the number
        Assert.Contains("12. Mobile-Agent-v2: Mobile Device Operation Assistant with Effective\n    Navigation", text.ReplaceLineEndings("\n"));
        Assert.All(text.ReplaceLineEndings("\n").Split('\n'), line => Assert.True(Columns.Of(line) <= PlainText.Width || !line.Trim().Contains(' '), line));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(EncodingConstraint.SevenBit)]
    [InlineData(EncodingConstraint.EightBit)]
    public void The_signature_separator_keeps_its_trailing_space_on_the_wire(EncodingConstraint? constraint)
    {
        var message = DigestFixtures.Composer().Compose(DigestFixtures.Ada, Day, DigestFixtures.Selection());
        if (constraint is { } c)
        {
            message.Prepare(c); // what MailKit's SMTP client does before sending; the pickup folder writes it as it is
        }
        using var wire = new MemoryStream();
        message.WriteTo(FormatOptions.Default, wire);

        var raw = Encoding.UTF8.GetString(wire.ToArray());
        var received = MimeMessage.Load(new MemoryStream(wire.ToArray()));

        Assert.Contains("\n-- \n", (received.TextBody ?? "").ReplaceLineEndings("\n"));
        // quoted-printable writes the space as =20: a relay that trims trailing spaces cannot take it
        Assert.Contains("\n--=20\n", raw.ReplaceLineEndings("\n"));
        Assert.Equal(ContentEncoding.QuotedPrintable, ((TextPart)received.BodyParts.First()).ContentTransferEncoding);
    }

    [Fact]
    public void A_signature_separator_without_its_space_is_refused_at_start_up()
    {
        DigestFixtures.CopyTemplatesTo(_dir.Path);
        var template = File.ReadAllText(_dir.File("digest.sbntxt"));
        File.WriteAllText(_dir.File("digest.sbntxt"), template.Replace("\n-- \n", "\n--\n", StringComparison.Ordinal));

        var error = Assert.Throws<TemplateException>(() => new TemplateSet(_dir.Path));

        Assert.Contains("signature separator \"--\" without its trailing space", error.Message);
    }
}

using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

/// <summary>A message written to the pickup folder is a complete, valid message for whatever relay picks it up later.</summary>
public sealed class PickupFolderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_digest_with_non_ascii_text_is_written_in_seven_bits_with_its_transfer_encoding_named()
    {
        const string Html = "<p>Café au lait — naïve Bayes, Schrödinger’s “cat”</p>";
        const string Text = "Café au lait — naïve Bayes, Schrödinger’s “cat”";
        var transport = new PickupFolderTransport(Options.Create(new SmtpOptions { PickupFolder = "outbox" }), new NewsletterHome(_dir.Path, ""), TimeProvider.System);
        var message = new MimeMessage { Subject = "Trending papers — 11 March", Date = new DateTimeOffset(2026, 3, 11, 8, 0, 0, TimeSpan.Zero), MessageId = "digest.1@papers.example.org" };
        message.From.Add(MailboxAddress.Parse("digest@papers.example.org"));
        message.To.Add(MailboxAddress.Parse("ada@example.org"));
        // the parts as the composer makes them: the text part's encoding chosen, the HTML part's left to the writer
        message.Body = new MultipartAlternative
        {
            new PreparedTextPart("plain", Text, ContentEncoding.QuotedPrintable),
            new PreparedTextPart("html", Html),
        };
        SendOutcome? outcome = null;

        await transport.SendAllAsync(new[] { new OutgoingMail("m1", message) }.ToAsyncEnumerable(), (_, o) => { outcome = o; return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal(SendStatus.Sent, outcome?.Status);
        var file = Assert.Single(Directory.GetFiles(Path.Combine(_dir.Path, "outbox", "2026-03-11")));
        var bytes = await File.ReadAllBytesAsync(file);
        Assert.True(bytes.All(b => b < 0x80), "the file has 8-bit bytes, which a 7-bit relay would mangle");
        var written = await MimeMessage.LoadAsync(file);
        var parts = written.BodyParts.OfType<TextPart>().ToList();
        Assert.Equal(2, parts.Count);
        Assert.All(parts, p => Assert.Contains(p.ContentTransferEncoding, new[] { ContentEncoding.QuotedPrintable, ContentEncoding.Base64 }));
        Assert.Equal(Text, parts.Single(p => p.IsPlain).Text);
        Assert.Equal(Html, parts.Single(p => p.IsHtml).Text);
        Assert.Equal("Trending papers — 11 March", written.Subject);
    }
}

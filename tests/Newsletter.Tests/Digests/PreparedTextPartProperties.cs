using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MimeKit;
using Newsletter.Digests;

namespace Newsletter.Tests.Digests;

/// <summary>
/// A digest's text parts carry their bytes for the wire, made once: what they write must be, byte for byte, what
/// MimeKit writes for a plain <see cref="TextPart"/> with the same text, its line ends CRLF as on the wire, however the
/// SMTP client prepares it; and with LF line ends, the same wherever MimeKit does not carry the line ends as they are
/// held (base64, and text with NULs, which it writes as it is).
/// </summary>
public sealed class PreparedTextPartProperties
{
    private static readonly string[] Pieces =
    [
        "word ", "Flow matching ", "\n", "\r\n", "\r", "From ", ">From ", ".", "=", "= \n", "-- \n", "\t", "  ", "é", "·", "コード公開", "🙂", "\0",
        "<a href=\"https://example.org/?a=1&amp;b=2\">link</a>", new string('x', 90), new string('y', 1_100), new string('z', 5_000),
    ];

    private static Arbitrary<string> AnyText =>
        // rendered templates end on a line end, the case the part writes itself; the others go to MimeKit's path
        Gen.Elements(Pieces).ListOf().Zip(Gen.Elements("\n", "\n", "\n", "\r\n", ""))
            .Select(t => string.Concat(t.Item1) + t.Item2).ToArbitrary();

    private static Arbitrary<(EncodingConstraint? Constraint, int MaxLine, bool QuotedPrintable, bool Html)> AnyWay =>
        Gen.Elements<EncodingConstraint?>(null, EncodingConstraint.SevenBit, EncodingConstraint.EightBit, EncodingConstraint.None)
            .Zip(Gen.Elements(78, 998))
            .Zip(Gen.Elements(true, false).Zip(Gen.Elements(true, false)))
            .Select(t => (t.Item1.Item1, t.Item1.Item2, t.Item2.Item1, t.Item2.Item2))
            .ToArbitrary();

    [Property(MaxTest = 600)]
    public Property A_prepared_part_writes_what_mimekit_writes_for_the_same_text() => Prop.ForAll(AnyText, AnyWay, (text, way) =>
    {
        var subtype = way.Html ? "html" : "plain";
        var encoding = way.QuotedPrintable ? ContentEncoding.QuotedPrintable : ContentEncoding.Default;
        var plain = Plain(subtype, WithCrlf(text), encoding);
        var withLf = Plain(subtype, text, encoding);
        // as a digest's parts are made: from the buffer the page was written in, not from a string
        var prepared = new PreparedTextPart(subtype, text.ToCharArray().AsSpan(), encoding);
        if (way.Constraint is { } constraint)
        {
            plain.Prepare(constraint, way.MaxLine);
            withLf.Prepare(constraint, way.MaxLine);
            prepared.Prepare(constraint, way.MaxLine);
        }

        Assert.Equal(plain.ContentTransferEncoding, prepared.ContentTransferEncoding);
        Assert.Equal(plain.Text, prepared.Text);
        foreach (var lines in new[] { NewLineFormat.Dos, NewLineFormat.Unix })
        {
            // inside a multipart (as in a digest) and as a message's whole body (which MimeKit ends on a line end)
            Assert.Equal(Written(plain, lines, alone: false), Written(prepared, lines, alone: false));
            Assert.Equal(Written(plain, lines, alone: true), Written(prepared, lines, alone: true));
            Assert.Equal(Written(plain, lines, alone: false), WrittenAsync(prepared, lines).GetAwaiter().GetResult());
            if (withLf.ContentTransferEncoding != ContentEncoding.Base64 && !text.Contains('\0', StringComparison.Ordinal))
            {
                Assert.Equal(Written(withLf, lines, alone: false), Written(prepared, lines, alone: false));
            }
        }
    });

    private static TextPart Plain(string subtype, string text, ContentEncoding encoding)
    {
        var part = new TextPart(subtype) { Text = text };
        if (encoding != ContentEncoding.Default)
        {
            part.ContentTransferEncoding = encoding;
        }
        return part;
    }

    /// <summary>A CR before every LF that has none, as MimeKit's Unix2DosFilter writes line ends.</summary>
    private static string WithCrlf(string text) => System.Text.RegularExpressions.Regex.Replace(text, "(?<!\r)\n", "\r\n");

    [Fact]
    public void A_second_prepare_for_a_7_bit_path_turns_an_8_bit_part_to_what_mimekit_picks()
    {
        var text = "Kimi コード公開\n" + new string('a', 80) + "\n";
        var plain = new TextPart("html") { Text = text };
        var prepared = new PreparedTextPart("html", text);

        plain.Prepare(EncodingConstraint.EightBit, 998);
        prepared.Prepare(EncodingConstraint.EightBit, 998);
        Assert.Equal(ContentEncoding.EightBit, prepared.ContentTransferEncoding);
        plain.Prepare(EncodingConstraint.SevenBit, 78);
        prepared.Prepare(EncodingConstraint.SevenBit, 78);

        Assert.Equal(ContentEncoding.QuotedPrintable, prepared.ContentTransferEncoding);
        Assert.Equal(Written(plain, NewLineFormat.Dos, alone: false), Written(prepared, NewLineFormat.Dos, alone: false));
    }

    private static byte[] Written(TextPart part, NewLineFormat lines, bool alone)
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = lines;
        using var output = new MemoryStream();
        if (alone)
        {
            new MimeMessage((IEnumerable<Header>)[]) { Body = part }.WriteTo(options, output);
            return output.ToArray();
        }
        var multipart = new MultipartAlternative { Boundary = "b" };
        multipart.Add(part);
        multipart.WriteTo(options, output);
        multipart.Remove(part);
        return output.ToArray();
    }

    private static async Task<byte[]> WrittenAsync(TextPart part, NewLineFormat lines)
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = lines;
        using var output = new MemoryStream();
        var multipart = new MultipartAlternative { Boundary = "b" };
        multipart.Add(part);
        await multipart.WriteToAsync(options, output);
        multipart.Remove(part);
        return output.ToArray();
    }
}

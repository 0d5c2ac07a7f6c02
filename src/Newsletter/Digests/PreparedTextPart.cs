using System.Buffers;
using System.Text;
using MimeKit;
using MimeKit.Encodings;

namespace Newsletter.Digests;

/// <summary>
/// A UTF-8 text part that measures its text once and keeps its bytes for the wire. MimeKit's own part scans the text
/// to pick an encoding when the SMTP client prepares the message, then encodes it and turns its line ends into CRLF
/// through a chain of streams while the connection waits: profiled at 100,000 digests, that was a seventh of the
/// send's CPU. Here the choice comes from the measured shape, and the bytes are made once: the text is held as UTF-8
/// with its line ends already CRLF (a CR before every LF that has none, as MimeKit's Unix2DosFilter writes them), so
/// an 8-bit or 7-bit part goes out as it is held, and a quoted-printable one is MimeKit's encoder's output with its
/// line ends turned the same way, into one array. What goes out is byte for byte what MimeKit writes for a
/// <see cref="TextPart"/> holding the same text with CRLF line ends (a property test holds them equal; with LF ends
/// MimeKit writes the same, except where it carries the bytes as they are held: base64, and text with NULs). Whatever this does not
/// cover (another line format, an encoding other than 7bit, 8bit or quoted-printable, a 7-bit path's choice for 8-bit
/// text) is left to MimeKit.
/// </summary>
public sealed class PreparedTextPart : TextPart
{
    /// <summary>MimePart's own default for the encoder's line length, used until a Prepare says otherwise.</summary>
    private const int DefaultMaxLineLength = 78;

    private readonly byte[] _utf8;
    private readonly MimeContent _content;
    private readonly TextShape _shape;
    private int _encoderLineLength = DefaultMaxLineLength;
    private (ContentEncoding Encoding, int LineLength, byte[] Bytes)? _wire;

    public PreparedTextPart(string subtype, string text, ContentEncoding encoding = ContentEncoding.Default) : this(subtype, text.AsSpan(), encoding)
    {
    }

    /// <param name="text">Read here and not kept: a digest's part straight from the buffer its page was written in, never made a string.</param>
    public PreparedTextPart(string subtype, ReadOnlySpan<char> text, ContentEncoding encoding = ContentEncoding.Default) : base(subtype)
    {
        _utf8 = Utf8WithCrlf(text);
        _shape = TextShape.Of(_utf8);
        _content = new MimeContent(new MemoryStream(_utf8, writable: false));
        Content = _content;
        ContentType.Charset = "utf-8";
        if (encoding != ContentEncoding.Default)
        {
            ContentTransferEncoding = encoding;
        }
    }

    public override void Prepare(EncodingConstraint constraint, int maxLineLength = DefaultMaxLineLength)
    {
        if (constraint != EncodingConstraint.EightBit || ContentTransferEncoding is not (ContentEncoding.Default or ContentEncoding.SevenBit or ContentEncoding.EightBit)
            || !ReferenceEquals(Content, _content) || _shape.HasNul || _shape.HasMboxMarker || _shape.LongestLine > maxLineLength)
        {
            // MimeKit's own choice: the same as below where both apply; when it turns to quoted-printable, its encoder
            // takes the line length given here
            var before = ContentTransferEncoding;
            base.Prepare(constraint, maxLineLength);
            if (before != ContentEncoding.QuotedPrintable && ContentTransferEncoding == ContentEncoding.QuotedPrintable)
            {
                _encoderLineLength = maxLineLength;
            }
            return;
        }
        // MimeKit's rule under an 8-bit path, for text without NULs, "From " lines or overlong lines: 8bit if any byte needs it
        if (_shape.HasEightBit)
        {
            ContentTransferEncoding = ContentEncoding.EightBit;
        }
        else if (ContentTransferEncoding != ContentEncoding.Default)
        {
            ContentTransferEncoding = ContentEncoding.SevenBit;
        }
    }

    public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        if (Wire(options) is not { } bytes)
        {
            base.WriteTo(options, stream, contentOnly, cancellationToken);
            return;
        }
        if (!contentOnly)
        {
            Headers.WriteTo(options, stream, cancellationToken);
        }
        cancellationToken.ThrowIfCancellationRequested();
        stream.Write(bytes);
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        if (Wire(options) is not { } bytes)
        {
            await base.WriteToAsync(options, stream, contentOnly, cancellationToken);
            return;
        }
        if (!contentOnly)
        {
            await Headers.WriteToAsync(options, stream, cancellationToken);
        }
        await stream.WriteAsync(bytes, cancellationToken);
    }

    /// <summary>
    /// The content as it goes out (CRLF), or null where MimeKit's own path writes it: also for content not ending on a
    /// line end, to which MimeKit adds one when the part is a message's whole body (a flag it keeps to itself).
    /// </summary>
    private byte[]? Wire(FormatOptions options)
    {
        var encoding = ContentTransferEncoding;
        if (options.NewLineFormat != NewLineFormat.Dos || !ReferenceEquals(Content, _content)
            || encoding is not (ContentEncoding.Default or ContentEncoding.SevenBit or ContentEncoding.EightBit or ContentEncoding.QuotedPrintable))
        {
            return null;
        }
        var lineLength = encoding == ContentEncoding.QuotedPrintable ? _encoderLineLength : 0;
        if (_wire is not { } made || made.Encoding != encoding || made.LineLength != lineLength)
        {
            made = (encoding, lineLength, encoding == ContentEncoding.QuotedPrintable ? QuotedPrintable(_utf8, lineLength) : _utf8);
            _wire = made;
        }
        return made.Bytes.AsSpan().EndsWith("\r\n"u8) ? made.Bytes : null;
    }

    /// <summary>MimeKit's quoted-printable encoder, then its line-end filter; into one array, the encoder's buffer borrowed.</summary>
    private static byte[] QuotedPrintable(byte[] text, int lineLength)
    {
        var encoder = new QuotedPrintableEncoder(lineLength);
        var buffer = ArrayPool<byte>.Shared.Rent(encoder.EstimateOutputLength(text.Length));
        try
        {
            var length = encoder.Flush(text, 0, text.Length, buffer);
            return Crlf(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The text's UTF-8 with a CR before every LF that has none, into one array sized exactly.</summary>
    private static byte[] Utf8WithCrlf(ReadOnlySpan<char> text)
    {
        var bare = 0;
        for (var at = text.IndexOf('\n'); at >= 0; at = NextLf(text, at))
        {
            bare += at == 0 || text[at - 1] != '\r' ? 1 : 0;
        }
        var output = new byte[Encoding.UTF8.GetByteCount(text) + bare];
        var (from, written) = (0, 0);
        for (var at = bare == 0 ? -1 : text.IndexOf('\n'); at >= 0; at = NextLf(text, at))
        {
            if (at == 0 || text[at - 1] != '\r')
            {
                // cut at a line end, never inside a surrogate pair: the pieces' bytes are the whole text's
                written += Encoding.UTF8.GetBytes(text[from..at], output.AsSpan(written));
                output[written++] = (byte)'\r';
                output[written++] = (byte)'\n';
                from = at + 1;
            }
        }
        Encoding.UTF8.GetBytes(text[from..], output.AsSpan(written));
        return output;
    }

    /// <summary>As MimeKit's Unix2DosFilter writes it (a CR before every LF that has none), found with vectorised searches, into one array.</summary>
    private static byte[] Crlf(ReadOnlySpan<byte> text)
    {
        var bare = 0;
        for (var at = text.IndexOf((byte)'\n'); at >= 0; at = NextLf(text, at))
        {
            bare += at == 0 || text[at - 1] != (byte)'\r' ? 1 : 0;
        }
        var output = new byte[text.Length + bare];
        var (from, written) = (0, 0);
        for (var at = text.IndexOf((byte)'\n'); at >= 0; at = NextLf(text, at))
        {
            text[from..at].CopyTo(output.AsSpan(written));
            written += at - from;
            if (at == 0 || text[at - 1] != (byte)'\r')
            {
                output[written++] = (byte)'\r';
            }
            output[written++] = (byte)'\n';
            from = at + 1;
        }
        text[from..].CopyTo(output.AsSpan(written));
        return output;
    }

    private static int NextLf(ReadOnlySpan<byte> text, int at)
    {
        var next = text[(at + 1)..].IndexOf((byte)'\n');
        return next < 0 ? -1 : at + 1 + next;
    }

    private static int NextLf(ReadOnlySpan<char> text, int at)
    {
        var next = text[(at + 1)..].IndexOf('\n');
        return next < 0 ? -1 : at + 1 + next;
    }
}

/// <summary>
/// What MimeKit's best-encoding scan learns about a text, found with vectorised searches instead of a byte loop. As
/// MimeKit counts them: a line's length leaves out its CR before the LF, and an unterminated last line is measured
/// (all of it) but not checked for an mbox "From " marker.
/// </summary>
internal readonly record struct TextShape(bool HasNul, bool HasEightBit, bool HasMboxMarker, int LongestLine)
{
    public static TextShape Of(ReadOnlySpan<byte> text)
    {
        var longest = 0;
        var marker = false;
        for (var rest = text; ;)
        {
            var end = rest.IndexOf((byte)'\n');
            if (end < 0)
            {
                longest = Math.Max(longest, rest.Length);
                break;
            }
            var line = rest[..end];
            longest = Math.Max(longest, line.Length > 0 && line[^1] == (byte)'\r' ? line.Length - 1 : line.Length);
            marker |= line.StartsWith("From "u8);
            rest = rest[(end + 1)..];
        }
        return new TextShape(text.Contains((byte)0), text.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0, marker, longest);
    }
}

using System.Text;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;
using Newsletter.Common;

namespace Newsletter.Delivery;

/// <summary>
/// Signs each message (rsa-sha256, relaxed/relaxed) as the transport hands it over, after every header is final, so
/// digests, resends and confirmations are all signed the same way. With no Dkim settings it does nothing.
/// </summary>
public sealed class DkimSigning
{
    /// <summary>
    /// What a receiver needs to trust the message came from us unchanged: who, to whom, what, when, which, the
    /// unsubscribe headers mailbox providers act on, and the MIME structure.
    /// </summary>
    public static readonly string[] SignedHeaders =
        ["From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type"];

    /// <summary>
    /// Each name twice: a verifier checks the last instance of a header for each listing, and a listing that finds
    /// none signs its absence, so a second From or List-Unsubscribe added on the way above ours breaks the signature
    /// instead of slipping in unsigned (as does one added to a confirmation, which has none).
    /// </summary>
    private static readonly string[] Oversigned = [.. SignedHeaders.SelectMany(h => new[] { h, h })];

    /// <summary>RFC 5321's line limit; MimeKit re-encodes a part whose lines are longer.</summary>
    private const int MaxLineLength = 998;

    private readonly Lazy<DkimSigner?> _signer;

    public DkimSigning(IOptions<DkimOptions> options, NewsletterHome home)
    {
        // read on first use: start-up validation (DkimOptionsValidator) has read the key by then, and a transport
        // built only to be checked (doctor) does not need it; a key that fails here fails the message, never skips signing
        _signer = new Lazy<DkimSigner?>(() => options.Value is { Enabled: true } o ? Create(o, home) : null);
    }

    public bool Enabled => _signer.Value is not null;

    private static DkimSigner Create(DkimOptions o, NewsletterHome home)
    {
        var key = DkimKey.Load(home.Resolve(o.PrivateKeyFile));
        return new DkimSigner(new MemoryStream(Encoding.ASCII.GetBytes(key.Pkcs8Pem)), o.Domain.Trim().TrimEnd('.'), o.Selector.Trim(), DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
    }

    /// <summary>
    /// For an SMTP server with these capabilities. MailKit leaves a signed message as it is (it would otherwise
    /// re-encode parts for the server, breaking the body hash), so the encoding the server can take is chosen here.
    /// </summary>
    public void Sign(MimeMessage message, SmtpCapabilities server) =>
        Sign(message, server.HasFlag(SmtpCapabilities.EightBitMime) ? EncodingConstraint.EightBit : EncodingConstraint.SevenBit);

    /// <param name="constraint">What the path to the receiver carries: 8-bit parts only where the server said 8BITMIME.</param>
    public void Sign(MimeMessage message, EncodingConstraint constraint)
    {
        if (_signer.Value is not { } signer)
        {
            return;
        }
        // a retry signs afresh: the next connection may take another encoding, and one signature per key is enough
        message.Headers.RemoveAll(HeaderId.DkimSignature);
        message.Prepare(constraint, MaxLineLength);
        // International stays off, as MailKit writes a signed message: headers go out exactly as they were hashed
        signer.Sign(FormatOptions.Default, message, Oversigned);
    }
}

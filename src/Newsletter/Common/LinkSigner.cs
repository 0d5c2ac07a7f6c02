using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Newsletter.Common;

public enum LinkPurpose
{
    Confirm,
    Preferences,
    Unsubscribe,

    /// <summary>One past digest in the browser (<c>/digests/{token}</c>): the token names the delivery (<see cref="LinkSigner.DigestSubject"/>).</summary>
    Digest,

    /// <summary>The subscriber's private Atom feed (<c>/feeds/{token}.atom</c>): never expires, so a feed reader keeps one address.</summary>
    Feed,
}

/// <summary>
/// Signs and checks the tokens in emailed links: <c>subscriberId.purpose.expiresUnix.signature</c>, HMAC-SHA256 over
/// the first three parts with the site key and the subscriber's own secret, so one subscriber's links can be
/// revoked by changing their secret, and all links by changing the key. A link to one thing of theirs (a past digest)
/// names it in a part of its own, also signed: <c>subscriberId.purpose.subject.expiresUnix.signature</c>.
/// </summary>
public sealed class LinkSigner
{
    private readonly byte[] _key;
    private readonly TimeProvider _clock;
    private readonly SiteOptions _site;

    public LinkSigner(IOptions<SiteOptions> site, NewsletterHome home, TimeProvider clock)
    {
        _site = site.Value;
        _clock = clock;
        _key = Encoding.UTF8.GetBytes(string.IsNullOrEmpty(_site.SigningKey) ? GeneratedKey(home) : _site.SigningKey);
    }

    /// <summary>
    /// The expiry of a feed's token (the last second of 9999): a feed reader polls one address for years, so it is
    /// fixed, and the token is the same every time it is made (the digests and the preferences page show one address).
    /// </summary>
    public const long NeverExpires = 253_402_300_799;

    /// <param name="subject">What the link is to, for a purpose that names one (a digest: <see cref="DigestSubject"/>); letters, digits and '-' only.</param>
    public string Sign(string subscriberId, string subscriberSecret, LinkPurpose purpose, string? subject = null)
    {
        var days = purpose == LinkPurpose.Confirm ? _site.ConfirmLinkDays : _site.ManageLinkDays;
        var expires = purpose == LinkPurpose.Feed ? NeverExpires : _clock.GetUtcNow().AddDays(days).ToUnixTimeSeconds();
        if ((subject is null) == NamesSubject(purpose) || (subject is not null && !subject.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            throw new ArgumentException($"a {Name(purpose)} link {(NamesSubject(purpose) ? "names what it is to in letters, digits and '-'" : "names nothing")} (was '{subject}')", nameof(subject));
        }
        var payload = $"{subscriberId}.{Name(purpose)}{(subject is null ? "" : "." + subject)}.{expires.ToString(CultureInfo.InvariantCulture)}";
        return payload + "." + Signature(payload, subscriberSecret);
    }

    /// <summary>The subject of a digest's link: its day and sequence (<c>20260311-0</c>).</summary>
    public static string DigestSubject(DateOnly date, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{date:yyyyMMdd}-{sequence}");

    /// <summary>The day and sequence a digest link's subject names; null when it names none.</summary>
    public static (DateOnly Date, int Sequence)? ParseDigestSubject(string? subject) =>
        subject?.Split('-') is [var day, var sequence]
        && DateOnly.TryParseExact(day, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
        && int.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? (date, number)
            : null;

    /// <summary>A page's address with the token in the path (<c>/digests/{token}</c>, <c>/feeds/{token}.atom</c>).</summary>
    public string PathUrl(string prefix, string suffix, string subscriberId, string subscriberSecret, LinkPurpose purpose, string? subject = null) =>
        $"{_site.BaseUrl.TrimEnd('/')}/{prefix.Trim('/')}/{Sign(subscriberId, subscriberSecret, purpose, subject)}{suffix}";

    private static bool NamesSubject(LinkPurpose purpose) => purpose == LinkPurpose.Digest;

    public string Url(string path, string subscriberId, string subscriberSecret, LinkPurpose purpose) =>
        $"{_site.BaseUrl.TrimEnd('/')}/{path.TrimStart('/')}?token={Uri.EscapeDataString(Sign(subscriberId, subscriberSecret, purpose))}";

    /// <summary>The subscriber id a token names, before its signature is checked (to look up their secret).</summary>
    public static string? SubscriberIdOf(string? token)
    {
        var parts = token?.Split('.');
        return parts is { Length: 4 or 5 } && parts[0].Length > 0 ? parts[0] : null;
    }

    public LinkCheck Check(string? token, string subscriberSecret, LinkPurpose purpose) => Check(token, subscriberSecret, purpose, out _);

    /// <param name="subject">What a valid link of a purpose that names something is to; null otherwise.</param>
    public LinkCheck Check(string? token, string subscriberSecret, LinkPurpose purpose, out string? subject)
    {
        subject = null;
        var parts = token?.Split('.');
        var length = NamesSubject(purpose) ? 5 : 4;
        if (parts is null || parts.Length != length || parts[1] != Name(purpose)
            || !long.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return LinkCheck.Malformed;
        }
        var expected = Signature(string.Join('.', parts[..^1]), subscriberSecret);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[^1])))
        {
            return LinkCheck.BadSignature;
        }
        if (_clock.GetUtcNow().ToUnixTimeSeconds() > expires)
        {
            return LinkCheck.Expired;
        }
        subject = length == 5 ? parts[2] : null;
        return LinkCheck.Valid;
    }

    /// <summary>
    /// A key for another use of the site key (<paramref name="purpose"/> names it), derived by HKDF so that it says
    /// nothing about the link key or any other derived key; it changes when Site:SigningKey does.
    /// </summary>
    public byte[] DeriveKey(string purpose, int length = 32) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, length, salt: [], info: Encoding.UTF8.GetBytes("newsletter/" + purpose));

    private string Signature(string payload, string subscriberSecret)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload + "|" + subscriberSecret));
        return Base64Url.EncodeToString(mac.AsSpan(0, 24));
    }

    private static string Name(LinkPurpose purpose) => purpose.ToString().ToLowerInvariant();

    private static string GeneratedKey(NewsletterHome home)
    {
        var path = home.Resolve(Path.Combine("data", "signing.key"));
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }
        PrivateFiles.CreateFolder(Path.GetDirectoryName(path)!);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        try
        {
            using var file = PrivateFiles.Create(path, FileMode.CreateNew);
            file.Write(Encoding.ASCII.GetBytes(key));
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            return File.ReadAllText(path).Trim(); // another process created it first
        }
    }
}

public enum LinkCheck
{
    Valid,
    Malformed,
    BadSignature,
    Expired,
}

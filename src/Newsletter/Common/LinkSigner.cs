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
}

/// <summary>
/// Signs and checks the tokens in emailed links: <c>subscriberId.purpose.expiresUnix.signature</c>, HMAC-SHA256 over
/// the first three parts with the site key and the subscriber's own secret, so one subscriber's links can be
/// revoked by changing their secret, and all links by changing the key.
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

    public string Sign(string subscriberId, string subscriberSecret, LinkPurpose purpose)
    {
        var days = purpose == LinkPurpose.Confirm ? _site.ConfirmLinkDays : _site.ManageLinkDays;
        var expires = _clock.GetUtcNow().AddDays(days).ToUnixTimeSeconds();
        var payload = $"{subscriberId}.{Name(purpose)}.{expires.ToString(CultureInfo.InvariantCulture)}";
        return payload + "." + Signature(payload, subscriberSecret);
    }

    public string Url(string path, string subscriberId, string subscriberSecret, LinkPurpose purpose) =>
        $"{_site.BaseUrl.TrimEnd('/')}/{path.TrimStart('/')}?token={Uri.EscapeDataString(Sign(subscriberId, subscriberSecret, purpose))}";

    /// <summary>The subscriber id a token names, before its signature is checked (to look up their secret).</summary>
    public static string? SubscriberIdOf(string? token)
    {
        var parts = token?.Split('.');
        return parts is { Length: 4 } && parts[0].Length > 0 ? parts[0] : null;
    }

    public LinkCheck Check(string? token, string subscriberSecret, LinkPurpose purpose)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 4 } || parts[1] != Name(purpose) || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return LinkCheck.Malformed;
        }
        var expected = Signature($"{parts[0]}.{parts[1]}.{parts[2]}", subscriberSecret);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[3])))
        {
            return LinkCheck.BadSignature;
        }
        return _clock.GetUtcNow().ToUnixTimeSeconds() > expires ? LinkCheck.Expired : LinkCheck.Valid;
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

using System.Security.Cryptography;
using System.Text;

namespace Newsletter.Delivery;

/// <summary>The key file is missing, unreadable or not an RSA private key; the message says which and why.</summary>
public sealed class DkimKeyException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A DKIM signing key read from a PEM file: PKCS#1 (<c>RSA PRIVATE KEY</c>, what <c>openssl genrsa</c> and
/// opendkim-genkey write) or PKCS#8 (<c>PRIVATE KEY</c>, what <c>newsletter dkim keygen</c> writes).
/// </summary>
public sealed class DkimKey
{
    /// <summary>RFC 8301: verifiers must not accept shorter RSA keys, so a shorter one signs mail nobody trusts.</summary>
    public const int MinimumBits = 1024;

    /// <summary>What <c>dkim keygen</c> writes: RFC 8301 recommends at least this, and it still fits one DNS TXT record.</summary>
    public const int GeneratedBits = 2048;

    /// <summary>A DNS TXT record holds strings of at most 255 bytes each (RFC 1035); a longer value is split into several.</summary>
    private const int TxtStringLength = 255;

    private DkimKey(string pkcs8Pem, string publicKey, int bits)
    {
        Pkcs8Pem = pkcs8Pem;
        PublicKey = publicKey;
        Bits = bits;
    }

    /// <summary>The private key as PKCS#8 PEM, the one form MimeKit's signer is given whatever the file held.</summary>
    public string Pkcs8Pem { get; }

    /// <summary>The public key as the DNS record's <c>p=</c> carries it: base64 of its SubjectPublicKeyInfo.</summary>
    public string PublicKey { get; }

    public int Bits { get; }

    /// <exception cref="DkimKeyException">The file cannot be read, or holds no unencrypted RSA private key of at least <see cref="MinimumBits"/>.</exception>
    public static DkimKey Load(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DkimKeyException(e is FileNotFoundException or DirectoryNotFoundException
                ? $"{path} does not exist"
                : $"{path} cannot be read: {e.Message}", e);
        }
        return Parse(pem, path);
    }

    /// <param name="source">Where the text came from, for the message.</param>
    public static DkimKey Parse(string pem, string source)
    {
        if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal) || pem.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            throw new DkimKeyException($"{source} is encrypted: the service signs unattended, so the key must be stored without a passphrase (and readable by its user only)");
        }
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            // a public key imports as well; only the private half can sign
            _ = rsa.ExportParameters(includePrivateParameters: true);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new DkimKeyException($"{source} holds no RSA private key in PEM form (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY): {e.Message}", e);
        }
        if (rsa.KeySize < MinimumBits)
        {
            throw new DkimKeyException($"{source} holds a {rsa.KeySize}-bit key: receivers ignore DKIM signatures made with fewer than {MinimumBits} bits (RFC 8301); make a {GeneratedBits}-bit one with `newsletter dkim keygen`");
        }
        return new DkimKey(rsa.ExportPkcs8PrivateKeyPem(), Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()), rsa.KeySize);
    }

    /// <summary>A new <see cref="GeneratedBits"/>-bit key, as PKCS#8 PEM.</summary>
    public static DkimKey Generate()
    {
        using var rsa = RSA.Create(GeneratedBits);
        return Parse(rsa.ExportPkcs8PrivateKeyPem(), "the generated key");
    }

    /// <summary>The value to publish at <c>selector._domainkey.domain</c>.</summary>
    public string TxtValue => $"v=DKIM1; k=rsa; p={PublicKey}";

    /// <summary>The record in zone-file form, its value split into strings a TXT record can hold.</summary>
    public static string ZoneLine(string name, string value) => $"{name}. IN TXT {QuotedStrings(value)}";

    public static string RecordName(string selector, string domain) => $"{selector}._domainkey.{domain}";

    private static string QuotedStrings(string value)
    {
        var parts = new List<string>();
        for (var start = 0; start < value.Length; start += TxtStringLength)
        {
            parts.Add('"' + value.Substring(start, Math.Min(TxtStringLength, value.Length - start)) + '"');
        }
        return string.Join(' ', parts);
    }

    /// <summary>
    /// Whether a published <c>p=</c> is this key's public half. Compared as numbers, not text: some tools publish the
    /// bare RSAPublicKey (PKCS#1) rather than the SubjectPublicKeyInfo that RFC 6376 names, and both verify.
    /// </summary>
    public bool Matches(string published)
    {
        using var ours = RSA.Create();
        ours.ImportSubjectPublicKeyInfo(Convert.FromBase64String(PublicKey), out _);
        using var theirs = RSA.Create();
        try
        {
            var bytes = Convert.FromBase64String(published);
            try
            {
                theirs.ImportSubjectPublicKeyInfo(bytes, out _);
            }
            catch (CryptographicException)
            {
                theirs.ImportRSAPublicKey(bytes, out _);
            }
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
        var (a, b) = (ours.ExportParameters(false), theirs.ExportParameters(false));
        return a.Modulus.AsSpan().SequenceEqual(b.Modulus) && a.Exponent.AsSpan().SequenceEqual(b.Exponent);
    }

    /// <summary>The tags of a DKIM key record (<c>v=DKIM1; k=rsa; p=…</c>), names lower-cased, whitespace inside values removed (RFC 6376 3.6.1).</summary>
    public static Dictionary<string, string> Tags(string record)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in record.Split(';'))
        {
            var equals = part.IndexOf('=');
            if (equals > 0)
            {
                var value = new StringBuilder();
                foreach (var c in part.AsSpan(equals + 1))
                {
                    if (!char.IsWhiteSpace(c))
                    {
                        value.Append(c);
                    }
                }
                tags[part[..equals].Trim()] = value.ToString();
            }
        }
        return tags;
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Newsletter.Common;

namespace Newsletter.Web;

/// <summary>
/// Encrypts each data-protection key before it is stored: AES-256-GCM under a key derived (HKDF) from
/// Site:SigningKey, so the key ring in the database (and its backups) is useless without the settings file.
/// Stored as <c>&lt;encryptedKey&gt;&lt;value&gt;base64(nonce | tag | ciphertext)&lt;/value&gt;&lt;/encryptedKey&gt;</c>.
/// </summary>
public sealed class KeyRingEncryptor(LinkSigner signer) : IXmlEncryptor
{
    internal const string Purpose = "data-protection-keys";
    internal const int NonceBytes = 12;
    internal const int TagBytes = 16;
    internal static readonly byte[] Context = Encoding.UTF8.GetBytes("newsletter data-protection key v1");

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedKey = new byte[NonceBytes + TagBytes + plain.Length];
        var nonce = sealedKey.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(signer.DeriveKey(Purpose), TagBytes))
        {
            aes.Encrypt(nonce, plain, sealedKey.AsSpan(NonceBytes + TagBytes), sealedKey.AsSpan(NonceBytes, TagBytes), Context);
        }
        var element = new XElement("encryptedKey",
            new XComment(" AES-256-GCM, key derived from Site:SigningKey "),
            new XElement("value", Convert.ToBase64String(sealedKey)));
        return new EncryptedXmlInfo(element, typeof(KeyRingDecryptor));
    }
}

/// <summary>
/// Decrypts what <see cref="KeyRingEncryptor"/> stored. ASP.NET creates it by the type name recorded beside each
/// key, through this constructor. A key stored under an earlier Site:SigningKey cannot be read: ASP.NET then
/// makes a new key, and forms open at the time of the change must be sent again.
/// </summary>
public sealed class KeyRingDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var sealedKey = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? "");
        if (sealedKey.Length < KeyRingEncryptor.NonceBytes + KeyRingEncryptor.TagBytes)
        {
            throw new CryptographicException("The stored data-protection key is cut short.");
        }
        var plain = new byte[sealedKey.Length - KeyRingEncryptor.NonceBytes - KeyRingEncryptor.TagBytes];
        try
        {
            using var aes = new AesGcm(services.GetRequiredService<LinkSigner>().DeriveKey(KeyRingEncryptor.Purpose), KeyRingEncryptor.TagBytes);
            aes.Decrypt(sealedKey.AsSpan(0, KeyRingEncryptor.NonceBytes), sealedKey.AsSpan(KeyRingEncryptor.NonceBytes + KeyRingEncryptor.TagBytes),
                sealedKey.AsSpan(KeyRingEncryptor.NonceBytes, KeyRingEncryptor.TagBytes), plain, KeyRingEncryptor.Context);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new CryptographicException("The stored data-protection key was encrypted under another Site:SigningKey (or changed since).", e);
        }
        return XElement.Parse(Encoding.UTF8.GetString(plain));
    }
}

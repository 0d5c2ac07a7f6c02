using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Delivery;
using Newsletter.Operations;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

/// <summary><c>dkim keygen</c>: a private key only its owner can read, and a DNS record that publishes its public half.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the key file's Unix permissions
public sealed class DkimKeygenTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Signs a message with a UTF-8 subject and body as the pickup transport would, and returns it as it goes on the wire (CRLF).</summary>
    private static byte[] SignedMessage(string keyFile)
    {
        var signing = new DkimSigning(Options.Create(new DkimOptions { Domain = "example.org", Selector = "s1", PrivateKeyFile = keyFile }), new NewsletterHome("/", "/config/appsettings.json"));
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Newsletter", "news@example.org"));
        message.To.Add(new MailboxAddress("", "ada@example.org"));
        message.Subject = "Grüße · 扩散模型 and a subject long enough that it has to be folded over more than one line";
        message.Body = new TextPart("plain") { Text = "Straßenszenen, コード公開.\n" };
        signing.Sign(message, EncodingConstraint.EightBit);
        using var wire = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        message.WriteTo(format, wire);
        return wire.ToArray();
    }

    [Fact]
    public async Task Keygen_writes_an_owner_only_key_whose_printed_record_verifies_its_signatures()
    {
        var keyFile = _dir.File("keys/s1.pem");

        var result = await new TestApp().RunAsync("dkim", "keygen", "--domain", "Example.org.", "--selector", "s1", "--out", keyFile);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(keyFile));
        var line = result.Stdout.Split('\n').Single(l => l.StartsWith("s1._domainkey.example.org. IN TXT \"", StringComparison.Ordinal));
        var record = DnsAnswers.Parse(line).Single();
        Assert.Equal("s1._domainkey.example.org", record.Name);
        Assert.All(line.Split('"').Where((_, i) => i % 2 == 1), part => Assert.True(part.Length <= 255, part)); // a TXT string holds 255 bytes
        var tags = DkimKey.Tags(record.Value);
        Assert.Equal(("DKIM1", "rsa"), (tags["v"], tags["k"]));
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(tags["p"]), out _);
        Assert.Equal(2048, rsa.KeySize);
        Assert.Contains($"Dkim:PrivateKeyFile={keyFile}", result.Stdout);

        var (verified, output) = await PythonDkim.VerifyAsync(SignedMessage(keyFile), record.Name, record.Value);
        Assert.True(verified, output);
    }

    [Fact]
    public async Task Keygen_never_overwrites_a_key()
    {
        var keyFile = _dir.Write("s1.pem", "a key in use");

        var result = await new TestApp().RunAsync("dkim", "keygen", "--domain", "example.org", "--selector", "s1", "--out", keyFile);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("exists already", result.Stderr);
        Assert.Equal("a key in use", File.ReadAllText(keyFile));
    }

    [Fact]
    public async Task A_pkcs1_key_as_openssl_genrsa_writes_it_signs_too()
    {
        using var rsa = RSA.Create(2048);
        var keyFile = _dir.Write("pkcs1.pem", rsa.ExportRSAPrivateKeyPem());
        var key = DkimKey.Load(keyFile);

        var (verified, output) = await PythonDkim.VerifyAsync(SignedMessage(keyFile), "s1._domainkey.example.org", key.TxtValue);

        Assert.True(verified, output);
        Assert.True(key.Matches(Convert.ToBase64String(rsa.ExportRSAPublicKey()))); // a record publishing the bare RSAPublicKey still matches
    }

    [Theory]
    [InlineData("-----BEGIN PUBLIC KEY-----", "holds no RSA private key")]
    [InlineData("short", "fewer than 1024 bits")]
    [InlineData("-----BEGIN ENCRYPTED PRIVATE KEY-----", "is encrypted")]
    public void A_key_that_cannot_sign_is_refused_with_the_reason(string kind, string reason)
    {
        using var rsa = RSA.Create(kind == "short" ? 1024 - 256 : 2048);
        var pem = kind switch
        {
            "short" => rsa.ExportPkcs8PrivateKeyPem(),
            "-----BEGIN PUBLIC KEY-----" => rsa.ExportSubjectPublicKeyInfoPem(),
            _ => rsa.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000)),
        };

        var error = Assert.Throws<DkimKeyException>(() => DkimKey.Parse(pem, "key.pem"));

        Assert.StartsWith("key.pem ", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.Contains("Dkim:PrivateKeyFile: key.pem", new DkimOptionsValidator(new NewsletterHome(_dir.Path, _dir.File("config.json")))
            .Validate(null, new DkimOptions { Domain = "example.org", Selector = "s1", PrivateKeyFile = _dir.Write("key.pem", pem) }).FailureMessage!.Replace(_dir.Path + "/", ""));
    }
}

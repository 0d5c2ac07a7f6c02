using System.Text;
using System.Text.Json;
using MimeKit;
using Newsletter.Delivery;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

/// <summary>
/// Every message the service sends is DKIM-signed, and the signature holds on the bytes a real SMTP server received,
/// as checked by python3-dkim rather than by MimeKit, which made it.
/// </summary>
[Collection(nameof(MaildevCollection))]
public sealed class DkimTests(MaildevServer maildev) : IAsyncLifetime
{
    private const string Domain = "papers.example.org";
    private const string Selector = "news2026";
    private const string Day = "2026-03-20";

    /// <summary>Long and not ASCII: the subject it heads is encoded and folded over several lines.</summary>
    private const string SiteName = "Trending Papers für Forschende · tägliche Übersicht";

    private readonly TempDirectory _dir = new();
    private TestApp _app = null!;
    private string _keyFile = null!;
    private string _txt = null!;

    public async Task InitializeAsync()
    {
        await maildev.ClearAsync();
        _keyFile = _dir.File("dkim.pem");
        var key = await new TestApp().RunAsync("dkim", "keygen", "--domain", Domain, "--selector", Selector, "--out", _keyFile, "--json");
        Assert.True(key.ExitCode == 0, key.ToString());
        _txt = key.Json().GetProperty("value").GetString()!;
        _app = await TestApp.CreateAsync(Backend.Sqlite, Sending(maildev.SmtpPort, _keyFile));
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        _dir.Dispose();
        return Task.CompletedTask;
    }

    private static string[] Sending(int port, string keyFile) =>
    [
        "--Smtp:Host=127.0.0.1", $"--Smtp:Port={port}", "--Smtp:Security=None", "--Smtp:MaxPerSecond=0",
        $"--Smtp:From=digest@{Domain}", $"--Site:BaseUrl=https://{Domain}", "--Site:SigningKey=0123456789abcdef0123456789abcdef-test",
        $"--Site:Name={SiteName}", $"--Dkim:Domain={Domain}", $"--Dkim:Selector={Selector}", $"--Dkim:PrivateKeyFile={keyFile}",
    ];

    /// <summary>A day whose papers carry accents, CJK and a dash: the HTML part goes as 8-bit UTF-8 where the server takes it.</summary>
    private static async Task SendDigestAsync(TestApp app)
    {
        var add = await app.RunAsync("subscribers", "add", "--email", "ada@example.org", "--confirmed", "--keyword", "diffusion");
        Assert.True(add.ExitCode == 0, add.ToString());
        var listing = app.Dir.Write("utf8.json", JsonSerializer.Serialize(new[]
        {
            new { paper = new { id = "2603.00001", title = "Über naïve diffusion — 扩散模型 für Bilder", summary = "Wir zeigen, dass diffusion models Straßenszenen erzeugen; コード公開.", upvotes = 9 } },
            new { paper = new { id = "2603.00002", title = "Diffusion policies in robotics", summary = "Ein Überblick über diffusion policies.", upvotes = 5 } },
        }));
        Assert.Equal(0, (await app.RunAsync("ingest", "--from", listing, "--date", Day)).ExitCode);
        var run = await app.RunAsync("digest", "run", "--date", Day, "--skip-ingest", "--json");
        Assert.True(run.ExitCode == 0 && run.Json().GetProperty("sent").GetInt32() == 1, run.ToString());
    }

    private async Task<(bool Verified, string Output)> VerifyAsync(byte[] raw) =>
        await PythonDkim.VerifyAsync(raw, $"{Selector}._domainkey.{Domain}", _txt);

    private static string Headers(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        return text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
    }

    [Fact]
    public async Task A_digest_received_by_a_real_smtp_server_verifies_with_python_dkim()
    {
        await SendDigestAsync(_app);

        var email = (await maildev.WaitForAsync(1)).Single();
        var raw = await maildev.RawAsync(email.Id);
        var (verified, output) = await VerifyAsync(raw);

        Assert.True(verified, output);
        var headers = Headers(raw);
        var unfolded = string.Concat(headers.Where(c => !char.IsWhiteSpace(c)));
        Assert.StartsWith("DKIM-Signature:v=1;a=rsa-sha256;d=papers.example.org;s=news2026;c=relaxed/relaxed;", unfolded);
        Assert.Single(headers.Split("\r\n"), l => l.StartsWith("DKIM-Signature:", StringComparison.Ordinal));
        // each header twice: the second listing signs that there is no other above it
        Assert.Contains("h=from:from:to:to:subject:subject:date:date:message-id:message-id:list-unsubscribe:list-unsubscribe:" +
            "list-unsubscribe-post:list-unsubscribe-post:mime-version:mime-version:content-type:content-type;", unfolded);
        // the subject is folded, and the HTML part really went as 8-bit UTF-8 (maildev offers 8BITMIME)
        Assert.Matches(@"\r\nSubject: [^\r]+\r\n[ \t]", headers);
        var text = Encoding.UTF8.GetString(raw);
        Assert.Contains("Content-Transfer-Encoding: 8bit", text);
        Assert.Contains("コード公開", text);
    }

    [Fact]
    public async Task A_message_changed_on_the_way_fails_verification()
    {
        await SendDigestAsync(_app);
        var raw = await maildev.RawAsync((await maildev.WaitForAsync(1)).Single().Id);
        var text = Encoding.UTF8.GetString(raw);

        var body = Encoding.UTF8.GetBytes(text.Replace("コード公開", "コード非公開", StringComparison.Ordinal));
        var subject = Encoding.UTF8.GetBytes(text.Replace("Subject: ", "Subject: RE: ", StringComparison.Ordinal));
        var addedUnsubscribe = Encoding.UTF8.GetBytes(text.Replace("\r\nList-Unsubscribe:", "\r\nList-Unsubscribe: <https://evil.example/>\r\nList-Unsubscribe:", StringComparison.Ordinal));
        var addedFrom = Encoding.UTF8.GetBytes(text.Replace("\r\nFrom:", "\r\nFrom: Bank <alerts@bank.example>\r\nFrom:", StringComparison.Ordinal));

        Assert.True((await VerifyAsync(raw)).Verified);
        Assert.NotEqual(text, Encoding.UTF8.GetString(body));
        Assert.False((await VerifyAsync(body)).Verified);
        Assert.False((await VerifyAsync(subject)).Verified);
        Assert.False((await VerifyAsync(addedUnsubscribe)).Verified);
        Assert.False((await VerifyAsync(addedFrom)).Verified);
    }

    [Fact]
    public async Task A_resend_and_a_confirmation_email_verify_too()
    {
        await SendDigestAsync(_app);
        await maildev.WaitForAsync(1);

        var resend = await _app.RunAsync("digest", "resend", "--date", Day, "--email", "ada@example.org");
        var confirm = await _app.RunAsync("subscribers", "add", "--email", "carol@example.org", "--keyword", "robotics");

        Assert.True(resend.ExitCode == 0, resend.ToString());
        Assert.True(confirm.ExitCode == 0, confirm.ToString());
        var emails = await maildev.WaitForAsync(3);
        Assert.Equal(3, emails.Count);
        var confirmation = emails.Single(e => e.To.Single() == "carol@example.org");
        Assert.Contains("Confirm your subscription", confirmation.Subject);
        foreach (var email in emails)
        {
            var (verified, output) = await VerifyAsync(await maildev.RawAsync(email.Id));
            Assert.True(verified, $"{email.Subject}: {output}");
        }
    }

    [Fact]
    public async Task A_server_without_8bitmime_gets_a_7_bit_message_that_verifies()
    {
        var saved = Directory.CreateDirectory(_dir.File("received")).FullName;
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"), eightBitMime: false, saveDirectory: saved);
        using var app = await TestApp.CreateAsync(Backend.Sqlite, Sending(server.Port, _keyFile));

        await SendDigestAsync(app);

        var raw = await File.ReadAllBytesAsync(Path.Combine(saved, "1.eml"));
        var (verified, output) = await VerifyAsync(raw);
        Assert.True(verified, output);
        Assert.DoesNotContain(raw, b => b >= 0x80);
    }

    [Fact]
    public async Task Digests_written_to_the_pickup_folder_are_signed_too()
    {
        var outbox = _dir.File("outbox");
        using var app = await TestApp.CreateAsync(Backend.Sqlite,
        [
            $"--Smtp:PickupFolder={outbox}", $"--Smtp:From=digest@{Domain}", $"--Dkim:Domain={Domain}", $"--Dkim:Selector={Selector}", $"--Dkim:PrivateKeyFile={_keyFile}",
        ]);

        await SendDigestAsync(app);

        var file = Directory.GetFiles(outbox, "*.eml", SearchOption.AllDirectories).Single();
        // the relay that picks the file up sends it with CRLF line ends, as SMTP has them
        var wire = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)).ReplaceLineEndings("\r\n"));
        var (verified, output) = await VerifyAsync(wire);
        Assert.True(verified, output);
    }

    [Fact]
    public async Task A_key_file_that_cannot_be_read_stops_start_up_naming_the_setting_and_the_file()
    {
        var missing = _dir.File("no-such-key.pem");
        var garbage = _dir.Write("not-a-key.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        using var app = await TestApp.CreateAsync(Backend.Sqlite, [.. Sending(maildev.SmtpPort, missing)]);

        var run = await app.RunAsync("subscribers", "add", "--email", "ada@example.org", "--keyword", "diffusion");
        var wrongKind = await app.RunAsync("subscribers", "add", "--email", "ada@example.org", "--keyword", "diffusion", $"--Dkim:PrivateKeyFile={garbage}");
        var doctor = await app.RunAsync("doctor", "--offline", "--json");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"configuration error: Dkim:PrivateKeyFile: {missing} does not exist", run.Stderr);
        Assert.Equal(2, wrongKind.ExitCode);
        Assert.Contains($"Dkim:PrivateKeyFile: {garbage} holds no RSA private key", wrongKind.Stderr);
        var config = doctor.Json().GetProperty("checks").EnumerateArray().First(c => c.GetProperty("check").GetString() == "config");
        Assert.Equal("failed", config.GetProperty("status").GetString());
        Assert.Contains($"Dkim:PrivateKeyFile: {missing} does not exist", config.GetProperty("message").GetString());
        await Task.Delay(300);
        Assert.Empty(await maildev.EmailsAsync()); // not even the confirmation went out unsigned
    }

    [Fact]
    public async Task Without_dkim_settings_mail_goes_out_unsigned_as_before()
    {
        using var app = await TestApp.CreateAsync(Backend.Sqlite, [.. Sending(maildev.SmtpPort, _keyFile).Where(s => !s.StartsWith("--Dkim:", StringComparison.Ordinal))]);

        await SendDigestAsync(app);

        var raw = await maildev.RawAsync((await maildev.WaitForAsync(1)).Single().Id);
        Assert.DoesNotContain("DKIM-Signature:", Headers(raw));
    }
}

using System.Text.Json;
using Newsletter.Operations;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Operations;

/// <summary>doctor, offline: the DNS records to publish for the sender's domain, and whether those published match the key.</summary>
public sealed class DoctorDnsRecordsTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private string _keyFile = null!;
    private string _record = null!;

    public async Task InitializeAsync()
    {
        _keyFile = _dir.File("dkim.pem");
        var key = await new TestApp().RunAsync("dkim", "keygen", "--domain", "papers.example.org", "--selector", "news2026", "--out", _keyFile, "--json");
        Assert.True(key.ExitCode == 0, key.ToString());
        _record = key.Json().GetProperty("record").GetString()!;
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    private TestApp App(params string[] more) => new(
    [
        "--Smtp:From=digest@papers.example.org", $"--Smtp:PickupFolder={_dir.File("outbox")}",
        "--Dkim:Domain=papers.example.org", "--Dkim:Selector=news2026", $"--Dkim:PrivateKeyFile={_keyFile}", .. more,
    ]);

    private static List<JsonElement> Checks(CliResult result, string name) =>
        [.. result.Json().GetProperty("checks").EnumerateArray().Where(c => c.GetProperty("check").GetString() == name)];

    private static string Text(JsonElement check, string property = "message") => check.GetProperty(property).GetString()!;

    [Fact]
    public async Task Doctor_prints_the_spf_dkim_and_dmarc_records_to_publish()
    {
        using var app = App("--Smtp:Host=relay.papers.example.org");

        var result = await app.RunAsync("doctor", "--offline", "--json");

        var dkim = Checks(result, "dkim").Single();
        Assert.Equal("ok", Text(dkim, "status"));
        Assert.Contains("d=papers.example.org s=news2026 with the 2048-bit key", Text(dkim));
        var lines = Text(Checks(result, "dns").Single()).Split('\n');
        Assert.Equal("papers.example.org. IN TXT \"v=spf1 a:relay.papers.example.org ~all\"", lines[1]);
        Assert.Equal(_record, lines[2]);
        Assert.Equal("_dmarc.papers.example.org. IN TXT \"v=DMARC1; p=none; rua=mailto:postmaster@papers.example.org\"", lines[3]);
        Assert.Empty(Checks(result, "published")); // nothing to compare without --dns-file
    }

    [Fact]
    public async Task The_published_records_pass_when_the_key_matches_the_selector()
    {
        using var app = App();
        var answers = _dir.Write("answers.zone", string.Join('\n',
            "; what dig +noall +answer TXT prints",
            "papers.example.org.  3600 IN TXT \"v=spf1 mx ~all\"",
            _record.Replace(". IN TXT", ". 300 IN TXT", StringComparison.Ordinal),
            "_dmarc.papers.example.org. 3600 IN TXT ( \"v=DMARC1; \"",
            "    \"p=none\" )"));

        var result = await app.RunAsync("doctor", "--offline", "--json", "--dns-file", answers);

        var published = Checks(result, "published");
        Assert.Equal(3, published.Count);
        Assert.All(published, c => Assert.Equal("ok", Text(c, "status")));
        Assert.Contains("the DKIM key at news2026._domainkey.papers.example.org is the one in Dkim:PrivateKeyFile", Text(published[0]));
        Assert.Contains("v=DMARC1; p=none", Text(published[2]));
    }

    [Fact]
    public async Task A_selector_that_publishes_another_key_fails_and_so_does_a_missing_one()
    {
        var other = await new TestApp().RunAsync("dkim", "keygen", "--domain", "papers.example.org", "--selector", "news2026", "--out", _dir.File("other.pem"), "--json");
        var wrong = _dir.Write("wrong.zone", other.Json().GetProperty("record").GetString()!);
        var empty = _dir.Write("empty.zone", "papers.example.org. IN TXT \"v=spf1 mx ~all\"\n");
        using var app = App();

        var mismatch = await app.RunAsync("doctor", "--offline", "--json", "--dns-file", wrong);
        var missing = await app.RunAsync("doctor", "--offline", "--json", "--dns-file", empty);

        Assert.Equal(1, mismatch.ExitCode);
        var key = Checks(mismatch, "published")[0];
        Assert.Equal("failed", Text(key, "status"));
        Assert.Contains("is not the one in Dkim:PrivateKeyFile", Text(key));
        Assert.Contains("Publish the DKIM record above", Text(key, "fix"));
        Assert.Contains("no TXT record at news2026._domainkey.papers.example.org", Text(Checks(missing, "published")[0]));
        Assert.Equal("warning", Text(Checks(missing, "published")[2], "status")); // no DMARC yet
    }

    [Fact]
    public async Task A_signing_domain_that_does_not_align_with_the_sender_is_a_warning()
    {
        using var app = App("--Smtp:From=digest@other.example.net");

        var result = await app.RunAsync("doctor", "--offline", "--json");

        var dkim = Checks(result, "dkim").Single();
        Assert.Equal("warning", Text(dkim, "status"));
        Assert.Contains("DMARC counts a signature only when its domain is the From domain", Text(dkim));
    }

    [Fact]
    public void The_answer_file_reads_zone_lines_with_ttl_class_comments_and_parentheses()
    {
        var answers = DnsAnswers.Parse("""
            ; a comment
            S1._domainkey.Example.org. 300 IN TXT "v=DKIM1; k=rsa; " "p=AB\"C" ; trailing comment
            example.org. IN MX 10 mail.example.org.
            _dmarc.example.org. TXT (
                "v=DMARC1; p=none" )
            """);

        Assert.Equal([new TxtAnswer("s1._domainkey.example.org", "v=DKIM1; k=rsa; p=AB\"C"), new TxtAnswer("_dmarc.example.org", "v=DMARC1; p=none")], answers);
        Assert.Contains("line 1", Assert.Throws<FormatException>(() => DnsAnswers.Parse("x.example.org. IN TXT \"open")).Message);
    }
}

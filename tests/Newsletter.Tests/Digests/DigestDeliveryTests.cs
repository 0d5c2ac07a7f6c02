using System.Text.Json;
using MimeKit;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Digests;

/// <summary>The daily run end to end through the command line into a real maildev.</summary>
public abstract class DigestDeliveryTests(MaildevServer maildev, Backend backend) : IAsyncLifetime
{
    private readonly MaildevServer _maildev = maildev;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        await _maildev.ClearAsync();
        _app = await TestApp.CreateAsync(backend, "--Smtp:Host=127.0.0.1", $"--Smtp:Port={_maildev.SmtpPort}", "--Smtp:Security=None", "--Smtp:MaxPerSecond=0",
            "--Smtp:From=digest@papers.example.org", "--Site:BaseUrl=https://papers.example.org", "--Site:SigningKey=0123456789abcdef0123456789abcdef-test");
    }

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    private async Task AddAsync(string email, params string[] keywords)
    {
        var result = await _app.RunAsync(["subscribers", "add", "--email", email, "--confirmed", .. keywords.SelectMany(k => new[] { "--keyword", k })]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private async Task<CliResult> RunDayAsync(string day)
    {
        var ingest = await _app.RunAsync("ingest", "--from", Corpus.ApiDay(day));
        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        return await _app.RunAsync("digest", "run", "--date", day, "--skip-ingest", "--json");
    }

    [Fact]
    public async Task Each_subscriber_gets_one_multipart_digest_with_the_bulk_mail_headers()
    {
        await AddAsync("ada@example.org", "reinforcement learning");
        await AddAsync("bob@example.org", "text-to-image", "\"diffusion model\"");

        var run = await RunDayAsync("2026-03-11");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, run.Json().GetProperty("sent").GetInt32());
        var emails = await _maildev.WaitForAsync(2);
        Assert.Equal(["ada@example.org", "bob@example.org"], emails.Select(e => e.To.Single()).Order());
        foreach (var email in emails)
        {
            var source = await _maildev.SourceAsync(email.Id);
            var message = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(source)));
            Assert.IsType<MultipartAlternative>(message.Body);
            Assert.Matches(@"^<https://papers\.example\.org/unsubscribe\?token=[^>]+>, <mailto:digest@papers\.example\.org\?subject=unsubscribe%20[^>]+>$", message.Headers["List-Unsubscribe"]);
            Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
            Assert.Equal("bulk", message.Headers["Precedence"]);
            Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
            Assert.Matches(@"^digest\.20260311\.0\.[0-9a-f]{16}@papers\.example\.org$", message.MessageId);
            Assert.Contains("<mark>", message.HtmlBody);
            Assert.Contains("\nUnsubscribe:\nhttps://papers.example.org/unsubscribe?token=", (message.TextBody ?? "").ReplaceLineEndings("\n"));
        }
    }

    [Fact]
    public async Task Running_the_same_day_again_sends_nothing_more()
    {
        await AddAsync("ada@example.org", "reinforcement learning");
        await AddAsync("bob@example.org", "quantization");
        var first = await RunDayAsync("2026-03-11");

        var again = await _app.RunAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json");

        Assert.Equal(2, first.Json().GetProperty("sent").GetInt32());
        Assert.Equal(0, again.Json().GetProperty("planned").GetInt32());
        Assert.Equal(0, again.Json().GetProperty("sent").GetInt32());
        await Task.Delay(300);
        Assert.Equal(2, (await _maildev.EmailsAsync()).Count);
    }

    [Fact]
    public async Task A_paper_already_sent_is_not_sent_again_when_it_trends_on_a_later_day()
    {
        // 9912.00022 (AdaPT, quantized training) is listed on 2025-12-31 and again on 2026-03-11
        await AddAsync("ada@example.org", "quantization", "quantized");
        await RunDayAsync("2025-12-31");
        var firstDigest = (await _maildev.WaitForAsync(1)).Single();

        await RunDayAsync("2026-03-11");
        var emails = await _maildev.WaitForAsync(2);

        Assert.Contains("9912.00022", firstDigest.Text);
        var second = emails.Single(e => e.Id != firstDigest.Id);
        Assert.DoesNotContain("9912.00022", second.Text);
    }

    [Fact]
    public async Task Html_part_escapes_a_hostile_title_and_the_text_part_keeps_it_readable()
    {
        await AddAsync("ada@example.org", "flow matching");
        var listing = _app.Dir.Write("hostile.json", JsonSerializer.Serialize(new[]
        {
            new { paper = new { id = "2603.00001", title = "<script>alert(1)</script> Flow Matching & \"Friends\"", summary = "We study flow matching with <b>tags</b>.", upvotes = 5 } },
        }));
        await _app.RunAsync("ingest", "--from", listing, "--date", "2026-03-20");

        var run = await _app.RunAsync("digest", "run", "--date", "2026-03-20", "--skip-ingest");

        Assert.True(run.ExitCode == 0, run.ToString());
        var email = (await _maildev.WaitForAsync(1)).Single();
        Assert.DoesNotContain("<script>", email.Html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; <mark>Flow Matching</mark> &amp; &quot;Friends&quot;", email.Html);
        Assert.Contains("<script>alert(1)</script> Flow Matching & \"Friends\"", email.Text);
    }

    [Fact]
    public async Task No_email_for_a_subscriber_whom_nothing_matched_nor_for_a_pending_one()
    {
        await AddAsync("ada@example.org", "reinforcement learning");
        await AddAsync("nomatch@example.org", "\"protein folding\" AND cryo");
        var pending = await _app.RunAsync("subscribers", "add", "--email", "pending@example.org", "--keyword", "reinforcement learning");
        Assert.True(pending.ExitCode == 0, pending.ToString());
        await _maildev.ClearAsync(); // the confirmation email

        var run = await RunDayAsync("2026-03-11");

        Assert.Equal(1, run.Json().GetProperty("sent").GetInt32());
        Assert.Equal(["ada@example.org"], (await _maildev.WaitForAsync(1)).Select(e => e.To.Single()));
    }

    [Fact]
    public async Task Dry_run_reports_who_would_get_what_and_sends_and_records_nothing()
    {
        await AddAsync("ada@example.org", "reinforcement learning");
        await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"));

        var dry = await _app.RunAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--dry-run", "--json");
        await Task.Delay(200);
        var real = await _app.RunAsync("digest", "run", "--date", "2026-03-11", "--skip-ingest", "--json");

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Equal(1, dry.Json().GetProperty("planned").GetInt32());
        Assert.Equal(0, dry.Json().GetProperty("sent").GetInt32());
        Assert.Equal(10, dry.Json().GetProperty("digests")[0].GetProperty("papers").GetArrayLength());
        Assert.Equal(1, real.Json().GetProperty("sent").GetInt32());
        Assert.Single(await _maildev.WaitForAsync(1));
    }

    [Fact]
    public async Task A_day_without_papers_is_skipped_not_an_error()
    {
        await AddAsync("ada@example.org", "reinforcement learning");

        var run = await _app.RunAsync("digest", "run", "--date", "2026-01-04", "--skip-ingest", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(0, run.Json().GetProperty("papers").GetInt32());
        Assert.Empty(await _maildev.EmailsAsync());
    }

    [Fact]
    public async Task Adding_a_subscriber_sends_the_confirmation_email_with_a_signed_link()
    {
        var result = await _app.RunAsync("subscribers", "add", "--email", "Carol@Example.org", "--name", "Carol", "--keyword", "robotics", "--keyword", "\"motion planning\"");

        Assert.True(result.ExitCode == 0, result.ToString());
        var email = (await _maildev.WaitForAsync(1)).Single();
        Assert.Equal("carol@example.org", email.To.Single());
        Assert.Contains("Confirm your subscription", email.Subject);
        Assert.Matches(@"https://papers\.example\.org/confirm\?token=[0-9a-f]{16}\.confirm\.\d+\.[A-Za-z0-9_-]+", email.Text);
        Assert.Contains("&quot;motion planning&quot;", email.Html);
    }

    [Theory]
    [InlineData("not-an-address", "is not a valid email address")]
    [InlineData("ada@example.org", "unbalanced quote at column 1 in keyword 1")]
    public async Task A_bad_email_or_keyword_exits_2_and_stores_nothing(string email, string reason)
    {
        var result = await _app.RunAsync("subscribers", "add", "--email", email, "--keyword", email == "ada@example.org" ? "\"unclosed" : "fine");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(reason, result.Stderr);
        Assert.Equal(0, (await _app.RunAsync("subscribers", "list", "--json")).Json().GetArrayLength());
        Assert.Equal(0L, _app.Query("SELECT COUNT(*) FROM profiles"));
    }

    [Fact]
    public async Task Preview_writes_the_digest_and_sends_nothing()
    {
        await AddAsync("ada@example.org", "reinforcement learning");
        await _app.RunAsync("ingest", "--from", Corpus.ApiDay("2026-03-11"));

        var html = await _app.RunAsync("digest", "preview", "--email", "ada@example.org", "--date", "2026-03-11");
        var eml = await _app.RunAsync("digest", "preview", "--email", "ada@example.org", "--date", "2026-03-11", "--format", "eml");

        Assert.StartsWith("<!DOCTYPE html>", html.Stdout);
        Assert.Contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click", eml.Stdout);
        await Task.Delay(200);
        Assert.Empty(await _maildev.EmailsAsync());
    }
}

[Collection(nameof(MaildevCollection))]
public sealed class DigestDeliveryTestsOnSqlite(MaildevServer maildev) : DigestDeliveryTests(maildev, Backend.Sqlite);

[Collection(nameof(MaildevCollection))]
public sealed class DigestDeliveryTestsOnPostgres(MaildevServer maildev) : DigestDeliveryTests(maildev, Backend.Postgres);

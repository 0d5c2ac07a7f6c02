using System.Text.Json;
using Dapper;
using MimeKit;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Inbound;
using Newsletter.Subscribers;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Inbound;

/// <summary>
/// <c>mail process</c> over the samples in tests/corpus/inbound (the Postfix ones captured from a real Postfix, the
/// others written after what Exim, Gmail, Microsoft and the feedback loops send). The samples carry return-path and
/// unsubscribe tokens signed with <see cref="SigningKey"/> for subscriber <see cref="Ada"/>.
/// </summary>
public abstract class InboundProcessingTests(Backend backend) : IAsyncLifetime
{
    public const string SigningKey = "inbound-test-signing-key-0123456789abcdef";
    public const string Ada = "0123456789abcdef";
    public static readonly string[] Settings =
    [
        $"--Site:SigningKey={SigningKey}", "--Smtp:BounceAddress=bounces@newsletter.test", "--Smtp:From=digest@newsletter.test",
        "--Inbound:SoftBounceLimit=3", "--Inbound:SoftBounceDays=14",
    ];

    private TestServices _services = null!;

    public static string Sample(string name) => Path.Combine(Corpus.Root, "inbound", name);

    public async Task InitializeAsync()
    {
        _services = await TestServices.StartAsync(backend, Settings);
        await using var connection = await _services.Get<Database>().OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await _services.Get<SubscriberStore>().InsertAsync(connection, transaction, new Subscriber
        {
            Id = Ada, Email = "ada@newsletter.test", Status = SubscriberStatus.Active, Secret = "secret-ada-0123456789", CreatedAt = "2026-03-01T00:00:00Z",
        });
        foreach (var day in (string[])["2026-03-11", "2026-03-12", "2026-03-13", "2026-03-14"])
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO deliveries (id, subscriber_id, digest_date, sequence, status, message_id, paper_count, attempts, server_reply, created_at, sent_at, updated_at)
                VALUES (@Id, @Subscriber, @Day, 0, 'sent', @MessageId, 3, 1, '250 2.0.0 Ok', @At, @At, @At)
                """,
                new { Id = $"{Ada}:{day}:0", Subscriber = Ada, Day = day, MessageId = $"digest.{day.Replace("-", "")}.0.{Ada}@newsletter.test", At = day + "T08:00:00.0000000+00:00" },
                transaction);
        }
        await transaction.CommitAsync();
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private async Task<JsonElement> ProcessAsync(string path)
    {
        var result = await _services.App.RunAsync("mail", "process", path, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Json();
    }

    private async Task<JsonElement> AdaAsync()
    {
        var list = await _services.App.RunAsync("subscribers", "list", "--json");
        return list.Json().EnumerateArray().Single(s => s.GetProperty("id").GetString() == Ada);
    }

    private object? DeliveryStatus(string day) => _services.App.Query($"SELECT status FROM deliveries WHERE id = '{Ada}:{day}:0'");

    private long Recorded => Convert.ToInt64(_services.App.Query("SELECT count(*) FROM inbound_mail"));

    [Theory]
    [InlineData("postfix-hard-bounce.eml", "unknown user: \"ada\"")]
    [InlineData("exim-hard-bounce.eml", "550 5.1.1 <ada@example.net>: Recipient address rejected: User unknown in virtual mailbox table")]
    [InlineData("gmail-hard-bounce.eml", "The email account that you tried to reach does not exist")]
    [InlineData("microsoft-hard-bounce.eml", "550 5.1.10 RESOLVER.ADR.RecipientNotFound")]
    public async Task A_permanent_failure_report_suppresses_the_subscriber_with_the_remote_servers_words(string sample, string words)
    {
        var result = await ProcessAsync(Sample(sample));

        Assert.Equal("hard-bounce", result.GetProperty("kind").GetString());
        Assert.Equal(Ada, result.GetProperty("subscriberId").GetString());
        Assert.Equal($"{Ada}:2026-03-11:0", result.GetProperty("deliveryId").GetString());
        Assert.True(result.GetProperty("suppressed").GetBoolean());
        var ada = await AdaAsync();
        Assert.Equal("suppressed", ada.GetProperty("status").GetString());
        Assert.Contains(words, ada.GetProperty("statusReason").GetString());
        Assert.Equal("bounced", DeliveryStatus("2026-03-11"));
        Assert.Contains(words, (string)_services.App.Query($"SELECT server_reply FROM deliveries WHERE id = '{Ada}:2026-03-11:0'")!);
    }

    [Fact]
    public async Task Transient_failures_count_and_suppress_only_at_the_soft_bounce_limit()
    {
        var returnPath = _services.Get<ReturnPath>();
        var sample = await File.ReadAllTextAsync(Sample("postfix-soft-bounce.eml"));
        var captured = returnPath.ForDigest(Ada, new DateOnly(2026, 3, 12), 0)!;
        Assert.Contains(captured, sample);
        List<bool> suppressed = [];
        foreach (var day in (int[])[12, 13, 14])
        {
            var file = _services.App.Dir.File($"soft-{day}.eml");
            await File.WriteAllTextAsync(file, sample.Replace(captured, returnPath.ForDigest(Ada, new DateOnly(2026, 3, day), 0), StringComparison.Ordinal));
            var result = await ProcessAsync(file);
            Assert.Equal("soft-bounce", result.GetProperty("kind").GetString());
            Assert.Equal("4.2.2", result.GetProperty("statusCode").GetString());
            suppressed.Add(result.GetProperty("suppressed").GetBoolean());
            if (day == 13)
            {
                Assert.Equal("active", (await AdaAsync()).GetProperty("status").GetString());
            }
        }

        Assert.Equal([false, false, true], suppressed);
        var ada = await AdaAsync();
        Assert.Equal("suppressed", ada.GetProperty("status").GetString());
        Assert.StartsWith("3 soft bounces in 14 days", ada.GetProperty("statusReason").GetString());
        Assert.Contains("Mailbox full", ada.GetProperty("statusReason").GetString());
        Assert.Equal("bounced", DeliveryStatus("2026-03-12"));
    }

    [Fact]
    public async Task The_same_soft_bounce_fed_again_is_a_duplicate_and_counts_once()
    {
        var first = await ProcessAsync(Sample("postfix-soft-bounce.eml"));
        var again = await ProcessAsync(Sample("postfix-soft-bounce.eml"));
        var third = await ProcessAsync(Sample("postfix-soft-bounce.eml"));

        Assert.Equal("soft-bounce", first.GetProperty("kind").GetString());
        Assert.Equal("duplicate", again.GetProperty("kind").GetString());
        Assert.Equal("duplicate", third.GetProperty("kind").GetString());
        Assert.Contains("soft-bounce", again.GetProperty("reason").GetString());
        Assert.Equal(1, Recorded);
        Assert.Equal("active", (await AdaAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Processing_the_same_message_twice_at_once_acts_once_the_database_deciding()
    {
        var message = await MimeMessage.LoadAsync(Sample("postfix-hard-bounce.eml"));
        var processors = Enumerable.Range(0, 4).Select(_ => _services.Get<InboundProcessor>().ProcessAsync(message, CancellationToken.None));

        var results = await Task.WhenAll(processors);

        Assert.Single(results, r => r.Kind == InboundKind.HardBounce);
        Assert.All(results.Where(r => r.Kind != InboundKind.HardBounce), r => Assert.Equal(InboundKind.Duplicate, r.Kind));
        Assert.Equal(1, Recorded);
        Assert.Equal(1L, Convert.ToInt64(_services.App.Query("SELECT count(*) FROM inbound_mail WHERE suppressed = 1")));
    }

    [Fact]
    public async Task A_feedback_report_unsubscribes_and_suppresses_at_once()
    {
        var result = await ProcessAsync(Sample("arf-complaint.eml"));

        Assert.Equal("complaint", result.GetProperty("kind").GetString());
        Assert.Equal("abuse", result.GetProperty("statusCode").GetString());
        Assert.True(result.GetProperty("unsubscribed").GetBoolean());
        var ada = await AdaAsync();
        Assert.Equal("suppressed", ada.GetProperty("status").GetString());
        Assert.Contains("Yahoo!-Mail-Feedback", ada.GetProperty("statusReason").GetString());
        Assert.Equal("complained", DeliveryStatus("2026-03-11"));
    }

    [Fact]
    public async Task A_providers_forwarded_copy_is_a_complaint_found_by_the_digests_signed_unsubscribe_link()
    {
        var result = await ProcessAsync(Sample("forwarded-complaint.eml"));

        Assert.Equal("complaint", result.GetProperty("kind").GetString());
        Assert.Equal($"{Ada}:2026-03-11:0", result.GetProperty("deliveryId").GetString());
        Assert.Equal("suppressed", (await AdaAsync()).GetProperty("status").GetString());
        Assert.Equal("complained", DeliveryStatus("2026-03-11"));
    }

    [Fact]
    public async Task A_mail_to_the_unsubscribe_address_with_the_signed_token_unsubscribes_even_with_an_empty_body()
    {
        var result = await ProcessAsync(Sample("mailto-unsubscribe.eml"));

        Assert.Equal("unsubscribe", result.GetProperty("kind").GetString());
        Assert.True(result.GetProperty("unsubscribed").GetBoolean());
        Assert.Equal("unsubscribed", (await AdaAsync()).GetProperty("status").GetString());
        Assert.Equal("sent", DeliveryStatus("2026-03-11"));
    }

    [Fact]
    public async Task A_forged_return_path_token_is_ignored_and_the_subscriber_stays()
    {
        var result = await ProcessAsync(Sample("forged-token-bounce.eml"));

        Assert.Equal("forged", result.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("subscriberId").ValueKind);
        Assert.Equal("active", (await AdaAsync()).GetProperty("status").GetString());
        Assert.Equal("sent", DeliveryStatus("2026-03-11"));
        Assert.Equal(1, Recorded);
    }

    [Fact]
    public async Task A_mailto_unsubscribe_with_a_token_we_did_not_sign_is_ignored()
    {
        var file = _services.App.Dir.File("forged-unsubscribe.eml");
        var real = await File.ReadAllTextAsync(Sample("mailto-unsubscribe.eml"));
        await File.WriteAllTextAsync(file, real.Replace("CHwKvF-zjbdaE_I9ZUeZlC5I_fYjD-Jc", "CHwKvF-zjbdaE_I9ZUeZlC5I_fYjD-Jd", StringComparison.Ordinal));

        var result = await ProcessAsync(file);

        Assert.Equal("forged", result.GetProperty("kind").GetString());
        Assert.Equal("active", (await AdaAsync()).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("out-of-office.eml")]
    [InlineData("vacation-reply.eml")]
    public async Task Automatic_replies_are_recorded_and_ignored(string sample)
    {
        var result = await ProcessAsync(Sample(sample));

        Assert.Equal("auto-reply", result.GetProperty("kind").GetString());
        Assert.Equal("active", (await AdaAsync()).GetProperty("status").GetString());
        Assert.Equal(1, Recorded);
    }

    [Fact]
    public async Task A_message_that_is_none_of_these_is_left_unrecognised_and_changes_nothing()
    {
        var file = _services.App.Dir.File("question.eml");
        await File.WriteAllTextAsync(file,
            "From: Ada <ada@newsletter.test>\r\nTo: digest@newsletter.test\r\nSubject: Can I get two digests a day?\r\n" +
            "Date: Thu, 12 Mar 2026 09:00:00 +0000\r\nMessage-ID: <q1@newsletter.test>\r\n\r\nThanks!\r\n");

        var result = await ProcessAsync(file);

        Assert.Equal("unrecognised", result.GetProperty("kind").GetString());
        Assert.Equal("active", (await AdaAsync()).GetProperty("status").GetString());
        Assert.Equal(1L, Convert.ToInt64(_services.App.Query("SELECT count(*) FROM inbound_mail WHERE kind = 'unrecognised'")));
    }

    [Fact]
    public async Task A_file_that_is_not_a_message_is_refused_with_exit_2_and_nothing_is_recorded()
    {
        var file = _services.App.Dir.File("garbage.eml");
        await File.WriteAllTextAsync(file, "just some words\nand more words\n");

        var result = await _services.App.RunAsync("mail", "process", file, "--json");
        var missing = await _services.App.RunAsync("mail", "process", _services.App.Dir.File("absent.eml"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not an email message", result.Stderr);
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal(0, Recorded);
    }

    [Fact]
    public async Task Bounces_show_in_the_admin_log_the_runs_the_metrics_counts_and_the_doctors_rates()
    {
        await ProcessAsync(Sample("postfix-hard-bounce.eml"));
        await ProcessAsync(Sample("out-of-office.eml"));

        var log = _services.Get<InboundLog>();
        var items = await log.ListAsync(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), null, 100, CancellationToken.None);
        Assert.Equal(["auto-reply", "hard-bounce"], items.Select(i => i.Kind).Order());
        Assert.True(items.Single(i => i.Kind == "hard-bounce").Suppressed);
        var rates = await log.RatesAsync(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), CancellationToken.None);
        Assert.Equal((4L, 1L, 0L), (rates.Sent, rates.Bounced, rates.Complained));
        var deliveries = await _services.Get<Outbox>().ListAsync(new DateOnly(2026, 3, 11), null, CancellationToken.None);
        Assert.Equal("bounced", Assert.Single(deliveries).Status);
    }
}

public sealed class InboundProcessingTestsOnSqlite() : InboundProcessingTests(Backend.Sqlite);

public sealed class InboundProcessingTestsOnPostgres() : InboundProcessingTests(Backend.Postgres);

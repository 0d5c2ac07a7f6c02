using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Delivery;
using Newsletter.Tests.Digests;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Inbound;

public sealed class ReturnPathTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private ReturnPath Make(string bounceAddress, string key = InboundProcessingTests.SigningKey) => new(
        new LinkSigner(Options.Create(new SiteOptions { SigningKey = key }), new NewsletterHome(_dir.Path, ""), TimeProvider.System),
        Options.Create(new SmtpOptions { BounceAddress = bounceAddress }));

    [Fact]
    public void A_digests_return_path_names_its_delivery_and_reads_back_only_when_signed_by_this_key()
    {
        var returnPath = Make("bounces@newsletter.test");

        var address = returnPath.ForDigest("0123456789abcdef", new DateOnly(2026, 3, 11), 0)!;
        var read = returnPath.Read($"<{address}>");

        Assert.Equal("bounces+0123456789abcdef.260311.0.5f8a7468acb37313@newsletter.test", address); // the token in the corpus samples
        Assert.True(address.Split('@')[0].Length <= 64);
        Assert.Equal(("0123456789abcdef", "0123456789abcdef:2026-03-11:0"), (read!.SubscriberId, read.DeliveryId));
        Assert.True(read.Valid);
        Assert.False(returnPath.Read(address.Replace(".0.5f8a", ".1.5f8a", StringComparison.Ordinal))!.Valid);
        Assert.False(Make("bounces@newsletter.test", "another-signing-key-of-enough-length-000").Read(address)!.Valid);
        Assert.Null(returnPath.Read("someone+0123456789abcdef.260311.0.5f8a7468acb37313@newsletter.test"));
    }

    [Fact]
    public void A_confirmations_return_path_names_the_subscriber_and_no_delivery()
    {
        var returnPath = Make("bounces@newsletter.test");

        var read = returnPath.Read(returnPath.ForConfirmation("0123456789abcdef"));

        Assert.True(read!.Valid);
        Assert.Equal("0123456789abcdef", read.SubscriberId);
        Assert.Null(read.DeliveryId);
    }

    [Fact]
    public void Without_a_bounce_address_there_is_no_return_path_and_nothing_reads_as_one()
    {
        var returnPath = Make("");

        Assert.False(returnPath.Enabled);
        Assert.Null(returnPath.ForDigest("0123456789abcdef", new DateOnly(2026, 3, 11), 0));
        Assert.Null(returnPath.Read("bounces+0123456789abcdef.260311.0.5f8a7468acb37313@newsletter.test"));
    }

    [Theory]
    [InlineData("not an address", "is not an email address")]
    [InlineData("bounces+x@example.org", "already has a '+'")]
    [InlineData("a-very-long-bounce-mailbox-name@example.org", "RFC 5321 allows 64")]
    public void A_bounce_address_that_cannot_carry_the_token_is_refused_at_start_up(string address, string problem)
    {
        var failures = new List<string>();

        ReturnPath.Validate(address, failures);

        Assert.Contains(problem, Assert.Single(failures));
        Assert.StartsWith("Smtp:BounceAddress", failures[0]);
    }

    [Fact]
    public void A_digest_carries_a_feedback_id_of_day_subscriber_hash_kind_and_sender()
    {
        var message = DigestFixtures.Composer().Compose(DigestFixtures.Ada, new DateOnly(2026, 3, 11), DigestFixtures.Selection());

        var parts = message.Headers["Feedback-ID"]!.Split(':');

        Assert.Equal(4, parts.Length);
        Assert.Equal(["20260311", "digest", "example.org"], [parts[0], parts[2], parts[3]]);
        Assert.Matches("^[0-9a-f]{12}$", parts[1]);
        Assert.DoesNotContain(DigestFixtures.Ada.SubscriberId, parts[1]);
    }

    [Fact]
    public async Task The_envelope_sender_goes_out_as_mail_from_and_without_one_the_from_address_does()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));
        var transport = new SmtpMailTransport(Options.Create(new SmtpOptions
        {
            Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None, Connections = 1, MaxPerSecond = 0, TimeoutSeconds = 5,
        }), NullLogger<SmtpMailTransport>.Instance);
        OutgoingMail Mail(int n, string? sender)
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Digest", "digest@newsletter.test"));
            message.To.Add(MailboxAddress.Parse($"reader{n}@example.org"));
            message.Subject = $"Message {n}";
            message.Body = new TextPart("plain") { Text = "Body" };
            return new OutgoingMail($"mail-{n}", message, sender);
        }
        var verp = Make("bounces@newsletter.test").ForDigest("0123456789abcdef", new DateOnly(2026, 3, 11), 0);

        await transport.SendAllAsync(new[] { Mail(1, verp), Mail(2, null) }.ToAsyncEnumerable(), (_, _) => Task.CompletedTask, CancellationToken.None);

        var senders = File.ReadAllLines(server.LogPath).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("from").GetString()).ToList();
        Assert.Equal([verp, "digest@newsletter.test"], senders);
    }
}

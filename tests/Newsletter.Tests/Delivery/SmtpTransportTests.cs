using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Delivery;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Delivery;

[Collection(nameof(MaildevCollection))]
public sealed class SmtpTransportTests(MaildevServer maildev) : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new();

    public Task InitializeAsync() => maildev.ClearAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _dir.Dispose();

    private static SmtpMailTransport Transport(int port, Action<SmtpOptions>? configure = null)
    {
        var options = new SmtpOptions { Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, Connections = 4, MaxPerSecond = 0, RetryBaseDelayMilliseconds = 50, TimeoutSeconds = 5 };
        configure?.Invoke(options);
        return new SmtpMailTransport(Options.Create(options), NullLogger<SmtpMailTransport>.Instance);
    }

    private PickupFolderTransport Pickup() =>
        new(Options.Create(new SmtpOptions { PickupFolder = _dir.File("outbox") }), new Newsletter.Common.NewsletterHome(_dir.Path, ""), TimeProvider.System);

    private static OutgoingMail Mail(string to, int n)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Digest", "digest@example.org"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = $"Message {n}";
        message.MessageId = $"test.{n}.{Guid.NewGuid():N}@example.org";
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Body = new TextPart("plain") { Text = $"Body {n}" };
        return new OutgoingMail($"mail-{n}", message);
    }

    private static async IAsyncEnumerable<OutgoingMail> Stream(IEnumerable<OutgoingMail> mails)
    {
        foreach (var mail in mails)
        {
            await Task.Yield();
            yield return mail;
        }
    }

    private static async Task<Dictionary<string, SendOutcome>> SendAsync(IMailTransport transport, IEnumerable<OutgoingMail> mails)
    {
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, SendOutcome>();
        await transport.SendAllAsync(Stream(mails), (mail, outcome) =>
        {
            Assert.True(outcomes.TryAdd(mail.Id, outcome), $"{mail.Id} reported twice");
            return Task.CompletedTask;
        }, CancellationToken.None);
        return new Dictionary<string, SendOutcome>(outcomes);
    }

    [Fact]
    public async Task Many_messages_over_a_pool_of_connections_all_arrive_once_with_their_headers()
    {
        var mails = Enumerable.Range(0, 40).Select(i => Mail($"reader{i}@example.org", i)).ToList();

        var outcomes = await SendAsync(Transport(maildev.SmtpPort), mails);

        Assert.Equal(40, outcomes.Count);
        Assert.All(outcomes.Values, o => Assert.Equal(SendStatus.Sent, o.Status));
        var received = await maildev.WaitForAsync(40);
        Assert.Equal(40, received.Count);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"reader{i}@example.org").Order(), received.Select(e => e.To.Single()).Order());
        foreach (var email in received)
        {
            Assert.Contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click", await maildev.SourceAsync(email.Id));
        }
    }

    [Fact]
    public async Task An_outcome_that_cannot_be_recorded_stops_the_send_with_its_error_instead_of_hanging()
    {
        // mail that never runs out, like a sender waiting for other nodes' claims: only a stop can end it
        static async IAsyncEnumerable<OutgoingMail> Endless([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var n = 0; ; n++)
            {
                if (n < 6)
                {
                    yield return Mail($"reader{n}@example.org", n);
                }
                else
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
            }
        }
        var recorded = 0;

        var send = Transport(maildev.SmtpPort).SendAllAsync(Endless(), (mail, _) =>
            Interlocked.Increment(ref recorded) == 3 ? Task.FromException(new InvalidOperationException("the outbox refused the mark")) : Task.CompletedTask,
            CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => send.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("the outbox refused the mark", error.Message);
    }

    [Fact]
    public async Task Temporary_failure_is_retried_with_backoff_and_then_delivered_once()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));

        var outcomes = await SendAsync(Transport(server.Port), [Mail("tempfail-2-ada@example.org", 1), Mail("bob@example.org", 2)]);

        Assert.Equal(SendStatus.Sent, outcomes["mail-1"].Status);
        Assert.Equal(3, outcomes["mail-1"].Attempts);
        Assert.Single(server.Accepted(), to => to.Contains("tempfail-2-ada@example.org"));
        Assert.Single(server.Accepted(), to => to.Contains("bob@example.org"));
    }

    [Fact]
    public async Task Temporary_failures_that_never_end_are_given_up_with_the_servers_reply()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));

        var outcomes = await SendAsync(Transport(server.Port, o => o.MaxAttempts = 3), [Mail("tempfail-9-ada@example.org", 1)]);

        Assert.Equal(SendStatus.TemporaryFailure, outcomes["mail-1"].Status);
        Assert.Equal(3, outcomes["mail-1"].Attempts);
        Assert.Contains("451", outcomes["mail-1"].ServerReply);
        Assert.Contains("Greylisted", outcomes["mail-1"].ServerReply);
    }

    [Fact]
    public async Task Permanent_refusal_is_final_with_the_servers_words_and_the_others_still_go()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));

        var outcomes = await SendAsync(Transport(server.Port), [Mail("reject-ada@example.org", 1), Mail("bob@example.org", 2), Mail("carol@example.org", 3)]);

        Assert.Equal(SendStatus.PermanentFailure, outcomes["mail-1"].Status);
        Assert.Equal(1, outcomes["mail-1"].Attempts);
        Assert.StartsWith("550", outcomes["mail-1"].ServerReply);
        Assert.Contains("User unknown", outcomes["mail-1"].ServerReply);
        Assert.Equal(SendStatus.Sent, outcomes["mail-2"].Status);
        Assert.Equal(SendStatus.Sent, outcomes["mail-3"].Status);
        Assert.Equal(2, server.Accepted().Count);
    }

    [Fact]
    public async Task A_refused_sender_is_our_misconfiguration_and_never_a_permanent_failure_of_the_recipient()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));
        var mail = Mail("ada@example.org", 1);
        mail.Message.From.Clear();
        mail.Message.From.Add(MailboxAddress.Parse("blocked@example.org"));

        var outcomes = await SendAsync(Transport(server.Port), [mail]);

        Assert.Equal(SendStatus.TemporaryFailure, outcomes["mail-1"].Status);
        Assert.Contains("refused the sender address (Smtp:From)", outcomes["mail-1"].ServerReply);
        Assert.Contains("553", outcomes["mail-1"].ServerReply);
        Assert.Empty(server.Accepted());
    }

    [Fact]
    public async Task A_connection_dropped_before_the_reply_to_a_whole_message_is_uncertain_and_not_sent_again_at_once()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));

        var outcomes = await SendAsync(Transport(server.Port, o => o.Connections = 1), [Mail("drop-ada@example.org", 1), Mail("bob@example.org", 2)]);

        // the server may have taken it: sending it again at once could deliver it twice (the outbox tries it once more, later)
        Assert.Equal(SendStatus.Uncertain, outcomes["mail-1"].Status);
        Assert.Equal(1, outcomes["mail-1"].Attempts);
        Assert.Contains("took the message but the connection broke", outcomes["mail-1"].ServerReply);
        Assert.Equal(SendStatus.Sent, outcomes["mail-2"].Status);
        Assert.DoesNotContain(server.Accepted(), to => to.Contains("drop-ada@example.org"));

        var later = await SendAsync(Transport(server.Port), [Mail("drop-ada@example.org", 1)]);
        Assert.Equal(SendStatus.Sent, later["mail-1"].Status);
        Assert.Single(server.Accepted(), to => to.Contains("drop-ada@example.org"));
    }

    [Fact]
    public async Task A_command_that_gets_no_answer_times_out_after_the_command_timeout()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));
        var clock = Stopwatch.StartNew();

        var outcomes = await SendAsync(Transport(server.Port, o => (o.TimeoutSeconds, o.MaxAttempts, o.DataTimeoutSeconds) = (1, 2, 60)), [Mail("mute-ada@example.org", 1)]);

        Assert.Equal(SendStatus.TemporaryFailure, outcomes["mail-1"].Status);
        Assert.Contains("did not answer within 1 s", outcomes["mail-1"].ServerReply);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed.TotalSeconds:0} s: the data timeout was used for a command");
    }

    [Fact]
    public async Task A_slow_reply_after_the_message_is_waited_for_and_the_message_delivered_once()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));

        // the reply comes 5 s after the message: longer than a command may take, shorter than the end-of-data wait
        var outcomes = await SendAsync(Transport(server.Port, o => (o.TimeoutSeconds, o.DataTimeoutSeconds) = (3, 30)), [Mail("slow-5-ada@example.org", 1)]);

        Assert.Equal(SendStatus.Sent, outcomes["mail-1"].Status);
        Assert.Equal(1, outcomes["mail-1"].Attempts);
        Assert.Single(server.Accepted());
    }

    [Fact]
    public async Task A_reply_that_never_comes_after_the_message_leaves_it_uncertain_after_the_data_timeout()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));

        var outcomes = await SendAsync(Transport(server.Port, o => (o.TimeoutSeconds, o.DataTimeoutSeconds) = (4, 6)), [Mail("slow-60-ada@example.org", 1)]);

        Assert.Equal(SendStatus.Uncertain, outcomes["mail-1"].Status);
        Assert.Equal(1, outcomes["mail-1"].Attempts);
        Assert.Contains("no reply within 6 s", outcomes["mail-1"].ServerReply);
    }

    [Fact]
    public async Task A_message_that_cannot_be_written_fails_alone_and_the_others_still_go()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"));
        var broken = Mail("ada@example.org", 1);
        broken.Message.Body = new MimePart("application", "octet-stream")
        {
            Content = new MimeContent(new UnreadableStream()),
            ContentTransferEncoding = ContentEncoding.Base64,
        };

        var outcomes = await SendAsync(Transport(server.Port, o => o.Connections = 1), [broken, Mail("bob@example.org", 2), Mail("carol@example.org", 3)]);

        Assert.Equal(SendStatus.MessageFailure, outcomes["mail-1"].Status);
        Assert.Contains("could not send the message", outcomes["mail-1"].ServerReply);
        Assert.Contains("the stored attachment is gone", outcomes["mail-1"].ServerReply);
        Assert.Equal(SendStatus.Sent, outcomes["mail-2"].Status);
        Assert.Equal(SendStatus.Sent, outcomes["mail-3"].Status);
        Assert.Equal(["bob@example.org", "carol@example.org"], server.Accepted().Select(to => to.Single()).Order());
    }

    [Fact]
    public async Task An_address_that_needs_smtputf8_is_never_sent_to_a_server_that_does_not_offer_it()
    {
        await using var server = await SmtpTestServer.StartAsync(_dir.File("accepted.jsonl"), smtpUtf8: false);

        var outcomes = await SendAsync(Transport(server.Port), [Mail("jörg@example.org", 1), Mail("bob@example.org", 2)]);

        Assert.Equal(SendStatus.MessageFailure, outcomes["mail-1"].Status);
        Assert.Contains("jörg@example.org needs SMTPUTF8", outcomes["mail-1"].ServerReply);
        Assert.Equal(SendStatus.Sent, outcomes["mail-2"].Status);
        Assert.Equal(["bob@example.org"], server.Accepted().Select(to => to.Single()));
    }

    /// <summary>Content that fails when MimeKit reads it: a fault in one message, not in the connection.</summary>
    private sealed class UnreadableStream : MemoryStream
    {
        public UnreadableStream()
            : base(new byte[64])
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("the stored attachment is gone");

        public override int Read(Span<byte> buffer) => throw new InvalidOperationException("the stored attachment is gone");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the stored attachment is gone");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the stored attachment is gone");
    }

    [Fact]
    public async Task The_configured_rate_is_held_across_all_connections()
    {
        var mails = Enumerable.Range(0, 21).Select(i => Mail($"rate{i}@example.org", i)).ToList();
        var clock = Stopwatch.StartNew();

        await SendAsync(Transport(maildev.SmtpPort, o => o.MaxPerSecond = 20), mails);

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"21 messages at 20/s took only {clock.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task A_closed_port_is_reported_in_plain_words()
    {
        var port = Ports.Free();

        var problem = await Transport(port).CheckAsync(CancellationToken.None);

        Assert.Equal($"cannot connect to SMTP server 127.0.0.1:{port}: connection refused", problem);
        Assert.Null(await Transport(maildev.SmtpPort).CheckAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Pickup_folder_writes_one_loadable_eml_per_message()
    {
        var transport = Pickup();

        var outcomes = await SendAsync(transport, [Mail("ada@example.org", 1), Mail("bob@example.org", 2)]);

        Assert.All(outcomes.Values, o => Assert.Equal(SendStatus.Sent, o.Status));
        var files = Directory.GetFiles(_dir.File("outbox"), "*.eml", SearchOption.AllDirectories);
        Assert.Equal(2, files.Length);
        var loaded = await MimeMessage.LoadAsync(files.Single(f => File.ReadAllText(f).Contains("Message 1")));
        Assert.Equal("ada@example.org", loaded.To.Mailboxes.Single().Address);
        Assert.Empty(Directory.GetFiles(_dir.File("outbox"), "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_message_that_fails_half_way_into_the_pickup_folder_leaves_no_file_behind()
    {
        var transport = Pickup();
        var broken = Mail("ada@example.org", 1);
        broken.Message.Body = new MimePart("application", "octet-stream") { Content = new MimeContent(new UnreadableStream()), ContentTransferEncoding = ContentEncoding.Base64 };

        var outcomes = await SendAsync(transport, [broken, Mail("bob@example.org", 2)]);

        Assert.Equal(SendStatus.MessageFailure, outcomes["mail-1"].Status);
        Assert.Equal(SendStatus.Sent, outcomes["mail-2"].Status);
        Assert.Single(Directory.GetFiles(_dir.File("outbox"), "*.eml", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(_dir.File("outbox"), "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("Port", "0", "Smtp:Port: must be between 1 and 65535 (was 0).")]
    [InlineData("From", "not an address", "Smtp:From: 'not an address' is not an email address.")]
    [InlineData("Connections", "0", "Smtp:Connections: must be between 1 and 64 (was 0).")]
    [InlineData("MaxPerSecond", "-5", "Smtp:MaxPerSecond: must be 0 (no limit) or between 0.01 and 10000 (was -5).")]
    public async Task Wrong_smtp_settings_stop_start_up_naming_the_setting(string setting, string value, string expected)
    {
        using var app = new TestApp($"--Smtp:{setting}={value}");

        var result = await app.RunAsync("papers", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
    }
}

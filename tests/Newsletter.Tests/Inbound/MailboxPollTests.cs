using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Cli;
using Newsletter.Common;
using Newsletter.Hosting;
using Newsletter.Inbound;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Inbound;

/// <summary>
/// The bounce mailbox read for real: a Dovecot of this test run (IMAP and POP3 on loopback) holding the DSN, ARF and
/// auto-reply fixtures, read by <see cref="MailboxPoller"/> with a processing that records each message's effect once.
/// </summary>
public sealed class MailboxPollTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly EffectLedger _ledger;

    public MailboxPollTests() => _ledger = new EffectLedger(_dir.Path);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Imap_messages_are_processed_once_each_and_moved_to_the_processed_folder()
    {
        var mailbox = await NewMailboxAsync();
        var messages = PollFixtures.Many(5);
        await mailbox.AppendAsync(messages);

        var report = await Poller(mailbox).PollAsync(CancellationToken.None);

        Assert.Equal(Ids(messages), _ledger.Effects);
        Assert.Equal(5, report.Processed);
        Assert.Equal(new Dictionary<string, int> { ["auto-reply"] = 1, ["complaint"] = 1, ["hard-bounce"] = 1, ["soft-bounce"] = 1, ["unrecognised"] = 1 }, report.Kinds);
        Assert.Empty(report.Errors);
        Assert.Empty(await mailbox.MessageIdsAsync());
        Assert.Equal(Ids(messages), await mailbox.MessageIdsAsync("Processed"));
    }

    [Fact]
    public async Task A_second_imap_poll_reads_nothing_and_a_new_message_is_processed_alone()
    {
        var mailbox = await NewMailboxAsync();
        await mailbox.AppendAsync(PollFixtures.Many(3));
        await Poller(mailbox).PollAsync(CancellationToken.None);

        var again = await Poller(mailbox).PollAsync(CancellationToken.None);
        Assert.Equal(0, again.Processed);
        Assert.Equal(3, _ledger.Calls.Count);

        var late = PollFixtures.Many(1, "late");
        await mailbox.AppendAsync(late);
        var third = await Poller(mailbox).PollAsync(CancellationToken.None);
        Assert.Equal(1, third.Processed);
        Assert.Equal(4, _ledger.Calls.Count);
        Assert.Equal(4, (await mailbox.MessageIdsAsync("Processed")).Count);
    }

    [Fact]
    public async Task Unrecognised_messages_are_moved_too_and_tagged_for_a_person_to_read()
    {
        var mailbox = await NewMailboxAsync();
        var reply = PollFixtures.Load("human-reply");
        var bounce = PollFixtures.Load("dsn-hard-bounce");
        await mailbox.AppendAsync([reply, bounce]);

        await Poller(mailbox).PollAsync(CancellationToken.None);

        Assert.Empty(await mailbox.MessageIdsAsync());
        Assert.Equal([reply.MessageId!], await mailbox.MessageIdsWithKeywordAsync("Processed", MailboxPoller.UnrecognisedKeyword));
    }

    [Fact]
    public async Task Imap_reads_the_configured_folder_and_moves_into_an_existing_processed_folder()
    {
        var mailbox = await NewMailboxAsync();
        var messages = PollFixtures.Many(2);
        await mailbox.AppendAsync(PollFixtures.Many(1, "inbox")); // not in the folder configured: left alone
        await Poller(mailbox, o => o.ProcessedFolder = "Done").PollAsync(CancellationToken.None); // creates Done
        await mailbox.AppendAsync(PollFixtures.Many(1, "moved-back"), "Done");
        await CreateFolderAndAppendAsync(mailbox, "Bounces", messages);

        var report = await Poller(mailbox, o => { o.Folder = "Bounces"; o.ProcessedFolder = "Done"; }).PollAsync(CancellationToken.None);

        Assert.Equal(2, report.Processed);
        Assert.Empty(await mailbox.MessageIdsAsync("Bounces"));
        Assert.Equal(["inbox-000@test.example", "moved-back-000@test.example", .. Ids(messages)], await mailbox.MessageIdsAsync("Done"));
    }

    [Fact]
    public async Task Pop3_messages_are_processed_once_each_and_deleted()
    {
        var mailbox = await NewMailboxAsync();
        var messages = PollFixtures.Many(5);
        await mailbox.AppendAsync(messages);

        var report = await Poller(mailbox, protocol: MailboxProtocol.Pop3).PollAsync(CancellationToken.None);

        Assert.Equal(Ids(messages), _ledger.Effects);
        Assert.Equal(5, report.Processed);
        Assert.Empty(await mailbox.MessageIdsAsync());
        Assert.Equal(0, (await Poller(mailbox, protocol: MailboxProtocol.Pop3).PollAsync(CancellationToken.None)).Processed);
    }

    [Theory]
    [InlineData(MailboxProtocol.Imap)]
    [InlineData(MailboxProtocol.Pop3)]
    public async Task A_message_the_processing_throws_on_is_reported_and_left_while_the_rest_are_processed(MailboxProtocol protocol)
    {
        var mailbox = await NewMailboxAsync();
        var messages = PollFixtures.Many(5);
        await mailbox.AppendAsync(messages);
        _ledger.Failing.Add(messages[1].MessageId!);

        var report = await Poller(mailbox, protocol: protocol).PollAsync(CancellationToken.None);

        Assert.Equal(4, report.Processed);
        var error = Assert.Single(report.Errors);
        Assert.Equal(messages[1].MessageId, error.MessageId);
        Assert.Contains($"cannot handle {messages[1].MessageId}", error.Error);
        Assert.Equal([messages[1].MessageId!], await mailbox.MessageIdsAsync());

        _ledger.Failing.Clear(); // the cause passed (the database is back): the next poll takes it
        var next = await Poller(mailbox, protocol: protocol).PollAsync(CancellationToken.None);
        Assert.Equal(1, next.Processed);
        Assert.Empty(await mailbox.MessageIdsAsync());
        Assert.Equal(Ids(messages).Order(), _ledger.Effects.Order());
    }

    [Theory]
    [InlineData(MailboxProtocol.Imap)]
    [InlineData(MailboxProtocol.Pop3)]
    public async Task A_wrong_password_is_an_error_that_names_the_settings(MailboxProtocol protocol)
    {
        var mailbox = await NewMailboxAsync();
        await mailbox.AppendAsync(PollFixtures.Many(1));

        var e = await Assert.ThrowsAsync<MailboxException>(() => Poller(mailbox, o => o.Password = "not-the-password", protocol).PollAsync(CancellationToken.None));

        Assert.Contains($"refused the login of '{mailbox.UserName}'", e.Message);
        Assert.Contains("Inbound:UserName and Inbound:Password", e.Message);
        Assert.Empty(_ledger.Calls);
        Assert.Single(await mailbox.MessageIdsAsync());
    }

    [Fact]
    public async Task A_folder_that_does_not_exist_is_an_error_that_names_the_setting()
    {
        var mailbox = await NewMailboxAsync();

        var e = await Assert.ThrowsAsync<MailboxException>(() => Poller(mailbox, o => o.Folder = "Bounces").PollAsync(CancellationToken.None));

        Assert.Contains("'Bounces' (Inbound:Folder) does not exist", e.Message);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_is_an_error_that_names_the_settings()
    {
        var mailbox = await NewMailboxAsync();

        var e = await Assert.ThrowsAsync<MailboxException>(() => Poller(mailbox, o => o.Port = Ports.Free()).PollAsync(CancellationToken.None));

        Assert.Contains("cannot connect to the IMAP server 127.0.0.1:", e.Message);
        Assert.Contains("Inbound:Host, Inbound:Port", e.Message);
    }

    /// <summary>
    /// The crash the design is for: the poll dies right after a message's effect was applied, before the message
    /// left the folder (here the poll is abandoned mid-folder and its connection dropped without LOGOUT or QUIT, the
    /// in-process stand-in for kill -9 until <c>mail poll</c> runs the real processing in its own process). Polling
    /// again reads that message again (and with POP3, every one before it), and every effect is still applied once.
    /// </summary>
    [Theory]
    [InlineData(MailboxProtocol.Imap)]
    [InlineData(MailboxProtocol.Pop3)]
    public async Task A_poll_that_dies_halfway_through_the_folder_and_runs_again_applies_every_message_once(MailboxProtocol protocol)
    {
        var mailbox = await NewMailboxAsync();
        var messages = PollFixtures.Many(20);
        await mailbox.AppendAsync(messages);
        using var crash = new CancellationTokenSource();
        _ledger.AfterEffect = m =>
        {
            if (m.MessageId == messages[9].MessageId)
            {
                crash.Cancel();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Poller(mailbox, protocol: protocol).PollAsync(crash.Token));
        Assert.Equal(10, _ledger.Effects.Count);
        var left = await mailbox.MessageIdsAsync();
        Assert.Equal(protocol == MailboxProtocol.Imap ? Ids(messages)[9..] : Ids(messages), left);

        _ledger.AfterEffect = null;
        var restarted = new EffectLedger(_dir.Path); // a new process: only the effects on disk are known
        var report = await Poller(mailbox, protocol: protocol, ledger: restarted).PollAsync(CancellationToken.None);

        Assert.Equal(Ids(messages), _ledger.Effects); // each once, in order
        Assert.Equal(protocol == MailboxProtocol.Imap ? 1 : 10, report.Kinds["duplicate"]);
        Assert.Equal(protocol == MailboxProtocol.Imap ? 11 : 20, report.Processed);
        Assert.Empty(await mailbox.MessageIdsAsync());
    }

    [Fact]
    public async Task Mail_poll_prints_the_counts_by_kind_as_json_and_fails_on_a_message_left()
    {
        var mailbox = await NewMailboxAsync();
        var messages = PollFixtures.Many(6);
        await mailbox.AppendAsync(messages);
        _ledger.Failing.Add(messages[4].MessageId!);
        using var app = new TestApp(mailbox.Settings());

        var result = await RunPollAsync(app, "--json");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        var json = result.Json();
        Assert.Equal(5, json.GetProperty("processed").GetInt32());
        Assert.Equal(2, json.GetProperty("kinds").GetProperty("hard-bounce").GetInt32());
        Assert.Equal(messages[4].MessageId, json.GetProperty("errors")[0].GetProperty("messageId").GetString());
        Assert.Equal($"imap://{mailbox.UserName}@127.0.0.1:{mailbox.Server.ImapPort}/INBOX", json.GetProperty("mailbox").GetString());
    }

    [Fact]
    public async Task Mail_poll_with_a_wrong_password_says_which_settings_to_check()
    {
        var mailbox = await NewMailboxAsync();
        using var app = new TestApp(mailbox.Settings(password: "wrong"));

        var result = await RunPollAsync(app);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("check Inbound:UserName and Inbound:Password", result.Stderr);
        Assert.DoesNotContain("wrong", result.Stderr.Replace("the login of", ""));
    }

    [Fact]
    public async Task Mail_poll_without_a_mailbox_says_Inbound_Host_is_not_set()
    {
        using var app = new TestApp();

        var result = await RunPollAsync(app);

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains("Inbound:Host is not set", result.Stderr);
    }

    private static async Task<DovecotMailbox> NewMailboxAsync() => (await DovecotServer.InstanceAsync()).CreateMailbox();

    private MailboxPoller Poller(DovecotMailbox mailbox, Action<MailboxOptions>? adjust = null, MailboxProtocol protocol = MailboxProtocol.Imap, EffectLedger? ledger = null)
    {
        var options = new MailboxOptions
        {
            Host = "127.0.0.1", Port = protocol == MailboxProtocol.Pop3 ? mailbox.Server.Pop3Port : mailbox.Server.ImapPort, Security = MailboxSecurity.None,
            Protocol = protocol, UserName = mailbox.UserName, Password = mailbox.Password, TimeoutSeconds = 30,
        };
        adjust?.Invoke(options);
        return new MailboxPoller(Options.Create(options), (ledger ?? _ledger).ProcessAsync, NullLogger<MailboxPoller>.Instance);
    }

    private static string[] Ids(IEnumerable<MimeMessage> messages) => [.. messages.Select(m => m.MessageId!)];

    private static async Task CreateFolderAndAppendAsync(DovecotMailbox mailbox, string folder, IEnumerable<MimeMessage> messages)
    {
        using var client = new MailKit.Net.Imap.ImapClient();
        await client.ConnectAsync("127.0.0.1", mailbox.Server.ImapPort, MailKit.Security.SecureSocketOptions.None);
        await client.AuthenticateAsync(mailbox.UserName, mailbox.Password);
        await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync(folder, true);
        await client.DisconnectAsync(true);
        await mailbox.AppendAsync(messages, folder);
    }

    /// <summary><c>mail poll</c> as the command tree will hold it (the lead adds it to the <c>mail</c> group), with the ledger as its processing.</summary>
    private async Task<CliResult> RunPollAsync(TestApp app, params string[] args)
    {
        var switches = ConfigSwitches.Extract([.. app.Settings, "mail", "poll", .. args]);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        CliContext context = null!;
        context = new CliContext(stdout, stderr, switches)
        {
            Runner = (body, migrate, ct) => CommandRunner.RunAsync(context, body, ct, migrate),
            Describe = CommandRunner.Describe,
            BuildHost = services => AppHost.BuildForCommand(switches, services),
        };
        var root = new RootCommand { new Command("mail") { MailPollCommand.Create(context, _ => _ledger.ProcessAsync) } };
        var code = await root.Parse(switches.CommandArgs).InvokeAsync(new InvocationConfiguration { Output = context.Output, Error = context.Error });
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}

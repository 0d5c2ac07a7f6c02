using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Inbound;
using Newsletter.Scheduling;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Inbound;

/// <summary>The job <c>serve</c> runs every Inbound:PollMinutes, and the settings it reads.</summary>
public sealed class MailboxPollJobTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_poll_job_reads_the_mailbox_with_the_processing_the_composition_root_registered()
    {
        var mailbox = (await DovecotServer.InstanceAsync()).CreateMailbox();
        await mailbox.AppendAsync(PollFixtures.Many(3));
        var ledger = new EffectLedger(_dir.Path);

        await new MailboxPollJob(Services(mailbox, ledger.ProcessAsync), NullLogger<MailboxPollJob>.Instance).Execute(null!, CancellationToken.None);

        Assert.Equal(3, ledger.Effects.Count);
        Assert.Empty(await mailbox.MessageIdsAsync());
    }

    [Fact]
    public void Mailbox_settings_are_checked_only_when_a_mailbox_is_set()
    {
        var validator = new MailboxOptionsValidator();
        Assert.True(validator.Validate(null, new MailboxOptions { PollMinutes = -1, Folder = "" }).Succeeded);

        var result = validator.Validate(null, new MailboxOptions { Host = "imap.example.org", PollMinutes = -1, ProcessedFolder = "inbox" });

        Assert.Contains("Inbound:PollMinutes: must be between 0 (no polling in serve) and 1440 (was -1).", result.Failures!);
        Assert.Contains(result.Failures!, f => f.StartsWith("Inbound:UserName: must be set", StringComparison.Ordinal));
        Assert.Contains("Inbound:ProcessedFolder: must differ from Inbound:Folder ('INBOX').", result.Failures!);
        Assert.Contains(validator.Validate(null, new MailboxOptions { Host = "pop.example.org", UserName = "u", Password = "p", Protocol = MailboxProtocol.Pop3, Folder = "Bounces" }).Failures!,
            f => f.StartsWith("Inbound:Folder: POP3 has only the inbox", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_mailbox_setting_stops_start_up_with_its_name()
    {
        using var app = new TestApp("--Inbound:Host=imap.example.org", "--Inbound:UserName=bounces", "--Inbound:PollMinutes=99999");

        var result = await app.RunAsync("papers", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Inbound:Password: is empty while Inbound:UserName is set.", result.Stderr);
        Assert.Contains("Inbound:PollMinutes: must be between 0", result.Stderr);
    }

    private static ServiceProvider Services(DovecotMailbox mailbox, Func<MimeMessage, CancellationToken, Task<string>>? process)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton(Options.Create(new MailboxOptions
        {
            Host = "127.0.0.1", Port = mailbox.Server.ImapPort, Security = MailboxSecurity.None, UserName = mailbox.UserName, Password = mailbox.Password,
        }));
        if (process is not null)
        {
            services.AddSingleton(process);
        }
        return services.BuildServiceProvider();
    }
}

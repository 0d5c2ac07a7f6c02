using Newsletter.Tests.Support;

namespace Newsletter.Tests.Inbound;

/// <summary>The real program reading a real Dovecot mailbox with the real processor, killed with SIGKILL halfway.</summary>
public sealed class MailPollKillTests
{
    private const int Messages = 300;

    [Fact]
    public async Task Mail_poll_killed_halfway_through_a_folder_and_started_again_processes_every_message_once()
    {
        var mailbox = (await DovecotServer.InstanceAsync()).CreateMailbox();
        await mailbox.AppendAsync(PollFixtures.Many(Messages, "killed"));
        using var app = new TestApp(mailbox.Settings());
        Assert.Equal(0, (await app.RunAsync("db", "migrate")).ExitCode);
        string[] poll = [.. app.Settings, "mail", "poll", "--json"];

        var first = ProgramProcess.Start(poll);
        while (!first.Process.HasExited && (await mailbox.MessageIdsAsync("Processed")).Count < Messages / 10)
        {
            await Task.Delay(25);
        }
        first.Process.Kill(entireProcessTree: true); // SIGKILL: no clean-up, no LOGOUT
        await first.Process.WaitForExitAsync();
        var leftInTheInbox = (await mailbox.MessageIdsAsync("INBOX")).Count;
        Assert.True(leftInTheInbox is > 0 and < Messages, $"{leftInTheInbox} left: the poll was not killed halfway, so nothing was tested");

        var second = await ProgramProcess.Start(poll).ExitAsync();

        Assert.True(second.Code == 0, second.Stderr);
        Assert.Empty(await mailbox.MessageIdsAsync("INBOX"));
        var processed = await mailbox.MessageIdsAsync("Processed");
        Assert.Equal(Messages, processed.Count);
        Assert.Equal(Messages, processed.Distinct().Count());
        // every message recorded once, whichever run processed it: the one processed and not yet moved when the
        // first run died comes back to the second as a duplicate and changes nothing
        Assert.Equal((long)Messages, app.Query("SELECT count(*) FROM inbound_mail"));
        Assert.Equal((long)Messages, app.Query("SELECT count(DISTINCT message_id) FROM inbound_mail"));
        var json = System.Text.Json.JsonDocument.Parse(second.Stdout).RootElement;
        Assert.Equal(leftInTheInbox, json.GetProperty("processed").GetInt32());
    }
}

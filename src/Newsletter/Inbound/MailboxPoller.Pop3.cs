using MailKit.Net.Pop3;

namespace Newsletter.Inbound;

public sealed partial class MailboxPoller
{
    /// <summary>
    /// Every message in the order the server lists them (oldest first); those processed are marked with DELE, which
    /// the server carries out only at QUIT, so a poll that dies leaves the mailbox as it found it.
    /// </summary>
    private async Task PollPop3Async(PollReport report, CancellationToken cancellationToken)
    {
        using var client = new Pop3Client();
        await ConnectAsync(client, "POP3", cancellationToken);
        var count = client.Count;
        for (var index = 0; index < count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var at = index;
            var kind = await ProcessOneAsync($"#{at + 1}", ct => client.GetMessageAsync(at, ct), report, cancellationToken);
            if (kind is not null)
            {
                await client.DeleteMessageAsync(at, cancellationToken);
            }
        }
        await DisconnectAsync(client, cancellationToken);
    }
}

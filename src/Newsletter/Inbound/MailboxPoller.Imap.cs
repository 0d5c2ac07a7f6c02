using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;

namespace Newsletter.Inbound;

public sealed partial class MailboxPoller
{
    private async Task PollImapAsync(PollReport report, CancellationToken cancellationToken)
    {
        using var client = new ImapClient();
        await ConnectAsync(client, "IMAP", cancellationToken);
        var folder = await OpenFolderAsync(client, _options.Folder, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        var processed = await ProcessedFolderAsync(client, report, cancellationToken);
        var tagUnrecognised = folder.PermanentFlags.HasFlag(MessageFlags.UserDefined);
        // a message flagged \Deleted was already copied to the processed folder by a move whose expunge never came
        var uids = (await folder.SearchAsync(SearchQuery.NotDeleted, cancellationToken)).OrderBy(uid => uid.Id).ToList();
        foreach (var uid in uids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var kind = await ProcessOneAsync($"UID {uid.Id}", ct => folder.GetMessageAsync(uid, ct), report, cancellationToken);
            if (kind is null)
            {
                continue;
            }
            if (kind == Unrecognised && tagUnrecognised)
            {
                await folder.StoreAsync(uid, new StoreFlagsRequest(StoreAction.Add, MessageFlags.None) { Keywords = { UnrecognisedKeyword }, Silent = true }, cancellationToken);
            }
            await folder.MoveToAsync(uid, processed, cancellationToken);
        }
        await DisconnectAsync(client, cancellationToken);
    }

    private async Task<IMailFolder> OpenFolderAsync(ImapClient client, string name, CancellationToken cancellationToken)
    {
        if (string.Equals(name.Trim(), "INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return client.Inbox;
        }
        try
        {
            return await client.GetFolderAsync(name.Trim(), cancellationToken);
        }
        catch (FolderNotFoundException e)
        {
            throw new MailboxException($"the folder '{name}' (Inbound:Folder) does not exist in {_options.Describe()}.", e);
        }
    }

    /// <summary>The folder processed messages go to, made at the top of the personal namespace the first time.</summary>
    private async Task<IMailFolder> ProcessedFolderAsync(ImapClient client, PollReport report, CancellationToken cancellationToken)
    {
        var name = _options.ProcessedFolder.Trim();
        try
        {
            return await client.GetFolderAsync(name, cancellationToken);
        }
        catch (FolderNotFoundException)
        {
            var root = client.GetFolder(client.PersonalNamespaces[0]);
            var created = await root.CreateAsync(name, isMessageFolder: true, cancellationToken)
                ?? throw new MailboxException($"the folder '{name}' (Inbound:ProcessedFolder) could not be created in {_options.Describe()}.");
            LogFolderCreated(report.Mailbox, name);
            return created;
        }
    }
}

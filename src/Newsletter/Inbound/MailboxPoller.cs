using MailKit;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Newsletter.Inbound;

/// <summary>
/// Reads the bounce mailbox once and hands each message to the processing, one at a time, oldest first.
/// <para>
/// <b>Exactly once.</b> A message leaves the folder only after its processing returned: with IMAP it is then moved to
/// <see cref="MailboxOptions.ProcessedFolder"/> (MOVE, which MailKit does as COPY, \Deleted and UID EXPUNGE on a
/// server without it), in UID order, each before the next is read; with POP3, which has no folders, it is marked
/// with DELE and the whole session is committed by QUIT at the end. The mailbox is therefore the to-do list, and a
/// crash (kill -9, a lost connection) can only leave messages that were already processed still in it: the one
/// between its processing and its move with IMAP, every one since the session began with POP3 (the server forgets
/// the DELEs of a session that never sent QUIT). The next poll processes those again, and the processing keys each
/// message (its Message-ID) so that a second time changes nothing and returns <c>duplicate</c>; nothing is applied
/// twice, and nothing is lost, because no message is ever moved or deleted before it was processed.
/// </para>
/// <para>
/// <b>Unrecognised messages</b> (a person's reply, a bounce in a shape nobody parses) are moved like the rest and
/// counted, with IMAP also tagged <c>$Unrecognised</c> so that one search in the processed folder finds them for a
/// person to read. Leaving them in the folder would have each poll read every one of them again, for ever, and the
/// folder would stop being the list of what is still to do.
/// </para>
/// <para>
/// <b>A message that fails</b> (it cannot be parsed, the processing throws) is reported and left where it is, and
/// the poll goes on with the next: the cause is often passing (the database was briefly unreachable), and the next
/// poll retries it safely, since processing is idempotent. One that fails every time is reported at every poll.
/// </para>
/// </summary>
public sealed partial class MailboxPoller(
    IOptions<MailboxOptions> options, Func<MimeMessage, CancellationToken, Task<string>> process, ILogger<MailboxPoller> logger)
{
    /// <summary>The result kind of a message the processing did not recognise.</summary>
    public const string Unrecognised = "unrecognised";

    /// <summary>The IMAP keyword set on unrecognised messages before they are moved.</summary>
    public const string UnrecognisedKeyword = "$Unrecognised";

    private readonly MailboxOptions _options = options.Value;

    public async Task<PollReport> PollAsync(CancellationToken cancellationToken)
    {
        if (!_options.Configured)
        {
            throw new MailboxException("Inbound:Host is not set: there is no mailbox to read.");
        }
        var report = new PollReport(_options.Describe());
        if (_options.Protocol == MailboxProtocol.Pop3)
        {
            await PollPop3Async(report, cancellationToken);
        }
        else
        {
            await PollImapAsync(report, cancellationToken);
        }
        LogPolled(report.Mailbox, report.Processed, report.Errors.Count);
        return report;
    }

    /// <summary>
    /// Reads and processes one message; returns its kind, or null when it failed (reported, left for the next poll).
    /// Cancellation and a broken connection are not a message's failure: they end the poll, leaving the message.
    /// </summary>
    private async Task<string?> ProcessOneAsync(string where, Func<CancellationToken, Task<MimeMessage>> read, PollReport report, CancellationToken cancellationToken)
    {
        MimeMessage message;
        try
        {
            message = await read(cancellationToken);
        }
        catch (Exception e) when (e is ParseException or FormatException)
        {
            Fail(report, new PollError(where, null, $"cannot be parsed: {e.Message}"));
            return null;
        }
        try
        {
            var kind = await process(message, cancellationToken);
            report.Count(kind);
            return kind;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Fail(report, new PollError(where, message.MessageId, $"{e.GetType().Name}: {e.Message}"));
            return null;
        }
    }

    private void Fail(PollReport report, PollError error)
    {
        report.Fail(error);
        LogMessageFailed(report.Mailbox, error.Message, error.MessageId ?? "(none)", error.Error);
    }

    /// <summary>Connects and logs in; a failure becomes one sentence naming the settings to check.</summary>
    private async Task ConnectAsync(MailService client, string protocol, CancellationToken cancellationToken)
    {
        client.Timeout = _options.TimeoutSeconds * 1000;
        var where = $"{protocol} server {_options.Host}{(_options.Port == 0 ? "" : $":{_options.Port}")}";
        try
        {
            await client.ConnectAsync(_options.Host, _options.Port, SocketOptions(_options.Security), cancellationToken);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or SslHandshakeException or ProtocolException or TimeoutException)
        {
            throw new MailboxException(
                $"cannot connect to the {where}: {e.Message} (check Inbound:Host, Inbound:Port, Inbound:Security and Inbound:Protocol).", e);
        }
        try
        {
            await client.AuthenticateAsync(_options.UserName, _options.Password, cancellationToken);
        }
        catch (AuthenticationException e)
        {
            throw new MailboxException(
                $"the {where} refused the login of '{_options.UserName}': {e.Message} (check Inbound:UserName and Inbound:Password).", e);
        }
    }

    private static SecureSocketOptions SocketOptions(MailboxSecurity security) => security switch
    {
        MailboxSecurity.None => SecureSocketOptions.None,
        MailboxSecurity.StartTls => SecureSocketOptions.StartTls,
        MailboxSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };

    /// <summary>Leaves politely when it can; a connection that is going away anyway is no failure of the poll.</summary>
    private static async Task DisconnectAsync(MailService client, CancellationToken cancellationToken)
    {
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e) when (e is IOException or ProtocolException or System.Net.Sockets.SocketException)
        {
            // already gone
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Polled {Mailbox}: {Processed} messages processed, {Failed} failed")]
    private partial void LogPolled(string mailbox, int processed, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Mailbox}: message {Message} (Message-ID {MessageId}) was not processed and stays for the next poll: {Error}")]
    private partial void LogMessageFailed(string mailbox, string message, string messageId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Mailbox}: created the folder '{Folder}' for processed messages")]
    private partial void LogFolderCreated(string mailbox, string folder);
}

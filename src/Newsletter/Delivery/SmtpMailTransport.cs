using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Newsletter.Delivery;

/// <summary>
/// Sends over a pool of SMTP connections, each opened on a socket with TCP_NODELAY (MailKit writes each command
/// separately; with Nagle's algorithm every message waits for the server's delayed acknowledgement) and reused for
/// many messages. A shared pacer holds the configured rate. 4xx replies, dropped connections and timeouts are
/// retried with exponential backoff on a fresh connection; a 5xx reply is final and reported with the server's words.
/// </summary>
public sealed partial class SmtpMailTransport(IOptions<SmtpOptions> options, ILogger<SmtpMailTransport> logger, SendPacer? pacer = null, DkimSigning? dkim = null) : IMailTransport
{
    private readonly SmtpOptions _options = options.Value;
    private readonly SendPacer _pacer = pacer ?? new SendPacer(options.Value.MaxPerSecond);

    public async Task SendAllAsync(IAsyncEnumerable<OutgoingMail> mails, Func<OutgoingMail, SendOutcome, Task> onOutcome, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateBounded<OutgoingMail>(new BoundedChannelOptions(_options.Connections * 4) { SingleWriter = true });
        // a connection whose outcome could not be recorded stops the whole send: otherwise the others would wait for
        // mail nobody sends (and a sender waiting for its own claims to clear would wait for ever)
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Enumerable.Range(0, _options.Connections).Select(_ => Task.Run(async () =>
        {
            try
            {
                await WorkAsync(queue.Reader, onOutcome, stop, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await stop.CancelAsync();
                throw;
            }
        }, cancellationToken)).ToList();
        try
        {
            await foreach (var mail in mails.WithCancellation(stop.Token))
            {
                await queue.Writer.WriteAsync(mail, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // a connection failed: its error is what the send reports, below
        }
        finally
        {
            queue.Writer.TryComplete();
        }
        await Task.WhenAll(workers);
    }

    /// <param name="stop">Cancelled when any connection fails: the others take no new mail, but finish the one they are sending.</param>
    private async Task WorkAsync(ChannelReader<OutgoingMail> queue, Func<OutgoingMail, SendOutcome, Task> onOutcome, CancellationTokenSource stop, CancellationToken cancellationToken)
    {
        // every wait on the server has a deadline of ours (MailKit's read timeout covers only its synchronous reads on
        // the stream we hand it); its timeout is set to the longest wait there is, the end-of-data reply, all the same
        using var client = new SmtpPooledClient { Timeout = Math.Max(_options.TimeoutSeconds, _options.DataTimeoutSeconds) * 1000 };
        try
        {
            // the next message goes out while the last outcome is recorded (never more than one behind, so at most
            // one accepted message per connection is unrecorded at any moment beyond the one just accepted)
            var recording = Task.CompletedTask;
            try
            {
                await foreach (var mail in queue.ReadAllAsync(stop.Token))
                {
                    var outcome = await SendWithRetriesAsync(client, mail, cancellationToken);
                    await recording;
                    recording = RecordAsync(onOutcome, mail, outcome, stop);
                }
            }
            finally
            {
                await recording;
            }
        }
        finally
        {
            if (client.IsConnected)
            {
                try
                {
                    // no longer than for any other reply; not the run's token: a stopped send still says goodbye
                    await QuitAsync(client, TimeSpan.FromSeconds(_options.TimeoutSeconds), CancellationToken.None);
                }
                catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or OperationCanceledException)
                {
                    // the connection is going away anyway
                }
            }
        }
    }

    /// <summary>Records an outcome; a failure stops the send at once rather than when this connection's next message is done.</summary>
    private static async Task RecordAsync(Func<OutgoingMail, SendOutcome, Task> onOutcome, OutgoingMail mail, SendOutcome outcome, CancellationTokenSource stop)
    {
        try
        {
            await onOutcome(mail, outcome);
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private async Task<SendOutcome> SendWithRetriesAsync(SmtpPooledClient client, OutgoingMail mail, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string? lastProblem = null;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(Backoff(attempt), cancellationToken);
            }
            await _pacer.WaitTurnAsync(cancellationToken);
            // commands get Smtp:TimeoutSeconds; once the recipient is accepted, the message and the server's final reply
            // get Smtp:DataTimeoutSeconds (RFC 5321: 10 minutes), and a reply that never comes then means "maybe delivered"
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
            var inData = false;
            client.RecipientAccepted = () =>
            {
                inData = true;
                deadline.CancelAfter(TimeSpan.FromSeconds(_options.DataTimeoutSeconds));
            };
            try
            {
                if (!client.IsConnected)
                {
                    await ConnectAsync(client, TimeSpan.FromSeconds(_options.TimeoutSeconds), deadline.Token);
                }
                if (NeedsUnofferedSmtpUtf8(client, mail.Message) is { } address)
                {
                    // MailKit would send the UTF-8 address raw to a server that never said it could take one
                    return new SendOutcome(SendStatus.MessageFailure,
                        $"the address {address} needs SMTPUTF8 (RFC 6531), which the server {_options.Host}:{_options.Port} does not offer", attempt, clock.Elapsed);
                }
                dkim?.Sign(mail.Message, client.Capabilities);
                var reply = mail.EnvelopeSender is { } sender // the VERP return path: bounces come back naming the digest
                    ? await client.SendAsync(mail.Message, MimeKit.MailboxAddress.Parse(sender), mail.Message.To.Mailboxes, deadline.Token)
                    : await client.SendAsync(mail.Message, deadline.Token);
                return new SendOutcome(SendStatus.Sent, reply, attempt, clock.Elapsed);
            }
            catch (Exception e) when (inData && (e is IOException or SocketException or SmtpProtocolException or TimeoutException
                                                 || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)))
            {
                // the server has the whole message or most of it and never said whether it took it: sending it again now
                // could deliver it twice, so it waits for a later attempt (once at most)
                await DropAsync(client);
                var why = e is OperationCanceledException or TimeoutException ? $"no reply within {_options.DataTimeoutSeconds} s" : $"the connection broke ({e.Message})";
                return new SendOutcome(SendStatus.Uncertain, $"{_options.Host}:{_options.Port} took the message but {why}", attempt, clock.Elapsed);
            }
            catch (SmtpCommandException e) when ((int)e.StatusCode >= 500 && e.ErrorCode == SmtpErrorCode.RecipientNotAccepted)
            {
                return new SendOutcome(SendStatus.PermanentFailure, Reply(e), attempt, clock.Elapsed);
            }
            catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
            {
                // refused for the sender or the message, not the address: record it, never suppress the subscriber
                // a refused sender is our misconfiguration (every message would fail the same way until it is fixed)
                return e.ErrorCode == SmtpErrorCode.SenderNotAccepted
                    ? new SendOutcome(SendStatus.TemporaryFailure, "the server refused the sender address (Smtp:From): " + Reply(e), attempt, clock.Elapsed)
                    : new SendOutcome(SendStatus.MessageFailure, "the server refused the message: " + Reply(e), attempt, clock.Elapsed);
            }
            catch (SmtpCommandException e)
            {
                lastProblem = Reply(e);
            }
            catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                lastProblem = e is OperationCanceledException or TimeoutException
                    ? $"{_options.Host}:{_options.Port} did not answer within {_options.TimeoutSeconds} s"
                    : $"connection to {_options.Host}:{_options.Port} failed: {e.Message}";
                await DropAsync(client);
            }
            catch (SslHandshakeException e)
            {
                return new SendOutcome(SendStatus.TemporaryFailure, $"TLS with {_options.Host}:{_options.Port} failed: {e.Message}", attempt, clock.Elapsed);
            }
            catch (AuthenticationException e)
            {
                return new SendOutcome(SendStatus.TemporaryFailure, $"the SMTP server refused the login for {_options.UserName}: {e.Message}", attempt, clock.Elapsed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // anything else is about this message (MimeKit could not write it, say): the others must go on, and the
                // connection, in an unknown state half-way through a transaction, is not reused
                await DropAsync(client);
                return new SendOutcome(SendStatus.MessageFailure, $"could not send the message: {e.GetType().Name}: {e.Message}", attempt, clock.Elapsed);
            }
            LogRetry(mail.Id, attempt, _options.MaxAttempts, lastProblem);
        }
        return new SendOutcome(SendStatus.TemporaryFailure, lastProblem, _options.MaxAttempts, clock.Elapsed);
    }

    private static string? NeedsUnofferedSmtpUtf8(SmtpClient client, MimeKit.MimeMessage message) =>
        client.Capabilities.HasFlag(SmtpCapabilities.UTF8)
            ? null
            : message.From.Mailboxes.Concat(message.To.Mailboxes).Select(m => m.Address).FirstOrDefault(Subscribers.EmailAddress.NeedsSmtpUtf8);

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = Math.Min(_options.TimeoutSeconds, 10) * 1000 };
        try
        {
            var limit = TimeSpan.FromSeconds(Math.Min(_options.TimeoutSeconds, 10));
            await ConnectAsync(client, limit, cancellationToken);
            await QuitAsync(client, limit, cancellationToken);
            return null;
        }
        catch (SocketException e)
        {
            return $"cannot connect to SMTP server {_options.Host}:{_options.Port}: {e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData => "host not found",
                SocketError.TimedOut => "timed out",
                _ => e.Message,
            }}";
        }
        catch (AuthenticationException e)
        {
            return $"SMTP server {_options.Host}:{_options.Port} refused the login for {_options.UserName}: {e.Message}";
        }
        catch (Exception e) when (e is IOException or SmtpProtocolException or SmtpCommandException or SslHandshakeException or OperationCanceledException or TimeoutException)
        {
            return $"SMTP server {_options.Host}:{_options.Port} did not complete the greeting: {e.Message}";
        }
    }

    /// <summary>
    /// Connects, reads the greeting, says EHLO (and STARTTLS, and logs in) within <paramref name="limit"/>: the socket's
    /// stream is ours, not MailKit's, so MailKit's own read timeout does not apply to its asynchronous reads and every
    /// wait on the server has a deadline here.
    /// </summary>
    private async Task ConnectAsync(SmtpClient client, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = _options.NoDelay };
        try
        {
            await socket.ConnectAsync(_options.Host, _options.Port, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        // the client owns the stream from here: it disposes it (and the socket) when the connection fails or ends
        var stream = new CoalescingStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            await client.ConnectAsync(stream, _options.Host, _options.Port, Security(), timeout.Token);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
        if (!string.IsNullOrEmpty(_options.UserName))
        {
            await client.AuthenticateAsync(_options.UserName, _options.Password, timeout.Token);
        }
    }

    /// <summary>QUIT, waiting for the server's goodbye no longer than <paramref name="limit"/>.</summary>
    private static async Task QuitAsync(SmtpClient client, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        await client.DisconnectAsync(quit: true, timeout.Token);
    }

    private static async Task DropAsync(SmtpClient client)
    {
        try
        {
            await client.DisconnectAsync(quit: false, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or ObjectDisposedException)
        {
            // already broken
        }
    }

    private SecureSocketOptions Security() => _options.Security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => _options.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable,
    };

    private TimeSpan Backoff(int attempt)
    {
        var baseDelay = _options.RetryBaseDelayMilliseconds * Math.Pow(2, attempt - 2);
        return TimeSpan.FromMilliseconds(baseDelay * (0.75 + Random.Shared.NextDouble() * 0.5));
    }

    private static string Reply(SmtpCommandException e) => $"{(int)e.StatusCode} {e.Message}".Trim();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending {MailId} failed (attempt {Attempt} of {MaxAttempts}): {Problem}")]
    private partial void LogRetry(string mailId, int attempt, int maxAttempts, string? problem);
}

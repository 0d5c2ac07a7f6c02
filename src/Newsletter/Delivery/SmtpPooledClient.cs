using MailKit.Net.Smtp;
using MimeKit;

namespace Newsletter.Delivery;

/// <summary>
/// MailKit's client without the SIZE declaration. To announce <c>MAIL FROM:&lt;…&gt; SIZE=n</c> MailKit serializes
/// every message twice (once only to count its bytes); digests are a few KB, far below any server's limit, and a
/// server still refuses an oversized message after DATA (552), which we report as a permanent failure. It also
/// tells when a message enters its DATA phase, where a timeout means "maybe delivered", not "not sent".
/// </summary>
internal sealed class SmtpPooledClient : SmtpClient
{
    /// <summary>Called once the server accepted the recipient: what follows is DATA, and then the long wait for its reply.</summary>
    public Action? RecipientAccepted { get; set; }

    protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        base.OnRecipientAccepted(message, mailbox, response);
        RecipientAccepted?.Invoke();
    }

    private const long UnknownSize = -1; // MailKit leaves SIZE= out of MAIL FROM for -1

    protected override long GetSize(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) => UnknownSize;

    protected override Task<long> GetSizeAsync(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) => Task.FromResult(UnknownSize);
}

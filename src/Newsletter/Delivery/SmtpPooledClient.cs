using MailKit.Net.Smtp;
using MimeKit;

namespace Newsletter.Delivery;

/// <summary>
/// MailKit's client without the SIZE declaration. To announce <c>MAIL FROM:&lt;…&gt; SIZE=n</c> MailKit serializes
/// every message twice (once only to count its bytes); digests are a few KB, far below any server's limit, and a
/// server still refuses an oversized message after DATA (552), which we report as a permanent failure.
/// </summary>
internal sealed class SmtpPooledClient : SmtpClient
{
    private const long UnknownSize = -1; // MailKit leaves SIZE= out of MAIL FROM for -1

    protected override long GetSize(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) => UnknownSize;

    protected override Task<long> GetSizeAsync(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) => Task.FromResult(UnknownSize);
}

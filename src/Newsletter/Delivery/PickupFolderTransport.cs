using System.Diagnostics;
using Microsoft.Extensions.Options;
using Newsletter.Common;

namespace Newsletter.Delivery;

/// <summary>
/// The embedded default with no SMTP server: each message becomes <c>&lt;folder&gt;/&lt;yyyy-MM-dd&gt;/&lt;id&gt;.eml</c>,
/// written to a temporary name and moved into place, so a file that exists is complete. Folders and files are the
/// service user's only (<see cref="PrivateFiles"/>).
/// </summary>
public sealed class PickupFolderTransport(IOptions<SmtpOptions> options, NewsletterHome home, TimeProvider clock, DkimSigning? dkim = null) : IMailTransport
{
    public string Folder { get; } = home.Resolve(options.Value.PickupFolder);

    public async Task SendAllAsync(IAsyncEnumerable<OutgoingMail> mails, Func<OutgoingMail, SendOutcome, Task> onOutcome, CancellationToken cancellationToken)
    {
        await foreach (var mail in mails.WithCancellation(cancellationToken))
        {
            var clock = Stopwatch.StartNew();
            SendOutcome outcome;
            try
            {
                var path = await WriteAsync(mail, cancellationToken);
                outcome = new SendOutcome(SendStatus.Sent, $"written to {path}", 1, clock.Elapsed);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                outcome = new SendOutcome(SendStatus.TemporaryFailure, $"could not write to {Folder}: {e.Message}", 1, clock.Elapsed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcome = new SendOutcome(SendStatus.MessageFailure, $"could not write the message: {e.GetType().Name}: {e.Message}", 1, clock.Elapsed);
            }
            await onOutcome(mail, outcome);
        }
    }

    public Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            PrivateFiles.CreateFolder(Folder);
            var probe = Path.Combine(Folder, $".probe-{Guid.NewGuid():N}");
            PrivateFiles.Create(probe, FileMode.CreateNew).Dispose();
            File.Delete(probe);
            return Task.FromResult<string?>(null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult<string?>($"cannot write to the pickup folder {Folder}: {e.Message}");
        }
    }

    private async Task<string> WriteAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var day = (mail.Message.Date == default ? clock.GetUtcNow() : mail.Message.Date).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var folder = Path.Combine(Folder, day);
        PrivateFiles.CreateFolder(folder);
        var path = Path.Combine(folder, SafeName(mail.Message.MessageId ?? mail.Id) + ".eml");
        var temporary = path + ".tmp";
        try
        {
            // the relay that later picks the file up may be 7-bit only: every part gets an encoding it can carry,
            // named in its headers (unprepared, an HTML part with 8-bit text would be written raw, with no encoding named)
            mail.Message.Prepare(MimeKit.EncodingConstraint.SevenBit);
            dkim?.Sign(mail.Message, MimeKit.EncodingConstraint.SevenBit);
            await using (var file = PrivateFiles.Create(temporary, FileMode.Create)) // the message's links are valid tokens: 0600
            {
                await mail.Message.WriteToAsync(file, cancellationToken);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            // a full disk or a fault half-way leaves no partial file behind (the message is tried again later)
            TryDelete(temporary);
            throw;
        }
        return path;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // nothing more can be done about it here
        }
    }

    private static string SafeName(string id)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return string.Create(id.Length, id, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = invalid.Contains(source[i]) || source[i] is ':' or '<' or '>' ? '_' : source[i];
            }
        });
    }
}

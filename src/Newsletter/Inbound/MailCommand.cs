using System.CommandLine;
using MimeKit;
using Newsletter.Cli;

namespace Newsletter.Inbound;

/// <summary><c>newsletter mail</c>: what comes back to the bounce and unsubscribe mailboxes (<c>mail process</c>).</summary>
public static class MailCommand
{
    /// <summary>Bounces quote the original and may attach it whole; a digest is tens of KB. Past this, it is not mail we sent.</summary>
    public const long MaxMessageBytes = 20_000_000;

    public static Command Create(CliContext context) => new("mail", "Process what comes back: bounces, complaints, mailto unsubscribes.")
    {
        Process(context),
        MailPollCommand.Create(context, services => services.GetRequiredService<Func<MimeMessage, CancellationToken, Task<string>>>()),
    };

    private static Command Process(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "The message (.eml, as the mail server stored it), or - to read it from stdin." };
        var json = CliOptions.Json();
        var command = new Command("process", "Read one inbound message and act on it: a bounce suppresses or counts, a complaint or mailto unsubscribe unsubscribes; others are recorded and ignored.")
        {
            file, json,
        };
        command.SetAction((result, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var path = result.GetValue(file)!;
            var message = await ReadAsync(path, ct);
            var processed = await services.GetRequiredService<InboundProcessor>().ProcessAsync(message, ct);
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(processed);
            }
            else
            {
                var about = processed.SubscriberId is null ? "" : $" for subscriber {processed.SubscriberId}{(processed.DeliveryId is null ? "" : $" (delivery {processed.DeliveryId})")}";
                var did = processed.Suppressed ? ", suppressed" : processed.Unsubscribed ? ", unsubscribed" : "";
                await context.Output.WriteLineAsync($"{processed.Kind}{about}{did}: {processed.Reason}");
            }
            // every message that was read is done with, acted on or ignored on purpose: a mail server piping to this
            // command must not bounce the bounce
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    /// <exception cref="UsageException">No such file, too large, or not a message: nothing was recorded.</exception>
    private static async Task<MimeMessage> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var name = path == "-" ? "stdin" : path;
        using var buffer = new MemoryStream();
        try
        {
            await using var input = path == "-" ? Console.OpenStandardInput() : File.OpenRead(path);
            var chunk = new byte[81920];
            int read;
            while ((read = await input.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxMessageBytes)
                {
                    throw new UsageException($"{name}: larger than {MaxMessageBytes:N0} bytes; not a message this processes.");
                }
                buffer.Write(chunk, 0, read);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new UsageException($"{name}: cannot be read ({e.Message}).");
        }
        buffer.Position = 0;
        MimeMessage message;
        try
        {
            message = await MimeMessage.LoadAsync(buffer, cancellationToken);
        }
        catch (FormatException e)
        {
            throw new UsageException($"{name}: not an email message ({e.Message}).");
        }
        // MimeKit reads almost anything as a message; one with no From, no Date and no Message-ID has no header a
        // mail server would have written
        if (!message.Headers.Any(h => h.Id is HeaderId.From or HeaderId.Date or HeaderId.MessageId or HeaderId.Received or HeaderId.ReturnPath))
        {
            throw new UsageException($"{name}: not an email message (none of From, Date, Message-ID, Received or Return-Path).");
        }
        return message;
    }
}

using Microsoft.Extensions.Options;
using Newsletter.Common;

namespace Newsletter.Inbound;

public enum MailboxProtocol
{
    Imap,
    Pop3,
}

public enum MailboxSecurity
{
    /// <summary>STARTTLS when the server offers it; TLS from the start on the protocol's TLS port (993, 995).</summary>
    Auto,
    None,
    StartTls,
    SslOnConnect,
}

/// <summary>
/// The mailbox that bounces, complaints and replies arrive in (the <c>Inbound</c> section, which the processing of a
/// message reads too). Empty <see cref="Host"/>: no mailbox, nothing is polled.
/// </summary>
public sealed class MailboxOptions
{
    public const string Section = "Inbound";

    public string Host { get; set; } = "";

    /// <summary>0: the protocol's usual port for <see cref="Security"/> (IMAP 143/993, POP3 110/995).</summary>
    public int Port { get; set; }

    public MailboxSecurity Security { get; set; } = MailboxSecurity.Auto;

    public MailboxProtocol Protocol { get; set; } = MailboxProtocol.Imap;

    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>The folder read (IMAP); POP3 has only the inbox.</summary>
    public string Folder { get; set; } = "INBOX";

    /// <summary>Where each processed message is moved (IMAP), created when missing; what is left in <see cref="Folder"/> is still to do.</summary>
    public string ProcessedFolder { get; set; } = "Processed";

    /// <summary>How often <c>serve</c> reads the mailbox; 0: never (<c>mail poll</c> still works).</summary>
    public int PollMinutes { get; set; } = 5;

    /// <summary>How long one command to the mail server may take before the connection counts as broken.</summary>
    public int TimeoutSeconds { get; set; } = 60;

    public bool Configured => !string.IsNullOrWhiteSpace(Host);

    /// <summary>Where the mailbox is, for messages and logs (never the password).</summary>
    public string Describe() => Protocol == MailboxProtocol.Pop3
        ? $"pop3://{UserName}@{Host}{(Port == 0 ? "" : $":{Port}")}"
        : $"imap://{UserName}@{Host}{(Port == 0 ? "" : $":{Port}")}/{Folder}";
}

/// <summary>Checked only when a mailbox is configured: without <c>Inbound:Host</c> the other settings are never used.</summary>
public sealed class MailboxOptionsValidator : IValidateOptions<MailboxOptions>
{
    public ValidateOptionsResult Validate(string? name, MailboxOptions o)
    {
        if (!o.Configured)
        {
            return ValidateOptionsResult.Success;
        }
        var failures = new List<string>();
        SettingRange.Check(failures, $"{MailboxOptions.Section}:Port", o.Port, 0, 65535, "the protocol's usual port");
        SettingRange.Check(failures, $"{MailboxOptions.Section}:PollMinutes", o.PollMinutes, 0, 24 * 60, "no polling in serve");
        // MailKit takes milliseconds in an int
        SettingRange.Check(failures, $"{MailboxOptions.Section}:TimeoutSeconds", o.TimeoutSeconds, 1, 3600);
        if (string.IsNullOrWhiteSpace(o.UserName))
        {
            failures.Add($"{MailboxOptions.Section}:UserName: must be set when Inbound:Host is set (the mailbox's login).");
        }
        else if (string.IsNullOrEmpty(o.Password))
        {
            failures.Add($"{MailboxOptions.Section}:Password: is empty while Inbound:UserName is set.");
        }
        if (o.Protocol == MailboxProtocol.Imap)
        {
            if (string.IsNullOrWhiteSpace(o.Folder))
            {
                failures.Add($"{MailboxOptions.Section}:Folder: must name the folder to read (e.g. INBOX).");
            }
            if (string.IsNullOrWhiteSpace(o.ProcessedFolder))
            {
                failures.Add($"{MailboxOptions.Section}:ProcessedFolder: must name the folder processed messages are moved to.");
            }
            else if (string.Equals(o.ProcessedFolder.Trim(), o.Folder.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                // moving a message into the folder it is read from would process it again at every poll
                failures.Add($"{MailboxOptions.Section}:ProcessedFolder: must differ from Inbound:Folder ('{o.Folder}').");
            }
        }
        else if (!string.Equals(o.Folder.Trim(), "INBOX", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{MailboxOptions.Section}:Folder: POP3 has only the inbox (was '{o.Folder}'); use Inbound:Protocol = imap to read another folder.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

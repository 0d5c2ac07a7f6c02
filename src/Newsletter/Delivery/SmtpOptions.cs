using System.Globalization;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;

namespace Newsletter.Delivery;

public enum SmtpSecurity
{
    /// <summary>STARTTLS when the server offers it (port 465: TLS from the start).</summary>
    Auto,
    None,
    StartTls,
    SslOnConnect,
}

public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>SMTP relay host. Empty: digests are written as .eml files to <see cref="PickupFolder"/>.</summary>
    public string Host { get; set; } = "";

    public int Port { get; set; } = 25;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>Sender address of every email (and the domain of Message-IDs).</summary>
    public string From { get; set; } = "newsletter@localhost.localdomain";

    public string FromName { get; set; } = "Newsletter";

    /// <summary>Connections kept open to the relay, each reused for many messages.</summary>
    public int Connections { get; set; } = 4;

    /// <summary>Most messages per second over all connections (relays throttle); 0: no limit.</summary>
    public double MaxPerSecond { get; set; } = 50;

    /// <summary>Tries per message for temporary failures (4xx, dropped connection, timeout).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First wait before retrying a message; doubles each time, with jitter.</summary>
    public int RetryBaseDelayMilliseconds { get; set; } = 2000;

    /// <summary>How long a command (connect, greeting, MAIL, RCPT, DATA) may take before the connection counts as broken.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// How long to wait for the server's reply after the whole message was sent (RFC 5321 asks for 10 minutes: a
    /// server may scan a message before it answers). A reply that never comes leaves the digest uncertain.
    /// </summary>
    public int DataTimeoutSeconds { get; set; } = 600;

    /// <summary>Most messages per second over every node together (PostgreSQL; 0: no cluster limit), shared among the nodes sending.</summary>
    public double ClusterMaxPerSecond { get; set; }

    /// <summary>Where .eml files go when <see cref="Host"/> is empty.</summary>
    public string PickupFolder { get; set; } = "data/outbox";

    /// <summary>Send each command at once (TCP_NODELAY). Off only to measure what Nagle's algorithm costs.</summary>
    public bool NoDelay { get; set; } = true;

    /// <summary>
    /// The return path (bounces@example.org): each message's envelope sender becomes bounces+&lt;signed token&gt;@example.org
    /// (VERP), so a bounce names the digest it is about. Empty: the envelope sender is <see cref="From"/>, as before.
    /// </summary>
    public string BounceAddress { get; set; } = "";

    public MailboxAddress FromMailbox() => new(FromName, From);
}

public sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    private static readonly TimeSpan MaxRetryWait = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, SmtpOptions o)
    {
        var failures = new List<string>();
        SettingRange.Check(failures, $"{SmtpOptions.Section}:Port", o.Port, 1, 65535);
        if (string.IsNullOrWhiteSpace(o.From) || !MailboxAddress.TryParse(o.From, out var from) || !from.Address.Contains('@') || from.Address != o.From.Trim())
        {
            failures.Add($"{SmtpOptions.Section}:From: '{o.From}' is not an email address.");
        }
        SettingRange.Check(failures, $"{SmtpOptions.Section}:Connections", o.Connections, 1, 64);
        // the pacer's interval is one second over the rate, which a rate near zero would overflow
        if (o.MaxPerSecond != 0 && !(o.MaxPerSecond is >= 0.01 and <= 10_000))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{SmtpOptions.Section}:MaxPerSecond: must be 0 (no limit) or between 0.01 and 10000 (was {o.MaxPerSecond})."));
        }
        SettingRange.Check(failures, $"{SmtpOptions.Section}:MaxAttempts", o.MaxAttempts, 1, 20);
        SettingRange.Check(failures, $"{SmtpOptions.Section}:RetryBaseDelayMilliseconds", o.RetryBaseDelayMilliseconds, 0, 600_000);
        // the wait doubles with each attempt; the last must stay a wait (and within what a timer can hold)
        var lastWait = TimeSpan.FromMilliseconds(o.RetryBaseDelayMilliseconds * Math.Pow(2, Math.Clamp(o.MaxAttempts, 2, 20) - 2));
        if (lastWait > MaxRetryWait)
        {
            failures.Add($"{SmtpOptions.Section}:RetryBaseDelayMilliseconds: with Smtp:MaxAttempts = {o.MaxAttempts} the last retry would wait {lastWait.TotalHours:0} hours; " +
                $"lower one of them so that it stays within {MaxRetryWait.TotalHours:0} hours.");
        }
        // MailKit takes milliseconds in an int
        SettingRange.Check(failures, $"{SmtpOptions.Section}:TimeoutSeconds", o.TimeoutSeconds, 1, 3600);
        SettingRange.Check(failures, $"{SmtpOptions.Section}:DataTimeoutSeconds", o.DataTimeoutSeconds, 1, 3600);
        if (o.ClusterMaxPerSecond != 0 && !(o.ClusterMaxPerSecond is >= 0.01 and <= 100_000))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{SmtpOptions.Section}:ClusterMaxPerSecond: must be 0 (no limit) or between 0.01 and 100000 (was {o.ClusterMaxPerSecond})."));
        }
        if (string.IsNullOrWhiteSpace(o.Host) && string.IsNullOrWhiteSpace(o.PickupFolder))
        {
            failures.Add($"{SmtpOptions.Section}:PickupFolder: must be set when Smtp:Host is empty (digests are written there).");
        }
        ReturnPath.Validate(o.BounceAddress, failures);
        if (!string.IsNullOrWhiteSpace(o.UserName) && string.IsNullOrEmpty(o.Password))
        {
            failures.Add($"{SmtpOptions.Section}:Password: is empty while Smtp:UserName is set.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

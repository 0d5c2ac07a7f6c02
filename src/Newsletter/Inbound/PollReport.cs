namespace Newsletter.Inbound;

/// <summary>What one poll did: how many messages of each kind it processed, and the messages it could not.</summary>
public sealed class PollReport(string mailbox)
{
    private readonly SortedDictionary<string, int> _kinds = new(StringComparer.Ordinal);
    private readonly List<PollError> _errors = [];

    /// <summary>Where it read (<see cref="MailboxOptions.Describe"/>).</summary>
    public string Mailbox { get; } = mailbox;

    /// <summary>Messages processed, by the kind the processing returned (a message processed again counts as <c>duplicate</c>).</summary>
    public IReadOnlyDictionary<string, int> Kinds => _kinds;

    public IReadOnlyList<PollError> Errors => _errors;

    public int Processed => _kinds.Values.Sum();

    internal void Count(string kind) => _kinds[kind] = _kinds.GetValueOrDefault(kind) + 1;

    internal void Fail(PollError error) => _errors.Add(error);
}

/// <param name="Message">Where the message is: its IMAP UID or its POP3 position.</param>
/// <param name="MessageId">Its Message-ID, when it could be read.</param>
public sealed record PollError(string Message, string? MessageId, string Error);

/// <summary>The mailbox could not be read at all (unreachable, login refused, folder missing); the message names the settings.</summary>
public sealed class MailboxException(string message, Exception? inner = null) : Exception(message, inner);

using MimeKit;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Inbound;

/// <summary>
/// A stand-in for the real processing of a message, idempotent the way it is: each message's effect (one line with
/// its Message-ID) is written to a file once, and a message seen before returns <c>duplicate</c> and writes nothing.
/// The file outlives the ledger, as the real table outlives a process, so a ledger made after a "crash" knows what
/// the one before applied. Tests count effects (lines), which show a message applied twice; calls only show that a
/// message was read twice, which the design allows.
/// </summary>
public sealed class EffectLedger(string folder)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private readonly List<string> _calls = [];

    public string EffectsFile => Path.Combine(folder, "effects.log");

    /// <summary>Called after a message's effect was written, before the processing returns (a test's crash goes here).</summary>
    public Action<MimeMessage>? AfterEffect { get; set; }

    /// <summary>Message-IDs whose processing throws (a message the real processing cannot handle).</summary>
    public HashSet<string> Failing { get; } = [];

    /// <summary>Each call, in order: Message-ID.</summary>
    public IReadOnlyList<string> Calls => _calls;

    /// <summary>Each applied effect, in order: Message-ID (read back from the file).</summary>
    public IReadOnlyList<string> Effects => File.Exists(EffectsFile) ? File.ReadAllLines(EffectsFile) : [];

    public async Task<string> ProcessAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var key = message.MessageId ?? throw new InvalidOperationException("no Message-ID");
        await Gate.WaitAsync(cancellationToken);
        try
        {
            _calls.Add(key);
            if (Failing.Contains(key))
            {
                throw new InvalidOperationException($"cannot handle {key}");
            }
            if (Effects.Contains(key))
            {
                return "duplicate";
            }
            await File.AppendAllTextAsync(EffectsFile, key + "\n", CancellationToken.None);
        }
        finally
        {
            Gate.Release();
        }
        AfterEffect?.Invoke(message);
        cancellationToken.ThrowIfCancellationRequested();
        return Classify(message);
    }

    /// <summary>The kind, roughly as the real processing tells it: enough for the counts by kind to be checked.</summary>
    public static string Classify(MimeMessage message)
    {
        if (message.Body is MultipartReport report)
        {
            return report.ReportType switch
            {
                "feedback-report" => "complaint",
                "delivery-status" when report.OfType<MessageDeliveryStatus>().SelectMany(s => s.StatusGroups.Skip(1)).Any(g => g["Status"]?.StartsWith('5') == true) => "hard-bounce",
                "delivery-status" => "soft-bounce",
                _ => "unrecognised",
            };
        }
        return message.Headers[HeaderId.AutoSubmitted] is { } auto && !auto.Trim().Equals("no", StringComparison.OrdinalIgnoreCase) ? "auto-reply" : "unrecognised";
    }
}

/// <summary>The poll fixtures (tests/corpus/inbound/poll): a hard and a soft DSN, an ARF complaint, an out-of-office, a person's reply.</summary>
public static class PollFixtures
{
    public static readonly string[] Names = ["dsn-hard-bounce", "dsn-soft-bounce", "arf-complaint", "out-of-office", "human-reply"];

    public static MimeMessage Load(string name) => MimeMessage.Load(Path.Combine(Corpus.Root, "inbound", "poll", name + ".eml"));

    /// <summary><paramref name="count"/> messages cycling through the fixtures, each with a Message-ID of its own.</summary>
    public static List<MimeMessage> Many(int count, string prefix = "poll") => [.. Enumerable.Range(0, count).Select(i =>
    {
        var message = Load(Names[i % Names.Length]);
        message.MessageId = $"{prefix}-{i:000}@test.example";
        return message;
    })];
}

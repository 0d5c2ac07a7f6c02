using Newsletter.Matching;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Newsletter.Data;
using Newsletter.Digests;
using Newsletter.Papers;
using Newsletter.Subscribers;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Delivery;

/// <summary>
/// The deliveries table: what is owed to whom, written before sending, marked after the server accepted it.
/// The unique key (subscriber, day, sequence) decides what is owed, so a rerun or a resumed run adds nothing twice.
/// </summary>
public sealed partial class Outbox(Database database, TimeProvider clock) : ISubscriberDataHolder
{
    /// <summary>An erased subscriber's deliveries stay for the counts, without the server replies (they often quote the address) or what matched.</summary>
    public async Task<int> ForgetAsync(DbConnection connection, DbTransaction transaction, string subscriberId, CancellationToken cancellationToken)
    {
        var kept = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET server_reply = NULL, updated_at = @Now WHERE subscriber_id = @Id",
            new { Id = subscriberId, Now = Now(clock) }, transaction, cancellationToken: cancellationToken));
        var digests = await connection.QueryAsync<(string DeliveryId, string Papers)>(new CommandDefinition(
            "SELECT p.delivery_id, p.papers FROM digest_papers p JOIN deliveries d ON d.id = p.delivery_id WHERE d.subscriber_id = @Id",
            new { Id = subscriberId }, transaction, cancellationToken: cancellationToken));
        foreach (var (deliveryId, papers) in digests)
        {
            string withoutKeywords;
            try
            {
                withoutKeywords = PackedPapers.WithoutKeywords(papers);
            }
            catch (JsonException)
            {
                withoutKeywords = "[]"; // damaged beyond reading: nothing of it can be shown, and the keywords in it must go
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE digest_papers SET papers = @Papers WHERE delivery_id = @Id", new { Id = deliveryId, Papers = withoutKeywords }, transaction,
                cancellationToken: cancellationToken));
        }
        return kept;
    }

    private static readonly KeyedQuery DigestPapers = new("SELECT delivery_id, papers FROM digest_papers WHERE delivery_id IN ({keys})");

    private static readonly KeyedQuery PapersById = new(
        "SELECT id, title, summary, upvotes, published_at, authors, organization FROM papers WHERE id IN ({keys})");

    /// <summary>
    /// The papers of each delivery, in digest order, with why they matched. A batch names a few hundred papers in
    /// thousands of digests: the digests' lists are read without the papers' text, then each paper once (joining them
    /// would carry every abstract once per digest out of the database).
    /// </summary>
    private static async Task<StoredPapers> PapersOfAsync(DbConnection connection, IReadOnlyList<string> deliveryIds, CancellationToken cancellationToken)
    {
        var result = new StoredPapers();
        var lists = new Dictionary<string, List<PackedPaper>>(StringComparer.Ordinal);
        await DigestPapers.ForEachRowAsync(connection, null, deliveryIds, row =>
        {
            var deliveryId = row.GetString(0);
            try
            {
                lists[deliveryId] = PackedPapers.Unpack(row.GetString(1));
            }
            catch (JsonException e)
            {
                // one damaged list spoils its own digest, never the batch it was claimed with
                result.Problems.TryAdd(deliveryId, $"its stored list of papers cannot be read ({e.Message})");
            }
        }, cancellationToken);
        var stored = new Dictionary<string, Paper>(StringComparer.Ordinal);
        await PapersById.ForEachRowAsync(connection, null, [.. lists.Values.SelectMany(l => l.Select(p => p.PaperId)).Distinct(StringComparer.Ordinal)], row =>
            stored[row.GetString(0)] = PaperRow.ToPaper(row.GetString(0), row.GetString(1), row.GetString(2), row.GetInt64(3),
                row.IsDBNull(4) ? null : row.GetString(4), row.GetString(5), row.IsDBNull(6) ? null : row.GetString(6)), cancellationToken);
        foreach (var (deliveryId, list) in lists)
        {
            // a paper that is gone is left out, as a join would
            result.Papers[deliveryId] = [.. list.Where(p => stored.ContainsKey(p.PaperId))
                .Select(p => new SelectedPaper(stored[p.PaperId], p.Score, p.Matched, p.TitleSpans, p.SummarySpans))];
        }
        return result;
    }

    private sealed class StoredPapers
    {
        public Dictionary<string, List<SelectedPaper>> Papers { get; } = new(StringComparer.Ordinal);

        /// <summary>Deliveries whose rows could not be read, and why.</summary>
        public Dictionary<string, string> Problems { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Most rows one statement marks as sent on PostgreSQL (three parameters each).</summary>
    public const int MaxMarksPerStatement = 200;

    private const string MarkOneSent =
        """
        UPDATE deliveries
        SET status = 'sent', server_reply = ?2, attempts = attempts + ?3, sent_at = ?4, updated_at = ?4, next_attempt_at = NULL
        WHERE id = ?1 AND status IN ('pending', 'deferred', 'uncertain')
        """;

    /// <summary>
    /// Marks digests the server accepted as sent: on a busy send the database's work per message, not the sending, is
    /// what runs out first. On PostgreSQL one statement per <see cref="MaxMarksPerStatement"/> (a round trip each); on
    /// SQLite one prepared statement stepped per mark, all in one transaction. Rows no longer pending are left alone.
    /// </summary>
    public async Task MarkSentAsync(IReadOnlyList<(string DeliveryId, SendOutcome Outcome)> marks, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = Now(clock);
        if (database.Dialect is SqliteDialect)
        {
            // one prepared statement stepped per mark, in one transaction: SQLite runs in the process, so one statement
            // for all saves no round trip, and preparing a new text for each count of marks cost more than the marks
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            SqliteRowCopy.Step(connection, MarkOneSent, "deliveries", ["id", "server_reply", "attempts", "sent_at"],
                marks.Select(m => new object?[] { m.DeliveryId, m.Outcome.ServerReply ?? "", m.Outcome.Attempts, now }), null, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return;
        }
        foreach (var chunk in marks.Chunk(MaxMarksPerStatement))
        {
            var parameters = new DynamicParameters(new { Now = now });
            var rows = new StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                rows.Append(i == 0 ? "" : ", ").Append($"(@Id{i}, @Reply{i}, @Attempts{i})");
                parameters.Add($"Id{i}", chunk[i].DeliveryId);
                parameters.Add($"Reply{i}", chunk[i].Outcome.ServerReply ?? "");
                parameters.Add($"Attempts{i}", chunk[i].Outcome.Attempts);
            }
            await connection.ExecuteAsync(
                $"""
                WITH marks (id, reply, attempts) AS (VALUES {rows})
                UPDATE deliveries
                SET status = 'sent', server_reply = marks.reply, attempts = deliveries.attempts + marks.attempts, sent_at = @Now, updated_at = @Now,
                    next_attempt_at = NULL
                FROM marks
                WHERE deliveries.id = marks.id AND deliveries.status IN ('pending', 'deferred', 'uncertain')
                """,
                parameters);
        }
    }

    /// <param name="failure">Which kind of failure (<see cref="DeliveryFailure"/>), for health, `runs show` and resends.</param>
    /// <param name="runId">The run whose sender gave up on it, if a run did.</param>
    public async Task MarkFailedAsync(string deliveryId, string reason, int attempts, CancellationToken cancellationToken, string failure = DeliveryFailure.Temporary, string? runId = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE deliveries
            SET status = 'failed', server_reply = @Reply, attempts = attempts + @Attempts, sent_at = NULL, updated_at = @Now,
                failure = @Failure, failed_in_run = @RunId, next_attempt_at = NULL
            WHERE id = @Id AND status IN ('pending', 'deferred', 'uncertain')
            """,
            new { Id = deliveryId, Reply = reason, Attempts = attempts, Now = Now(clock), Failure = failure, RunId = runId });
    }

    /// <summary>
    /// A digest still owed whose subscriber has chosen the feed since it was planned: no mail, and nothing owed or
    /// failed; it stays for their feed and archive as a feed-only digest does.
    /// </summary>
    public async Task MarkFeedOnlyAsync(string deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE deliveries
            SET status = 'feed', updated_at = @Now, next_attempt_at = NULL, claimed_by = NULL, claimed_until = NULL
            WHERE id = @Id AND status IN ('pending', 'deferred', 'uncertain')
            """,
            new { Id = deliveryId, Now = Now(clock) });
    }

    /// <summary>
    /// A temporary fault: the digest waits, deferred, until <paramref name="nextAttemptAt"/> (or, with
    /// <paramref name="uncertain"/>, its end-of-data reply never came: it may have been delivered, and is tried once
    /// more at most). It gives up its claim so that whichever sender is running then takes it.
    /// </summary>
    public async Task MarkDeferredAsync(string deliveryId, string reason, int attempts, DateTimeOffset nextAttemptAt, bool uncertain, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE deliveries
            SET status = @Status, server_reply = @Reply, attempts = attempts + @Attempts, updated_at = @Now, next_attempt_at = @Next,
                deferrals = deferrals + 1, claimed_by = NULL, claimed_until = NULL
            WHERE id = @Id AND status IN ('pending', 'deferred', 'uncertain')
            """,
            new
            {
                Id = deliveryId, Status = uncertain ? DeliveryStatus.Uncertain : DeliveryStatus.Deferred, Reply = reason, Attempts = attempts, Now = Now(clock),
                Next = Stamp(nextAttemptAt),
            });
    }

    /// <summary>The digests a run gave up on (not those skipped because their subscriber left), oldest first.</summary>
    public async Task<IReadOnlyList<FailedDelivery>> FailedInRunAsync(string runId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<FailedDelivery>(
            """
            SELECT id AS DeliveryId, subscriber_id AS SubscriberId, digest_date AS DigestDate, failure AS Failure, server_reply AS Reason, updated_at AS FailedAt
            FROM deliveries
            WHERE failed_in_run = @RunId AND status = 'failed'
            ORDER BY updated_at, id
            LIMIT @Limit
            """,
            new { RunId = runId, Limit = limit })];
    }

    /// <summary>
    /// Digests that failed since <paramref name="since"/> for a reason an admin must look at (composing, the message,
    /// temporary faults that outlasted the retries) and that no later resend has delivered yet.
    /// </summary>
    public async Task<(long Count, string? Latest)> UnresolvedFailuresAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<(long Count, string? Latest)>(
            """
            WITH unresolved AS (
                SELECT f.failure, f.server_reply, f.updated_at
                FROM deliveries f
                WHERE f.status = 'failed' AND f.updated_at >= @Since AND f.failure IN ('compose', 'message', 'temporary')
                  AND NOT EXISTS (
                    SELECT 1 FROM deliveries later
                    WHERE later.subscriber_id = f.subscriber_id AND later.digest_date = f.digest_date
                      AND later.sequence > f.sequence AND later.status = 'sent'))
            SELECT (SELECT count(*) FROM unresolved),
                   (SELECT failure || ': ' || COALESCE(server_reply, '') FROM unresolved ORDER BY updated_at DESC LIMIT 1)
            """,
            new { Since = since.ToString("O", CultureInfo.InvariantCulture) })).Single();
    }

    public async Task<IReadOnlyList<DeliveryRecord>> ListAsync(DateOnly? date, string? subscriberId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<DeliveryRecord>(
            """
            SELECT d.id AS Id, d.subscriber_id AS SubscriberId, s.email AS Email, d.digest_date AS DigestDate, d.sequence AS Sequence,
                   d.status AS Status, d.message_id AS MessageId, d.paper_count AS PaperCount, d.attempts AS Attempts,
                   d.server_reply AS ServerReply, d.failure AS Failure, d.created_at AS CreatedAt, d.sent_at AS SentAt,
                   d.first_day AS FirstDay
            FROM deliveries d LEFT JOIN subscribers s ON s.id = d.subscriber_id
            WHERE (@Date IS NULL OR d.digest_date = @Date) AND (@Subscriber IS NULL OR d.subscriber_id = @Subscriber)
            ORDER BY d.digest_date, s.email, d.sequence
            """,
            new { Date = date is { } d ? Day(d) : null, Subscriber = subscriberId })];
    }

}

/// <summary>A digest still to send; <see cref="SubscriberStatus"/> is checked again right before sending.</summary>
/// <param name="Problem">Set when the digest's stored rows could not be read back (it cannot be composed): why.</param>
/// <param name="Status">The delivery's own status: pending, or deferred or uncertain for another attempt.</param>
/// <param name="Deferrals">How often it was deferred already (its place on the retry schedule).</param>
/// <param name="CreatedAt">When it was planned: a digest still deferred <c>Delivery:GiveUpAfterHours</c> later fails.</param>
public sealed record OwedDigest(string DeliveryId, DigestRecipient Recipient, DateOnly Date, int Sequence, string SubscriberStatus, IReadOnlyList<SelectedPaper> Papers,
    string? Problem = null, string Status = DeliveryStatus.Pending, int Deferrals = 0, DateTimeOffset CreatedAt = default)
{
    /// <summary>How the subscriber reads their digests now (<see cref="DeliveryMode"/>): one who chose the feed since it was planned gets no mail.</summary>
    public string SubscriberDelivery { get; init; } = DeliveryMode.Email;

    /// <summary>The oldest listing day it covers when it covers several (<see cref="Date"/> is the newest); null: that day alone.</summary>
    public DateOnly? FirstDay { get; init; }
}

/// <summary>Where a delivery stands (<c>deliveries.status</c>).</summary>
public static class DeliveryStatus
{
    /// <summary>Owed: planned (or resent), not tried yet.</summary>
    public const string Pending = "pending";

    /// <summary>Owed: a temporary fault; tried again at <c>next_attempt_at</c> on the retry schedule.</summary>
    public const string Deferred = "deferred";

    /// <summary>Owed: the message went out but the server's end-of-data reply never came; tried once more at most.</summary>
    public const string Uncertain = "uncertain";

    public const string Sent = "sent";

    public const string Failed = "failed";

    /// <summary>Sent, then returned by the recipient's server (a delivery status notification): the server's words in <c>server_reply</c>.</summary>
    public const string Bounced = "bounced";

    /// <summary>Sent, then reported as spam by the recipient (a feedback report): the subscriber is suppressed.</summary>
    public const string Complained = "complained";

    /// <summary>A feed-only subscriber's digest: recorded for their feed and archive, never sent (nothing owed, nothing failed).</summary>
    public const string Feed = DigestPlans.FeedOnlyStatus;
}

/// <summary>Why a delivery failed, as stored in <c>deliveries.failure</c>.</summary>
public static class DeliveryFailure
{
    /// <summary>The digest could not be built (a fault in its data or the templates): failed at once, never retried by itself.</summary>
    public const string Compose = "compose";

    /// <summary>This message was refused (by the server, for the message rather than the address) or could not be encoded.</summary>
    public const string Message = "message";

    /// <summary>A temporary fault that outlasted every retry.</summary>
    public const string Temporary = "temporary";

    /// <summary>The server refused the address for good: the subscriber is suppressed.</summary>
    public const string Refused = "refused";

    /// <summary>Not sent because the subscriber left (unsubscribed, suppressed or erased) after it was planned.</summary>
    public const string Skipped = "skipped";

    /// <summary>Twice the message went out and the server never answered: it may have been delivered (at most twice).</summary>
    public const string Uncertain = "uncertain";
}

/// <summary>A digest a run gave up on, and why (<see cref="DeliveryFailure"/>; the reason is the server's words or the fault).</summary>
public sealed record FailedDelivery
{
    public string DeliveryId { get; init; } = "";
    public string SubscriberId { get; init; } = "";
    public string DigestDate { get; init; } = "";
    public string? Failure { get; init; }
    public string? Reason { get; init; }
    public string FailedAt { get; init; } = "";
}

public sealed class DeliveryRecord
{
    public string Id { get; init; } = "";
    public string SubscriberId { get; init; } = "";
    public string? Email { get; init; }
    public string DigestDate { get; init; } = "";
    public long Sequence { get; init; }
    public string Status { get; init; } = "";
    public string MessageId { get; init; } = "";
    public long PaperCount { get; init; }
    public long Attempts { get; init; }
    public string? ServerReply { get; init; }

    /// <summary>For a failed delivery, which kind of failure (<see cref="DeliveryFailure"/>).</summary>
    public string? Failure { get; init; }
    public string CreatedAt { get; init; } = "";
    public string? SentAt { get; init; }

    /// <summary>The oldest listing day the digest covers when it covers several (<see cref="DigestDate"/> is the newest); null: that day alone.</summary>
    public string? FirstDay { get; init; }
}

using System.Globalization;
using System.Text.Json;
using Dapper;
using Newsletter.Data;
using Newsletter.Matching;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Digests;

/// <summary>
/// The planning half of the deliveries table: records the digests a day owes (with their papers and why they
/// matched), and answers what planning must know (who has the day already, which papers each subscriber has had).
/// The unique key (subscriber, day, sequence) decides what is owed, so planning a day twice adds nothing twice.
/// Claiming, marking and resending are Delivery's (<c>Outbox</c>).
/// </summary>
public sealed class DigestPlans(Database database)
{
    internal static readonly MultiRowInsert<PlannedDigest> DeliveryInsert = new(
        "deliveries",
        ["id", "subscriber_id", "digest_date", "sequence", "status", "message_id", "paper_count", "created_at", "updated_at",
         "first_day"],
        d => [d.Id, d.SubscriberId, Day(d.Date), d.Sequence, d.FeedOnly ? FeedOnlyStatus : "pending", d.MessageId, d.Papers.Count, d.CreatedAt, d.CreatedAt,
              d.FirstDay is { } first ? Day(first) : null],
        // no conflict target: the key (subscriber, day, sequence) and the id made from it are both unique, and on
        // PostgreSQL two nodes inserting the same digest at once (a last pass over a page another node is still at)
        // would otherwise meet the id's index first and fail the run with 23505 instead of passing over the row
        "ON CONFLICT DO NOTHING");

    internal static readonly MultiRowInsert<(PlannedDigest Digest, int Rank, SelectedPaper Paper)> PaperInsert = new(
        "delivery_papers",
        ["delivery_id", "rank", "paper_id", "subscriber_id", "score", "matched", "title_spans", "summary_spans"],
        r => [r.Digest.Id, r.Rank, r.Paper.Paper.Id, r.Digest.SubscriberId, r.Paper.Score, JsonSerializer.Serialize(r.Paper.Matched),
              Spans(r.Paper.TitleSpans), Spans(r.Paper.SummarySpans)],
        "ON CONFLICT (delivery_id, rank) DO NOTHING");

    private static readonly KeyedQuery ReceivedBefore = new(
        """
        SELECT dp.subscriber_id, dp.paper_id
        FROM delivery_papers dp JOIN deliveries d ON d.id = dp.delivery_id
        WHERE dp.paper_id IN ({keys}) AND d.digest_date < @Date AND d.status IN ('pending', 'deferred', 'uncertain', 'sent', 'feed')
        """);

    /// <summary>
    /// The status of a feed-only subscriber's digest (<c>deliveries.status</c>): recorded for their feed and archive,
    /// never claimed, sent, retried or counted as failed (Delivery's statuses leave it alone).
    /// </summary>
    public const string FeedOnlyStatus = "feed";

    public static string DeliveryId(string subscriberId, DateOnly date, int sequence) => $"{subscriberId}:{Day(date)}:{sequence}";

    /// <summary>How many <see cref="AddAsync"/> calls are worth running at once.</summary>
    public int ConcurrentWriters => database.Dialect.ConcurrentWriters;

    /// <summary>Records planned digests with their papers; digests already owed or sent are left as they are.</summary>
    /// <returns>How many were new.</returns>
    public async Task<int> AddAsync(IReadOnlyList<PlannedDigest> digests, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // planning asks only for subscribers without the day's digest: a digest already there is another node's race
        var added = (await DeliveryInsert.InsertMostlyNewAsync(connection, transaction, digests, "id", cancellationToken)).ToHashSet(StringComparer.Ordinal);
        if (added.Count > 0)
        {
            // only the digests this transaction added: their rows cannot have papers yet, so no paper row needs a
            // conflict check (where the database copies in bulk they go straight into the table: most of a day's plan is these rows)
            var papers = digests.Where(d => added.Contains(d.Id)).SelectMany(d => d.Papers.Select((p, i) => (d, i + 1, p))).ToList();
            await PaperInsert.InsertNewAsync(connection, transaction, papers, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return added.Count;
    }

    /// <summary>Takes a page of the day's subscribers for this node to plan; false: another node has it.</summary>
    public async Task<bool> TakePageAsync(DateOnly date, string firstId, string taker, string now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO plan_pages (digest_date, first_id, taken_by, taken_at) VALUES (@Date, @FirstId, @Taker, @Now)
            ON CONFLICT (digest_date, first_id) DO NOTHING
            """, new { Date = Day(date), FirstId = firstId, Taker = taker, Now = now }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Pages of earlier days say nothing any more (a day planned again is planned by the last pass alone).</summary>
    public async Task ForgetPagesBeforeAsync(DateOnly date, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM plan_pages WHERE digest_date < @Date", new { Date = Day(date) }, cancellationToken: cancellationToken));
    }

    /// <summary>A day's plan this large changes the tables enough that the query planner should look at them again.</summary>
    public const int ManyDigests = 1_000;

    /// <summary>Brings the query planner's statistics up to date after a large plan, where the database keeps any.</summary>
    public async Task RefreshStatisticsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await database.Dialect.RefreshStatisticsAsync(connection, "deliveries, delivery_papers", cancellationToken);
    }

    /// <summary>For each subscriber, the papers of <paramref name="papers"/> already in a digest of an earlier day.</summary>
    public async Task<Dictionary<string, HashSet<string>>> AlreadyReceivedAsync(DateOnly date, IReadOnlyList<string> papers, CancellationToken cancellationToken)
    {
        var received = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        await ReceivedBefore.ForEachRowAsync(connection, null, papers, row =>
        {
            var subscriber = row.GetString(0);
            if (!received.TryGetValue(subscriber, out var set))
            {
                received[subscriber] = set = new HashSet<string>(StringComparer.Ordinal);
            }
            set.Add(row.GetString(1));
        }, cancellationToken, ("@Date", Day(date)));
        return received;
    }

    /// <summary>
    /// <c>[[start,length],…]</c>, as JSON would write it: written by hand because a day's plan writes this twice per
    /// paper row (1.6 million times for 100,000 digests) and the serializer's setup cost more than the text.
    /// </summary>
    public static string Spans(IReadOnlyList<TextSpan> spans)
    {
        if (spans.Count == 0)
        {
            return "[]";
        }
        var text = new System.Text.StringBuilder(spans.Count * 10).Append('[');
        for (var i = 0; i < spans.Count; i++)
        {
            text.Append(i == 0 ? "[" : ",[").Append(spans[i].Start.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(spans[i].Length.ToString(CultureInfo.InvariantCulture)).Append(']');
        }
        return text.Append(']').ToString();
    }

    public static List<TextSpan> ReadSpans(string json) =>
        [.. (JsonSerializer.Deserialize<int[][]>(json) ?? []).Select(s => new TextSpan(s[0], s[1]))];
}

/// <summary>A digest decided on: who, which day, which papers; <see cref="Id"/> and <see cref="MessageId"/> follow from them.</summary>
public sealed record PlannedDigest(string SubscriberId, DateOnly Date, int Sequence, string MessageId, IReadOnlyList<SelectedPaper> Papers, string CreatedAt)
{
    /// <summary>The oldest listing day the digest covers when it covers several (its <see cref="Date"/> is the newest); null: that day alone.</summary>
    public DateOnly? FirstDay { get; init; }

    public string Id => DigestPlans.DeliveryId(SubscriberId, Date, Sequence);

    /// <summary>For a feed-only subscriber: recorded as <see cref="DigestPlans.FeedOnlyStatus"/>, never sent.</summary>
    public bool FeedOnly { get; init; }
}

using System.Text.Json;
using Dapper;
using Newsletter.Data;
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

    internal static readonly MultiRowInsert<PlannedDigest> PaperInsert = new(
        "digest_papers", ["delivery_id", "papers"], d => [d.Id, PackedPapers.Pack(d.Papers)], "ON CONFLICT (delivery_id) DO NOTHING");

    /// <summary>The statuses of a digest whose papers count as received (owed, sent or in the feed; not failed or bounced).</summary>
    private const string ReceivedStatuses = "('pending', 'deferred', 'uncertain', 'sent', 'feed')";

    /// <summary>More earlier listing days than this and the lookup reads every digest since the first of them instead of naming each day.</summary>
    private const int MostNamedDays = 100;

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
            // only the digests this transaction added: they cannot have papers yet, so no paper row needs a conflict
            // check (where the database copies in bulk they go straight into the table)
            await PaperInsert.InsertNewAsync(connection, transaction, [.. digests.Where(d => added.Contains(d.Id))], cancellationToken);
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
        await database.Dialect.RefreshStatisticsAsync(connection, "deliveries, digest_papers", cancellationToken);
    }

    /// <summary>
    /// The days before <paramref name="date"/> on which any of <paramref name="papers"/> was listed: only digests of
    /// those days (or covering them) can hold one of them. Read once per plan; <see cref="EarlierListings.None"/> when
    /// every paper is new, and then nobody can have had any of them.
    /// </summary>
    public async Task<EarlierListings> EarlierListingsAsync(DateOnly date, IReadOnlyList<string> papers, CancellationToken cancellationToken)
    {
        var days = new SortedSet<string>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        await EarlierDays.ForEachRowAsync(connection, null, papers, row => days.Add(row.GetString(0)), cancellationToken, ("@Date", Day(date)));
        if (days.Count == 0)
        {
            return EarlierListings.None;
        }
        var named = days.Count <= MostNamedDays ? days.ToList() : [];
        var received = new KeyedQuery(
            $"""
            SELECT d.subscriber_id, p.papers
            FROM deliveries d JOIN digest_papers p ON p.delivery_id = d.id
            WHERE d.subscriber_id IN ({"{keys}"}) AND d.digest_date >= @Since AND d.digest_date < @Date AND d.status IN {ReceivedStatuses}
            {(named.Count == 0 ? "" : $"AND (d.first_day IS NOT NULL OR d.digest_date IN ({string.Join(", ", named.Select((_, i) => $"@Day{i}"))}))")}
            """);
        (string, object)[] parameters = [("@Since", days.Min!), ("@Date", Day(date)), .. named.Select((day, i) => ($"@Day{i}", (object)day))];
        return new EarlierListings(received, parameters, papers.ToHashSet(StringComparer.Ordinal));
    }

    private static readonly KeyedQuery EarlierDays = new("SELECT DISTINCT day FROM paper_days WHERE paper_id IN ({keys}) AND day < @Date");

    /// <summary>For each of <paramref name="subscribers"/>, the papers of the day already in one of their digests of an earlier day.</summary>
    public async Task<Dictionary<string, HashSet<string>>> AlreadyReceivedAsync(EarlierListings earlier, IReadOnlyList<string> subscribers, CancellationToken cancellationToken)
    {
        var received = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        if (earlier.Query is null || subscribers.Count == 0)
        {
            return received;
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        await earlier.Query.ForEachRowAsync(connection, null, subscribers, row =>
        {
            List<PackedPaper> had;
            try
            {
                had = PackedPapers.Unpack(row.GetString(1));
            }
            catch (JsonException)
            {
                return; // a damaged digest spoils itself (its send and its page say so), not the planning of the day
            }
            var subscriber = row.GetString(0);
            foreach (var paper in had.Where(p => earlier.Papers.Contains(p.PaperId)))
            {
                if (!received.TryGetValue(subscriber, out var set))
                {
                    received[subscriber] = set = new HashSet<string>(StringComparer.Ordinal);
                }
                set.Add(paper.PaperId);
            }
        }, cancellationToken, earlier.Parameters);
        return received;
    }
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

/// <summary>Where a day's papers were listed before it, as the query that finds who had them (<see cref="DigestPlans.EarlierListingsAsync"/>).</summary>
public sealed class EarlierListings(KeyedQuery? query, (string Name, object Value)[] parameters, IReadOnlySet<string> papers)
{
    public static readonly EarlierListings None = new(null, [], new HashSet<string>());

    internal KeyedQuery? Query => query;
    internal (string Name, object Value)[] Parameters => parameters;
    internal IReadOnlySet<string> Papers => papers;
}

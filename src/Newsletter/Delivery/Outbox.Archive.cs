using System.Globalization;
using Dapper;
using Newsletter.Digests;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Delivery;

/// <summary>
/// Past digests read back for the subscriber's own pages: the archive on /preferences, one digest in the browser,
/// the private feed. Nothing rendered is stored: a digest is its row and its papers' rows (with why each matched and
/// where), as the sender reads them to compose the mail, so rendering them again gives the same digest, at the cost
/// of rows kept anyway rather than its two parts (about 16 KB for ten papers: #22's million digests a day, 16 GB a day).
/// </summary>
public sealed partial class Outbox
{
    /// <summary>The subscriber's last <paramref name="limit"/> digests (each day's own, not its resends), newest first, whatever became of sending them.</summary>
    public async Task<IReadOnlyList<ArchivedDigest>> RecentDigestsAsync(string subscriberId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Date, long Sequence, long PaperCount, string Status)>(new CommandDefinition(
            """
            SELECT digest_date, sequence, paper_count, status
            FROM deliveries
            WHERE subscriber_id = @Id AND sequence = 0
            ORDER BY digest_date DESC
            LIMIT @Limit
            """,
            new { Id = subscriberId, Limit = limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new ArchivedDigest(ParseDay(r.Date), (int)r.Sequence, (int)r.PaperCount, r.Status))];
    }

    /// <summary>The papers of one of the subscriber's digests, in digest order; null when there is no such digest or nothing of it is left.</summary>
    public async Task<IReadOnlyList<SelectedPaper>?> PastDigestAsync(string subscriberId, DateOnly date, int sequence, CancellationToken cancellationToken)
    {
        var id = DigestPlans.DeliveryId(subscriberId, date, sequence);
        await using var connection = await database.OpenAsync(cancellationToken);
        var papers = await PapersOfAsync(connection, [id], cancellationToken);
        return papers.Papers.TryGetValue(id, out var list) && list.Count > 0 ? list : null;
    }

    /// <summary>
    /// Every paper of the subscriber's digests (each day's own, not its resends) of <paramref name="since"/> and after,
    /// newest day first, in digest order within a day, each paper once (its newest digest), and when the newest of
    /// those digests was recorded (null: none).
    /// </summary>
    public async Task<(IReadOnlyList<FeedPaper> Papers, DateTimeOffset? LastRecorded)> FeedPapersAsync(string subscriberId, DateOnly since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var digests = (await connection.QueryAsync<(string Id, string Date, string CreatedAt)>(new CommandDefinition(
            """
            SELECT id, digest_date, created_at
            FROM deliveries
            WHERE subscriber_id = @Id AND sequence = 0 AND digest_date >= @Since
            ORDER BY digest_date DESC
            """,
            new { Id = subscriberId, Since = Day(since) }, cancellationToken: cancellationToken))).ToList();
        if (digests.Count == 0)
        {
            return ([], null);
        }
        var stored = await PapersOfAsync(connection, [.. digests.Select(d => d.Id)], cancellationToken);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var papers = new List<FeedPaper>();
        foreach (var digest in digests)
        {
            foreach (var paper in stored.Papers.GetValueOrDefault(digest.Id) ?? [])
            {
                if (seen.Add(paper.Paper.Id))
                {
                    papers.Add(new FeedPaper(ParseDay(digest.Date), paper));
                }
            }
        }
        return (papers, digests.Max(d => DateTimeOffset.Parse(d.CreatedAt, CultureInfo.InvariantCulture)));
    }

    private static DateOnly ParseDay(string day) => DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>One digest in a subscriber's archive: its listing day, its number that day, how many papers, its status.</summary>
public sealed record ArchivedDigest(DateOnly Date, int Sequence, int PaperCount, string Status);

/// <summary>A paper of a subscriber's digest of <paramref name="Date"/>, for their feed.</summary>
public sealed record FeedPaper(DateOnly Date, SelectedPaper Paper);

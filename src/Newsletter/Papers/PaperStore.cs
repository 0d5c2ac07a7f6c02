using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Newsletter.Data;

namespace Newsletter.Papers;

/// <summary>Stores listed papers (one row per arXiv id) and the days they were listed on.</summary>
public sealed class PaperStore(Database database, TimeProvider clock)
{
    private const int IdsPerQuery = 500;

    /// <summary>Upserts one day's listing in one transaction: all of it is stored, or nothing.</summary>
    public async Task<ListingChanges> SaveListingAsync(ListingToStore listing, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changes = await CompareAsync(connection, transaction, listing);
        var now = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var day = Day(listing.Day);

        await connection.ExecuteAsync(
            """
            INSERT INTO papers (id, title, summary, authors, organization, upvotes, published_at, first_seen, last_seen, created_at, updated_at)
            VALUES (@Id, @Title, @Summary, @Authors, @Organization, @Upvotes, @PublishedAt, @Day, @Day, @Now, @Now)
            ON CONFLICT (id) DO UPDATE SET
                -- the latest day's listing wins, but a listing without abstracts never erases one
                title        = CASE WHEN excluded.last_seen >= papers.last_seen THEN excluded.title ELSE papers.title END,
                summary      = CASE WHEN excluded.summary = '' THEN papers.summary
                                    WHEN papers.summary = '' OR excluded.last_seen >= papers.last_seen THEN excluded.summary
                                    ELSE papers.summary END,
                authors      = CASE WHEN excluded.authors = '[]' THEN papers.authors ELSE excluded.authors END,
                organization = COALESCE(excluded.organization, papers.organization),
                upvotes      = CASE WHEN excluded.last_seen >= papers.last_seen THEN excluded.upvotes ELSE papers.upvotes END,
                published_at = COALESCE(excluded.published_at, papers.published_at),
                first_seen   = CASE WHEN excluded.first_seen < papers.first_seen THEN excluded.first_seen ELSE papers.first_seen END,
                last_seen    = CASE WHEN excluded.last_seen > papers.last_seen THEN excluded.last_seen ELSE papers.last_seen END,
                updated_at   = excluded.updated_at
            """,
            listing.Papers.Select(p => new
            {
                p.Id,
                p.Title,
                p.Summary,
                Authors = JsonSerializer.Serialize(p.Authors),
                p.Organization,
                p.Upvotes,
                PublishedAt = p.PublishedAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                Day = day,
                Now = now,
            }),
            transaction);

        await connection.ExecuteAsync(
            """
            INSERT INTO paper_days (day, paper_id, position, upvotes) VALUES (@Day, @Id, @Position, @Upvotes)
            ON CONFLICT (day, paper_id) DO UPDATE SET position = excluded.position, upvotes = excluded.upvotes
            """,
            listing.Papers.Select((p, i) => new { Day = day, p.Id, Position = i + 1, p.Upvotes }),
            transaction);

        await connection.ExecuteAsync(
            """
            INSERT INTO listings (day, source, format, paper_count, fetched_at) VALUES (@Day, @Source, @Format, @Count, @Now)
            ON CONFLICT (day, source) DO UPDATE SET format = excluded.format, paper_count = excluded.paper_count, fetched_at = excluded.fetched_at
            """,
            new { Day = day, listing.Source, listing.Format, listing.Papers.Count, Now = now },
            transaction);

        await transaction.CommitAsync(cancellationToken);
        return changes;
    }

    /// <summary>What <see cref="SaveListingAsync"/> would change, without writing.</summary>
    public async Task<ListingChanges> PreviewListingAsync(ListingToStore listing, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await CompareAsync(connection, null, listing);
    }

    private static async Task<ListingChanges> CompareAsync(DbConnection connection, DbTransaction? transaction, ListingToStore listing)
    {
        var existing = new Dictionary<string, ExistingPaper>(StringComparer.Ordinal);
        foreach (var chunk in listing.Papers.Select(p => p.Id).Chunk(IdsPerQuery))
        {
            var rows = await connection.QueryAsync<ExistingPaper>(
                "SELECT id AS Id, title AS Title, summary AS Summary, upvotes AS Upvotes, last_seen AS LastSeen FROM papers WHERE id IN @Ids",
                new { Ids = chunk }, transaction);
            foreach (var row in rows)
            {
                existing[row.Id] = row;
            }
        }
        var alreadyListed = (await connection.QueryAsync<string>(
            "SELECT paper_id FROM paper_days WHERE day = @Day", new { Day = Day(listing.Day) }, transaction)).ToHashSet(StringComparer.Ordinal);

        int added = 0, updated = 0, changed = 0;
        var day = Day(listing.Day);
        foreach (var paper in listing.Papers)
        {
            if (!existing.TryGetValue(paper.Id, out var stored))
            {
                added++;
                continue;
            }
            updated++;
            var newer = string.CompareOrdinal(day, stored.LastSeen) >= 0;
            if (!alreadyListed.Contains(paper.Id)
                || (newer && (stored.Upvotes != paper.Upvotes || stored.Title != paper.Title))
                || (paper.Summary.Length > 0 && stored.Summary != paper.Summary && (newer || stored.Summary.Length == 0)))
            {
                changed++;
            }
        }
        return new ListingChanges(added, updated, changed);
    }

    public async Task<IReadOnlyList<StoredPaper>> ListAsync(DateOnly? day, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = day is { } d
            ? await connection.QueryAsync<PaperRow>(
                """
                SELECT p.id AS Id, p.title AS Title, p.summary AS Summary, p.upvotes AS Upvotes, p.published_at AS PublishedAt, p.first_seen AS FirstSeen
                FROM paper_days pd JOIN papers p ON p.id = pd.paper_id
                WHERE pd.day = @Day
                ORDER BY pd.position
                """, new { Day = Day(d) })
            : await connection.QueryAsync<PaperRow>(
                """
                SELECT id AS Id, title AS Title, summary AS Summary, upvotes AS Upvotes, published_at AS PublishedAt, first_seen AS FirstSeen
                FROM papers
                ORDER BY first_seen, id
                """);
        var days = (await connection.QueryAsync<(string PaperId, string Day)>(
                day is null
                    ? "SELECT paper_id, day FROM paper_days ORDER BY day"
                    : "SELECT paper_id, day FROM paper_days WHERE paper_id IN (SELECT paper_id FROM paper_days WHERE day = @Day) ORDER BY day",
                new { Day = day is { } x ? Day(x) : null }))
            .ToLookup(r => r.PaperId, r => r.Day);
        return [.. rows.Select(r => new StoredPaper(
            r.Id, r.Title, r.Summary, (int)r.Upvotes,
            r.PublishedAt is null ? null : DateTimeOffset.Parse(r.PublishedAt, CultureInfo.InvariantCulture),
            r.FirstSeen, [.. days[r.Id]]))];
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM papers");
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed class ExistingPaper
    {
        public string Id { get; init; } = "";
        public string Title { get; init; } = "";
        public string Summary { get; init; } = "";
        public long Upvotes { get; init; }
        public string LastSeen { get; init; } = "";
    }

    private sealed class PaperRow
    {
        public string Id { get; init; } = "";
        public string Title { get; init; } = "";
        public string Summary { get; init; } = "";
        public long Upvotes { get; init; }
        public string? PublishedAt { get; init; }
        public string FirstSeen { get; init; } = "";
    }
}

/// <summary>One day's list, ready to store.</summary>
public sealed record ListingToStore(DateOnly Day, string Source, string Format, IReadOnlyList<Paper> Papers);

/// <summary>New: stored for the first time. Updated: already stored, refreshed. Changed: of those, the ones whose stored data differs.</summary>
public sealed record ListingChanges(int New, int Updated, int Changed);

public sealed record StoredPaper(string Id, string Title, string Summary, int Upvotes, DateTimeOffset? PublishedAt, string FirstSeen, IReadOnlyList<string> Days);

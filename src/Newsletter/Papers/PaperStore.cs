using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Newsletter.Data;
using static Newsletter.Common.StoredTime;

namespace Newsletter.Papers;

/// <summary>Stores listed papers (one row per arXiv id) and the days they were listed on.</summary>
public sealed class PaperStore(Database database, TimeProvider clock)
{
    private static readonly KeyedQuery StoredIds = new("SELECT id FROM papers WHERE id IN ({keys})");

    private static readonly MultiRowInsert<PaperRowToStore> PaperUpsert = new(
        "papers",
        ["id", "title", "summary", "authors", "organization", "upvotes", "published_at", "first_seen", "last_seen", "created_at", "updated_at", "categories"],
        r => [r.Paper.Id, r.Paper.Title, r.Paper.Summary, JsonSerializer.Serialize(r.Paper.Authors), r.Paper.Organization, r.Paper.Upvotes,
              r.Paper.PublishedAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture), r.Day, r.Day, r.Now, r.Now,
              JsonSerializer.Serialize(r.Paper.Categories)],
        """
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
            -- a source without categories (the HF list) never erases those arXiv gave
            categories   = CASE WHEN excluded.categories = '[]' THEN papers.categories ELSE excluded.categories END,
            first_seen   = CASE WHEN excluded.first_seen < papers.first_seen THEN excluded.first_seen ELSE papers.first_seen END,
            last_seen    = CASE WHEN excluded.last_seen > papers.last_seen THEN excluded.last_seen ELSE papers.last_seen END,
            updated_at   = excluded.updated_at
        WHERE excluded.last_seen > papers.last_seen
           OR excluded.first_seen < papers.first_seen
           OR (excluded.last_seen = papers.last_seen
               AND (excluded.title <> papers.title OR excluded.upvotes <> papers.upvotes
                    OR (excluded.summary <> '' AND excluded.summary <> papers.summary)))
           OR (papers.summary = '' AND excluded.summary <> '')
           OR (excluded.categories <> '[]' AND excluded.categories <> papers.categories)
        """);

    private static readonly MultiRowInsert<(string Day, string PaperId, string Source)> PaperSourceInsert = new(
        "paper_sources",
        ["day", "paper_id", "source"],
        r => [r.Day, r.PaperId, r.Source],
        "ON CONFLICT (day, paper_id, source) DO NOTHING");

    private static readonly MultiRowInsert<PaperRowToStore> PaperDayUpsert = new(
        "paper_days",
        ["day", "paper_id", "position", "upvotes"],
        r => [r.Day, r.Paper.Id, r.Position, r.Paper.Upvotes],
        "ON CONFLICT (day, paper_id) DO UPDATE SET position = excluded.position, upvotes = excluded.upvotes");

    /// <summary>Upserts one day's listing in one transaction: all of it is stored, or nothing.</summary>
    public Task<ListingChanges> SaveListingAsync(ListingToStore listing, CancellationToken cancellationToken) =>
        WriteAsync(listing, commit: true, cancellationToken);

    /// <summary>What <see cref="SaveListingAsync"/> would change: the same writes, rolled back.</summary>
    public Task<ListingChanges> PreviewListingAsync(ListingToStore listing, CancellationToken cancellationToken) =>
        WriteAsync(listing, commit: false, cancellationToken);

    private async Task<ListingChanges> WriteAsync(ListingToStore listing, bool commit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var alreadyStored = 0;
        await StoredIds.ForEachRowAsync(connection, transaction, [.. listing.Papers.Select(p => p.Id)], _ => alreadyStored++, cancellationToken);
        var now = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var day = Day(listing.Day);

        var rows = listing.Papers.Select((p, i) => new PaperRowToStore(p, i + 1, day, now)).ToList();
        var insertedOrChanged = await PaperUpsert.ExecuteAsync(connection, transaction, rows, cancellationToken);
        await PaperDayUpsert.ExecuteAsync(connection, transaction, rows, cancellationToken);
        var sources = listing.Papers.SelectMany(p => p.Sources.Select(s => (day, p.Id, s))).ToList();
        if (sources.Count > 0)
        {
            await PaperSourceInsert.ExecuteAsync(connection, transaction, sources, cancellationToken);
        }
        foreach (var part in listing.Parts ?? [new ListingPart(listing.Source, listing.Format, listing.Papers.Count)])
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO listings (day, source, format, paper_count, fetched_at) VALUES (@Day, @Source, @Format, @Count, @Now)
                ON CONFLICT (day, source) DO UPDATE SET format = excluded.format, paper_count = excluded.paper_count, fetched_at = excluded.fetched_at
                """,
                new { Day = day, part.Source, part.Format, part.Count, Now = now },
                transaction);
        }
        await SourceFailures.WriteAsync(connection, transaction, day, listing.FetchedSources, listing.FailedSources, now);

        if (commit)
        {
            await transaction.CommitAsync(cancellationToken);
        }
        else
        {
            await transaction.RollbackAsync(cancellationToken);
        }
        var added = listing.Papers.Count - alreadyStored;
        return new ListingChanges(added, alreadyStored, insertedOrChanged - added);
    }

    public async Task<IReadOnlyList<StoredPaper>> ListAsync(DateOnly? day, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = day is { } d
            ? await connection.QueryAsync<StoredRow>(
                """
                SELECT p.id AS Id, p.title AS Title, p.summary AS Summary, p.upvotes AS Upvotes, p.published_at AS PublishedAt, p.first_seen AS FirstSeen,
                       p.categories AS Categories
                FROM paper_days pd JOIN papers p ON p.id = pd.paper_id
                WHERE pd.day = @Day
                ORDER BY pd.position
                """, new { Day = Day(d) })
            : await connection.QueryAsync<StoredRow>(
                """
                SELECT id AS Id, title AS Title, summary AS Summary, upvotes AS Upvotes, published_at AS PublishedAt, first_seen AS FirstSeen,
                       categories AS Categories
                FROM papers
                ORDER BY first_seen, id
                """);
        var days = (await connection.QueryAsync<(string PaperId, string Day)>(
                day is null
                    ? "SELECT paper_id, day FROM paper_days ORDER BY day"
                    : "SELECT paper_id, day FROM paper_days WHERE paper_id IN (SELECT paper_id FROM paper_days WHERE day = @Day) ORDER BY day",
                new { Day = day is { } x ? Day(x) : null }))
            .ToLookup(r => r.PaperId, r => r.Day);
        var sources = day is { } listed
            ? await SourcesOnAsync(connection, listed)
            : (await connection.QueryAsync<(string PaperId, string Source)>("SELECT DISTINCT paper_id, source FROM paper_sources ORDER BY paper_id, source"))
                .ToLookup(r => r.PaperId, r => r.Source);
        return [.. rows.Select(r => new StoredPaper(
            r.Id, r.Title, r.Summary, (int)r.Upvotes,
            r.PublishedAt is null ? null : DateTimeOffset.Parse(r.PublishedAt, CultureInfo.InvariantCulture),
            r.FirstSeen, [.. days[r.Id]])
        {
            Categories = JsonSerializer.Deserialize<List<string>>(r.Categories) ?? [],
            Sources = [.. sources[r.Id]],
        })];
    }

    /// <summary>Which of these days have a listing stored (from any source; an empty listing counts).</summary>
    public async Task<HashSet<DateOnly>> ListedDaysAsync(IEnumerable<DateOnly> days, CancellationToken cancellationToken)
    {
        var wanted = days.Select(Day).ToList();
        var listed = new HashSet<DateOnly>();
        if (wanted.Count == 0)
        {
            return listed;
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        await ListedDays.ForEachRowAsync(connection, null, wanted,
            row => listed.Add(DateOnly.ParseExact(row.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture)), cancellationToken);
        return listed;
    }

    private static readonly KeyedQuery ListedDays = new("SELECT DISTINCT day FROM listings WHERE day IN ({keys})");

    /// <summary>The papers listed on <paramref name="day"/>, in listed order, as the matcher and the digests need them.</summary>
    public async Task<IReadOnlyList<Paper>> PapersOnAsync(DateOnly day, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, string Title, string Summary, long Upvotes, string? PublishedAt, string Authors, string? Organization, string Categories)>(
            """
            SELECT p.id, p.title, p.summary, p.upvotes, p.published_at, p.authors, p.organization, p.categories
            FROM paper_days pd JOIN papers p ON p.id = pd.paper_id
            WHERE pd.day = @Day
            ORDER BY pd.position
            """, new { Day = Day(day) });
        var sources = await SourcesOnAsync(connection, day);
        return [.. rows.Select(r => PaperRow.ToPaper(r.Id, r.Title, r.Summary, r.Upvotes, r.PublishedAt, r.Authors, r.Organization, r.Categories) with { Sources = [.. sources[r.Id]] })];
    }

    /// <summary>The sources that listed each paper of the day, by name.</summary>
    private static async Task<ILookup<string, string>> SourcesOnAsync(DbConnection connection, DateOnly day) =>
        (await connection.QueryAsync<(string PaperId, string Source)>(
            "SELECT paper_id, source FROM paper_sources WHERE day = @Day ORDER BY paper_id, source", new { Day = Day(day) }))
        .ToLookup(r => r.PaperId, r => r.Source);

    /// <summary>Sources that failed since <paramref name="since"/> for a day they were not fetched for later, newest day first.</summary>
    public async Task<IReadOnlyList<SourceFailure>> SourceFailuresSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<SourceFailure>(
            "SELECT day AS Day, source AS Source, error AS Error, failed_at AS FailedAt FROM source_failures WHERE failed_at >= @Since ORDER BY day DESC, source",
            new { Since = since.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) })];
    }

    /// <summary>
    /// Sources that failed for one of <paramref name="days"/> and were last tried before <paramref name="triedBefore"/>:
    /// worth another try (a day's other sources are stored, so the day itself is not fetched again).
    /// </summary>
    public async Task<IReadOnlyList<(DateOnly Day, string Source)>> SourcesToRetryAsync(IReadOnlyCollection<DateOnly> days, DateTimeOffset triedBefore,
        CancellationToken cancellationToken)
    {
        if (days.Count == 0)
        {
            return [];
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        // a handful of rows at most: a source's failure is cleared when it is fetched
        var failed = await connection.QueryAsync<(string Day, string Source)>(
            "SELECT day, source FROM source_failures WHERE failed_at < @Before ORDER BY day, source",
            new { Before = triedBefore.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) });
        var wanted = days.Select(Day).ToHashSet(StringComparer.Ordinal);
        return [.. failed.Where(f => wanted.Contains(f.Day)).Select(f => (DateOnly.ParseExact(f.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture), f.Source))];
    }

    /// <summary>Records sources that failed for a day when nothing else is stored for it (every source failed).</summary>
    public async Task RecordSourceFailuresAsync(DateOnly day, IReadOnlyDictionary<string, string> failed, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await SourceFailures.WriteAsync(connection, transaction, Day(day), [], failed, clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The distinct papers listed in the <paramref name="days"/> days up to the latest listing day stored (not today:
    /// a service fed old listings still has something to show), newest day first, with that latest day.
    /// </summary>
    public async Task<(DateOnly? Latest, IReadOnlyList<Paper> Papers)> PapersOfRecentDaysAsync(int days, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var latest = await connection.ExecuteScalarAsync<string?>("SELECT max(day) FROM paper_days");
        if (latest is null)
        {
            return (null, []);
        }
        var last = DateOnly.ParseExact(latest, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var rows = await connection.QueryAsync<(string Id, string Title, string Summary, long Upvotes, string? PublishedAt, string Authors, string? Organization, string Categories)>(
            """
            SELECT p.id, p.title, p.summary, p.upvotes, p.published_at, p.authors, p.organization, p.categories
            FROM papers p
            JOIN (SELECT paper_id, max(day) AS day FROM paper_days WHERE day > @From AND day <= @To GROUP BY paper_id) recent ON recent.paper_id = p.id
            ORDER BY recent.day DESC, p.upvotes DESC, p.id
            """, new { From = Day(last.AddDays(-days)), To = latest });
        return (last, [.. rows.Select(r => PaperRow.ToPaper(r.Id, r.Title, r.Summary, r.Upvotes, r.PublishedAt, r.Authors, r.Organization, r.Categories))]);
    }

    private sealed record PaperRowToStore(Paper Paper, int Position, string Day, string Now);

    private static class SourceFailures
    {
        /// <summary>A source fetched for the day clears its failure; a source that failed replaces its last one.</summary>
        public static async Task WriteAsync(DbConnection connection, DbTransaction transaction, string day,
            IReadOnlyList<string> fetched, IReadOnlyDictionary<string, string> failed, string now)
        {
            foreach (var source in fetched)
            {
                await connection.ExecuteAsync("DELETE FROM source_failures WHERE day = @Day AND source = @Source", new { Day = day, Source = source }, transaction);
            }
            foreach (var (source, error) in failed)
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO source_failures (day, source, error, failed_at) VALUES (@Day, @Source, @Error, @Now)
                    ON CONFLICT (day, source) DO UPDATE SET error = excluded.error, failed_at = excluded.failed_at
                    """, new { Day = day, Source = source, Error = error, Now = now }, transaction);
            }
        }
    }


    private sealed class StoredRow
    {
        public string Id { get; init; } = "";
        public string Title { get; init; } = "";
        public string Summary { get; init; } = "";
        public long Upvotes { get; init; }
        public string? PublishedAt { get; init; }
        public string FirstSeen { get; init; } = "";
        public string Categories { get; init; } = "[]";
    }
}

/// <summary>One day's list, ready to store.</summary>
public sealed record ListingToStore(DateOnly Day, string Source, string Format, IReadOnlyList<Paper> Papers)
{
    /// <summary>The listings it unites, one per source fetched (by default the one <see cref="Source"/>).</summary>
    public IReadOnlyList<ListingPart>? Parts { get; init; }

    /// <summary>Configured sources fetched for the day: a failure recorded earlier for the day is cleared.</summary>
    public IReadOnlyList<string> FetchedSources { get; init; } = [];

    /// <summary>Configured sources that failed for the day, with why: recorded with the listing, in its transaction.</summary>
    public IReadOnlyDictionary<string, string> FailedSources { get; init; } = new Dictionary<string, string>();
}

/// <summary>One source's listing of the day: where it came from, its format and how many papers it held.</summary>
public sealed record ListingPart(string Source, string Format, int Count);

/// <summary>A source that could not be fetched for a listing day.</summary>
public sealed record SourceFailure(string Day, string Source, string Error, string FailedAt);

/// <summary>New: stored for the first time. Updated: already stored, refreshed. Changed: of those, the ones whose stored data differs.</summary>
public sealed record ListingChanges(int New, int Updated, int Changed);

public sealed record StoredPaper(string Id, string Title, string Summary, int Upvotes, DateTimeOffset? PublishedAt, string FirstSeen, IReadOnlyList<string> Days)
{
    /// <summary>arXiv categories, primary first; empty when no source gave any.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>The sources that listed it (on the day asked for, or on any day).</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];
}

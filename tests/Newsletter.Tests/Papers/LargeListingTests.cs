using Newsletter.Data;
using Newsletter.Papers;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Papers;

/// <summary>A listing large enough that PostgreSQL stores it by COPY (binary) through a staging table: the same rows and counts as row-by-row.</summary>
public abstract class LargeListingTests(Backend backend) : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 3, 11);
    private TestServices _services = null!;

    public async Task InitializeAsync() => _services = await TestServices.StartAsync(backend);

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private static Paper Numbered(int i, int upvotes) => new(
        $"2603.{i:D5}", $"Paper {i}: tabs\tand \\N and ünïcödé", i % 3 == 0 ? "" : $"Abstract {i}\nsecond line",
        upvotes, i % 2 == 0 ? null : new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero), i % 4 == 0 ? [] : [$"Author {i}"],
        i % 5 == 0 ? null : $"Lab {i}");

    [Fact]
    public async Task A_large_listing_is_stored_whole_with_empty_values_intact_and_a_second_save_only_updates()
    {
        var count = PostgresDialect.CopyFrom + 50;
        var store = _services.Get<PaperStore>();
        var first = Enumerable.Range(0, count).Select(i => Numbered(i, i)).ToList();

        var saved = await store.SaveListingAsync(new ListingToStore(Day, "test", "json", first), CancellationToken.None);
        var resaved = await store.SaveListingAsync(new ListingToStore(Day, "test", "json", [.. Enumerable.Range(0, count).Select(i => Numbered(i, i + (i < 10 ? 100 : 0)))]), CancellationToken.None);

        Assert.Equal(new ListingChanges(count, 0, 0), saved);
        Assert.Equal(new ListingChanges(0, count, 10), resaved);
        var stored = (await store.PapersOnAsync(Day, CancellationToken.None)).ToDictionary(p => p.Id);
        Assert.Equal(count, stored.Count);
        foreach (var paper in first)
        {
            var back = stored[paper.Id];
            Assert.Equal(paper.Title, back.Title);
            Assert.Equal(paper.Summary, back.Summary);
            Assert.Equal(paper.Organization, back.Organization);
            Assert.Equal(paper.PublishedAt, back.PublishedAt);
            Assert.Equal(paper.Authors, back.Authors);
            Assert.Equal(paper.Upvotes + (int.Parse(paper.Id[5..]) < 10 ? 100 : 0), back.Upvotes);
        }
    }
}

public sealed class LargeListingTestsOnSqlite() : LargeListingTests(Backend.Sqlite);

public sealed class LargeListingTestsOnPostgres() : LargeListingTests(Backend.Postgres);

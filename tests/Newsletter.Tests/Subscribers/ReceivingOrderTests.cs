using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Subscribers;

/// <summary>
/// Planning and marking a day walk the receiving subscribers a page at a time in id order. On SQLite, with an index
/// on status alone, each page sorted every active subscriber after it: a million subscribers made the day's
/// planning quadratic (#22). These pin that the shapes SubscriberStore runs are ranges of the (status, id) index.
/// </summary>
public sealed class ReceivingOrderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<SqliteConnection> MigratedAsync()
    {
        var file = _dir.File("receiving.db");
        var database = new Database(Options.Create(new DatabaseOptions { ConnectionString = $"Data Source={file}" }), new NewsletterHome(_dir.Path, ""));
        await new Migrator(database, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        SqliteConnection.ClearAllPools();
        var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await connection.ExecuteAsync(
            """
            WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 2000)
            INSERT INTO subscribers (id, email, status, secret, created_at, updated_at)
            SELECT printf('s%06d', value), printf('s%06d@example.org', value), CASE WHEN value % 7 = 0 THEN 'unsubscribed' ELSE 'active' END,
                   'secret', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'
            FROM n
            """);
        return connection;
    }

    private static async Task<string> PlanOfAsync(SqliteConnection connection, string sql) =>
        string.Join("\n", (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sql,
            new { After = "s000500", First = "s000500", Last = "s000900", Date = "2026-03-11", Day = "2026-03-11", Limit = 100 })).Select(r => r.Detail));

    [Fact]
    public async Task A_page_of_receiving_subscribers_is_a_range_of_the_status_and_id_index_not_a_sort()
    {
        await using var connection = await MigratedAsync();

        var plan = await PlanOfAsync(connection,
            """
            SELECT s.id, s.delivery,
                   CASE WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.subscriber_id = s.id AND d.digest_date = @Date AND d.sequence = 0) THEN 1 ELSE 0 END
            FROM subscribers s
            WHERE s.id > @After AND s.status = 'active' AND s.paused_at IS NULL
            ORDER BY s.id
            LIMIT @Limit
            """);

        Assert.Contains("subscribers_by_status (status=? AND id>?)", plan);
        Assert.DoesNotContain("TEMP B-TREE", plan);
    }

    [Fact]
    public async Task Marking_a_range_of_subscribers_reads_only_that_range()
    {
        await using var connection = await MigratedAsync();

        var page = await PlanOfAsync(connection,
            "SELECT min(id), max(id) FROM (SELECT id FROM subscribers WHERE id > @After AND status = 'active' AND paused_at IS NULL ORDER BY id LIMIT @Limit) page");
        var update = await PlanOfAsync(connection,
            "UPDATE subscribers SET last_planned_day = @Day WHERE id >= @First AND id <= @Last AND status = 'active' AND paused_at IS NULL");

        Assert.Contains("subscribers_by_status (status=? AND id>?)", page);
        Assert.DoesNotContain("TEMP B-TREE", page);
        Assert.Contains("subscribers_by_status (status=? AND id>? AND id<?)", update);
    }
}

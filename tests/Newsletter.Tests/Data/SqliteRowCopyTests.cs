using Dapper;
using Microsoft.Data.Sqlite;
using Newsletter.Data;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Data;

/// <summary>SQLite's bulk path (one statement stepped per row, bound by position) writes and refuses exactly as the multi-row statements do.</summary>
public sealed class SqliteRowCopyTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SqliteConnection _connection;

    private static readonly MultiRowInsert<(string Id, int Rank, double Score, string? Note)> Rows = new(
        "items", ["id", "rank", "score", "note"], r => [r.Id, r.Rank, r.Score, r.Note], "ON CONFLICT (id) DO NOTHING");

    public SqliteRowCopyTests()
    {
        _connection = new SqliteConnection($"Data Source={Path.Combine(_dir.Path, "copy.db")}");
        _connection.Open();
        _connection.Execute("CREATE TABLE items (id TEXT PRIMARY KEY, rank INTEGER NOT NULL, score REAL NOT NULL, note TEXT)");
    }

    public void Dispose()
    {
        _connection.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private static List<(string, int, double, string?)> Many(int count, string prefix = "i") =>
        [.. Enumerable.Range(0, count).Select(i => ($"{prefix}{i:D4}", i, i / 4.0, i % 3 == 0 ? null : $"note {i} · ünïcode"))];

    [Fact]
    public async Task Rows_known_to_be_new_are_written_with_their_types_and_nulls()
    {
        using var transaction = _connection.BeginTransaction();
        await Rows.InsertNewAsync(_connection, transaction, Many(100), CancellationToken.None);
        transaction.Commit();

        Assert.Equal(100L, _connection.ExecuteScalar<long>("SELECT count(*) FROM items"));
        var row = _connection.QuerySingle<(string Id, long Rank, double Score, string? Note)>("SELECT id, rank, score, note FROM items WHERE id = 'i0043'");
        Assert.Equal(("i0043", 43L, 10.75, "note 43 · ünïcode"), row);
        Assert.Equal(34L, _connection.ExecuteScalar<long>("SELECT count(*) FROM items WHERE note IS NULL"));
        Assert.Equal("integer", _connection.ExecuteScalar<string>("SELECT typeof(rank) FROM items LIMIT 1"));
    }

    [Fact]
    public async Task A_row_known_to_be_new_that_is_there_fails_the_whole_insert_with_sqlites_reason()
    {
        _connection.Execute("INSERT INTO items VALUES ('i0050', 0, 0, NULL)");
        using var transaction = _connection.BeginTransaction();

        var error = await Assert.ThrowsAsync<SqliteException>(() => Rows.InsertNewAsync(_connection, transaction, Many(100), CancellationToken.None));
        transaction.Rollback();

        Assert.Contains("UNIQUE constraint failed: items.id", error.Message);
        Assert.Equal(1L, _connection.ExecuteScalar<long>("SELECT count(*) FROM items"));
    }

    [Fact]
    public async Task Returning_lists_only_the_rows_written_when_the_conflict_rule_skips_some()
    {
        _connection.Execute("INSERT INTO items VALUES ('i0007', 0, 0, NULL), ('i0063', 0, 0, NULL)");
        using var transaction = _connection.BeginTransaction();

        var written = await Rows.ExecuteReturningAsync(_connection, transaction, Many(64), "id", CancellationToken.None);
        transaction.Commit();

        Assert.Equal(62, written.Count);
        Assert.DoesNotContain("i0007", written);
        Assert.DoesNotContain("i0063", written);
        Assert.Equal(64L, _connection.ExecuteScalar<long>("SELECT count(*) FROM items"));
    }

    [Fact]
    public async Task A_value_sqlite_cannot_bind_is_refused_naming_the_column()
    {
        var odd = new MultiRowInsert<int>("items", ["id", "rank", "score", "note"], i => [$"x{i}", i, 0.0, new Uri("https://example.org")]);
        using var transaction = _connection.BeginTransaction();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => odd.InsertNewAsync(_connection, transaction, [.. Enumerable.Range(0, 20)], CancellationToken.None));

        Assert.Contains("items.note", error.Message);
        Assert.Contains("Uri", error.Message);
    }
}

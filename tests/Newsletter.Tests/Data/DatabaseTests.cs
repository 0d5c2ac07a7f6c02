using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Tests.Support;
using Npgsql;

namespace Newsletter.Tests.Data;

public sealed class DatabaseTests
{
    private static NpgsqlConnectionStringBuilder Resolved(string connectionString)
    {
        var database = new Database(Options.Create(new DatabaseOptions { Provider = "postgres", ConnectionString = connectionString }), new NewsletterHome(Path.GetTempPath(), ""));
        return new NpgsqlConnectionStringBuilder(database.ConnectionString);
    }

    [Fact]
    public void PostgreSQL_connections_prepare_repeated_statements_and_skip_the_session_reset_by_default()
    {
        var resolved = Resolved("Host=db.example.org;Username=newsletter;Database=newsletter");

        Assert.Equal(32, resolved.MaxAutoPrepare);
        Assert.True(resolved.NoResetOnClose);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;maxautoprepare=0;NoResetOnClose=False")]
    public void What_the_connection_string_says_about_them_is_kept(string connectionString)
    {
        var resolved = Resolved(connectionString);

        Assert.Equal(0, resolved.MaxAutoPrepare);
        Assert.False(resolved.NoResetOnClose);
    }

    [Fact]
    public async Task A_pooled_SQLite_connection_has_the_session_settings_each_time_it_is_opened()
    {
        using var dir = new TempDirectory();
        await using var database = new Database(Options.Create(new DatabaseOptions { Provider = "sqlite", ConnectionString = "Data Source=settings.db", BusyTimeoutSeconds = 7 }),
            new NewsletterHome(dir.Path, ""));
        try
        {
            SQLitePCL.sqlite3 first;
            await using (var connection = await database.OpenAsync(CancellationToken.None))
            {
                first = ((SqliteConnection)connection).Handle!;
                await AssertSettingsAsync(connection);
            }
            // the same file handle again, from the pool: its settings are not made a second time, and are still there
            await using (var again = await database.OpenAsync(CancellationToken.None))
            {
                Assert.Same(first, ((SqliteConnection)again).Handle);
                await AssertSettingsAsync(again);
                // a second handle while the first is taken is a new one, and gets the settings too
                await using var other = await database.OpenAsync(CancellationToken.None);
                Assert.NotSame(first, ((SqliteConnection)other).Handle);
                await AssertSettingsAsync(other);
            }
            using var synchronous = database.Open();
            await AssertSettingsAsync(synchronous);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }

        static async Task AssertSettingsAsync(DbConnection connection)
        {
            Assert.Equal(7_000, await connection.ExecuteScalarAsync<int>("PRAGMA busy_timeout"));
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>("PRAGMA foreign_keys"));
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>("PRAGMA synchronous")); // NORMAL
            Assert.Equal(10_000, await connection.ExecuteScalarAsync<int>("PRAGMA wal_autocheckpoint"));
        }
    }
}

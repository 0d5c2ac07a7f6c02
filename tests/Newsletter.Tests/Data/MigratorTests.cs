using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Digests;
using Newsletter.Matching;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Data;

public sealed class MigratorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Migrator MigratorFor(string file) =>
        new(new Database(Options.Create(new DatabaseOptions { ConnectionString = $"Data Source={file}" }), new NewsletterHome(_dir.Path, "")), NullLogger<Migrator>.Instance);

    /// <summary>An empty database of the backend: a new one on the test cluster, or a file of that name here.</summary>
    private async Task<Database> DatabaseAsync(Backend backend, string file) => backend == Backend.Postgres
        ? new Database(Options.Create(new DatabaseOptions { Provider = "postgres", ConnectionString = await (await PostgresServer.InstanceAsync()).CreateDatabaseAsync() }), new NewsletterHome(_dir.Path, ""))
        : new Database(Options.Create(new DatabaseOptions { ConnectionString = $"Data Source={_dir.File(file)}" }), new NewsletterHome(_dir.Path, ""));

    private static async Task<SqliteConnection> OpenAsync(string file)
    {
        var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task An_empty_database_gets_every_migration_recorded_and_wal_on()
    {
        var file = _dir.File("db/new.db");

        var result = await MigratorFor(file).MigrateAsync(CancellationToken.None);

        Assert.Equal(Migrator.Sqlite.Select(m => m.FileName), result.Applied.Select(m => m.FileName));
        await using var connection = await OpenAsync(file);
        Assert.Equal(Migrator.Sqlite.Select(m => m.Version), await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version"));
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Contains("papers", await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'"));
    }

    [Fact]
    public async Task An_existing_database_is_left_as_it_is_and_keeps_its_data()
    {
        var file = _dir.File("existing.db");
        await MigratorFor(file).MigrateAsync(CancellationToken.None);
        await using (var connection = await OpenAsync(file))
        {
            await connection.ExecuteAsync("INSERT INTO papers (id, title, summary, authors, upvotes, first_seen, last_seen, created_at, updated_at) VALUES ('1', 't', '', '[]', 0, '2026-01-01', '2026-01-01', 'x', 'x')");
        }

        var again = await MigratorFor(file).MigrateAsync(CancellationToken.None);

        Assert.Empty(again.Applied);
        await using var check = await OpenAsync(file);
        Assert.Equal(1, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM papers"));
        Assert.Equal(Migrator.Sqlite.Count, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Two_migrators_starting_together_apply_each_migration_once()
    {
        var file = _dir.File("race.db");

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => MigratorFor(file).MigrateAsync(CancellationToken.None))));

        Assert.Equal(Migrator.Sqlite.Count, results.Sum(r => r.Applied.Count));
    }

    [Fact]
    public async Task Nodes_starting_together_on_one_postgres_database_apply_each_migration_once()
    {
        var connectionString = await (await PostgresServer.InstanceAsync()).CreateDatabaseAsync();
        var databases = Enumerable.Range(0, 4)
            .Select(_ => new Database(Options.Create(new DatabaseOptions { Provider = "postgres", ConnectionString = connectionString }), new NewsletterHome(_dir.Path, "")))
            .ToList();
        using var start = new Barrier(databases.Count);

        var results = await Task.WhenAll(databases.Select(db => Task.Run(() =>
        {
            start.SignalAndWait();
            return new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        })));

        Assert.Equal(Migrator.Postgres.Count, results.Sum(r => r.Applied.Count));
        Assert.Equal(Migrator.Sqlite.Select(m => m.FileName), Migrator.Postgres.Select(m => m.FileName)); // the same numbered steps, side by side
        await using var connection = await databases[0].OpenAsync(CancellationToken.None);
        Assert.Equal(Migrator.Postgres.Count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
        foreach (var db in databases)
        {
            await db.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Migration_0012_copies_the_keywords_of_existing_profiles_as_typed(Backend backend)
    {
        await using var database = await DatabaseAsync(backend, "keywords.db");
        var migrator = new Migrator(database, NullLogger<Migrator>.Instance);
        await migrator.MigrateAsync(CancellationToken.None);
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            // back to the schema before 0012, with a profile saved then (JSON as System.Text.Json writes it)
            await connection.ExecuteAsync("DROP TABLE profile_keywords; DROP TABLE data_protection_keys; DELETE FROM schema_migrations WHERE version = 12");
            await connection.ExecuteAsync(
                "INSERT INTO profiles (subscriber_id, keywords, exclusions, max_papers, updated_at) VALUES ('s1', @Keywords, '[]', 10, 'x')",
                new { Keywords = System.Text.Json.JsonSerializer.Serialize(new[] { "\"graph neural\" networks", "RL", "Überraschung" }) });
        }

        var applied = await migrator.MigrateAsync(CancellationToken.None);

        Assert.Equal(["0012_keyword_search_and_key_ring.sql"], applied.Applied.Select(m => m.FileName));
        await using var check = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(["\"graph neural\" networks", "RL", "Überraschung"],
            await check.QueryAsync<string>("SELECT keyword FROM profile_keywords WHERE subscriber_id = 's1' ORDER BY position"));
        Assert.Equal([0L, 1L, 2L], await check.QueryAsync<long>("SELECT position FROM profile_keywords ORDER BY position"));
    }

    [Fact]
    public async Task A_migration_that_outlasts_the_connections_command_timeout_is_not_cut_off()
    {
        // a large outbox makes 0023 run for minutes; here a lock held for two seconds on the table it reads does the
        // same against a command timeout of one second
        var connectionString = await (await PostgresServer.InstanceAsync()).CreateDatabaseAsync() + ";Command Timeout=1";
        var database = new Database(Options.Create(new DatabaseOptions { Provider = "postgres", ConnectionString = connectionString, BusyTimeoutSeconds = 1 }), new NewsletterHome(_dir.Path, ""));
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)");
            foreach (var migration in Migrator.Postgres.Where(m => m.Version < 23))
            {
                await connection.ExecuteAsync(migration.Sql);
                await connection.ExecuteAsync("INSERT INTO schema_migrations VALUES (@Version, @FileName, @Checksum, 'x')", migration);
            }
        }
        await using var holder = new Npgsql.NpgsqlConnection(connectionString);
        await holder.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("LOCK TABLE delivery_papers IN ACCESS EXCLUSIVE MODE", transaction: holding);
        var release = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await holding.CommitAsync();
        });

        var applied = await new Migrator(database, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await release;

        Assert.Equal(["0023_digest_papers_packed.sql"], applied.Applied.Select(m => m.FileName));
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Migration_0023_packs_each_digests_papers_in_rank_order_and_keeps_a_damaged_one_unreadable(Backend backend)
    {
        await using var database = await DatabaseAsync(backend, "packed.db");
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)");
            foreach (var migration in (backend == Backend.Postgres ? Migrator.Postgres : Migrator.Sqlite).Where(m => m.Version < 23))
            {
                await connection.ExecuteAsync(migration.Sql);
                await connection.ExecuteAsync("INSERT INTO schema_migrations VALUES (@Version, @FileName, @Checksum, 'x')", migration);
            }
            foreach (var paper in new[] { "2403.00001", "2403.00002", "2403.00003" })
            {
                await connection.ExecuteAsync(
                    "INSERT INTO papers (id, title, summary, authors, upvotes, first_seen, last_seen, created_at, updated_at) VALUES (@Paper, 't', 's', '[]', 0, 'x', 'x', 'x', 'x')",
                    new { Paper = paper });
            }
            foreach (var id in new[] { "s1:2026-03-11:0", "s2:2026-03-11:0" })
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO deliveries (id, subscriber_id, digest_date, sequence, status, message_id, paper_count, created_at, updated_at)
                    VALUES (@Id, @Subscriber, '2026-03-11', 0, 'sent', 'm', 3, 'x', 'x')
                    """, new { Id = id, Subscriber = id[..2] });
            }
            // written out of rank order; s2's second row damaged the way a bad write would
            foreach (var (id, rank, paper, matched, title) in new[]
            {
                ("s1:2026-03-11:0", 3, "2403.00003", "[\"rl\"]", "[]"),
                ("s1:2026-03-11:0", 1, "2403.00001", "[\"graph \\\"neural\\\"\", \"Überraschung\"]", "[[0,5],[7,2]]"),
                ("s1:2026-03-11:0", 2, "2403.00002", "[]", "[[1,1]]"),
                ("s2:2026-03-11:0", 1, "2403.00001", "[\"rl\"]", "[]"),
                ("s2:2026-03-11:0", 2, "2403.00002", "not json", "[]"),
            })
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO delivery_papers (delivery_id, rank, paper_id, subscriber_id, score, matched, title_spans, summary_spans)
                    VALUES (@Id, @Rank, @Paper, @Subscriber, @Score, @Matched, @Title, '[[3,4]]')
                    """, new { Id = id, Rank = rank, Paper = paper, Subscriber = id[..2], Score = 1.0 / rank, Matched = matched, Title = title });
            }
        }

        var applied = await new Migrator(database, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);

        Assert.Equal(["0023_digest_papers_packed.sql"], applied.Applied.Select(m => m.FileName));
        await using var check = await database.OpenAsync(CancellationToken.None);
        var packed = PackedPapers.Unpack(await check.ExecuteScalarAsync<string>("SELECT papers FROM digest_papers WHERE delivery_id = 's1:2026-03-11:0'") ?? "");
        Assert.Equal(["2403.00001", "2403.00002", "2403.00003"], packed.Select(p => p.PaperId));
        Assert.Equal([1.0, 0.5, 1.0 / 3], packed.Select(p => p.Score));
        Assert.Equal(["graph \"neural\"", "Überraschung"], packed[0].Matched);
        Assert.Equal([new TextSpan(0, 5), new TextSpan(7, 2)], packed[0].TitleSpans);
        Assert.Equal([new TextSpan(3, 4)], packed[2].SummarySpans);
        Assert.Throws<System.Text.Json.JsonException>(() =>
            PackedPapers.Unpack(check.ExecuteScalar<string>("SELECT papers FROM digest_papers WHERE delivery_id = 's2:2026-03-11:0'") ?? ""));
        Assert.Equal(0L, await check.ExecuteScalarAsync<long>(backend == Backend.Postgres
            ? "SELECT count(*) FROM information_schema.tables WHERE table_name = 'delivery_papers'"
            : "SELECT count(*) FROM sqlite_master WHERE name = 'delivery_papers'"));
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Migration_0019_keeps_every_delivery_and_its_status_and_makes_subscribers_email_ones(Backend backend)
    {
        await using var database = await DatabaseAsync(backend, "delivery.db");
        var statuses = new[] { "pending", "deferred", "uncertain", "sent", "failed", "bounced", "complained" };
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            // the schema before 0019, applied as the migrator would, with a subscriber and a delivery in every status of then
            await connection.ExecuteAsync("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)");
            foreach (var migration in (backend == Backend.Postgres ? Migrator.Postgres : Migrator.Sqlite).Where(m => m.Version < 19))
            {
                await connection.ExecuteAsync(migration.Sql);
                await connection.ExecuteAsync("INSERT INTO schema_migrations VALUES (@Version, @FileName, @Checksum, 'x')", migration);
            }
            await connection.ExecuteAsync(
                "INSERT INTO subscribers (id, email, status, secret, created_at, updated_at) VALUES ('s1', 'ada@example.org', 'active', 'x', 'x', 'x')");
            await connection.ExecuteAsync("INSERT INTO papers (id, title, summary, authors, upvotes, first_seen, last_seen, created_at, updated_at) VALUES ('2403.00001', 't', 's', '[]', 0, 'x', 'x', 'x', 'x')");
            foreach (var (status, i) in statuses.Select((s, i) => (s, i)))
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO deliveries (id, subscriber_id, digest_date, sequence, status, message_id, paper_count, created_at, updated_at, next_attempt_at)
                    VALUES (@Id, 's1', '2026-03-11', @Sequence, @Status, 'm', 1, 'x', 'x', '2026-03-11T09:00:00Z')
                    """,
                    new { Id = $"s1:2026-03-11:{i}", Sequence = i, Status = status });
                await connection.ExecuteAsync(
                    "INSERT INTO delivery_papers (delivery_id, rank, paper_id, subscriber_id, score, matched, title_spans, summary_spans) VALUES (@Id, 1, '2403.00001', 's1', 1, '[]', '[]', '[]')",
                    new { Id = $"s1:2026-03-11:{i}" });
            }
        }

        var applied = await new Migrator(database, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);

        Assert.Contains("0019_delivery_mode.sql", applied.Applied.Select(m => m.FileName));
        await using var check = await database.OpenAsync(CancellationToken.None);
        Assert.Equal(statuses, await check.QueryAsync<string>("SELECT status FROM deliveries ORDER BY sequence"));
        Assert.Equal(statuses.Length, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM digest_papers"));
        Assert.Equal(1, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM deliveries WHERE status = 'pending' AND digest_date = '2026-03-11'"));
        Assert.Equal("email", await check.ExecuteScalarAsync<string>("SELECT delivery FROM subscribers WHERE id = 's1'"));
        await check.ExecuteAsync("UPDATE deliveries SET status = 'feed' WHERE sequence = 0");
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => check.ExecuteAsync("UPDATE deliveries SET status = 'lost' WHERE sequence = 1"));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => check.ExecuteAsync("UPDATE subscribers SET delivery = 'fax'"));
    }

    [Fact]
    public async Task A_migration_edited_after_it_was_applied_stops_start_up_naming_it()
    {
        var file = _dir.File("edited.db");
        await MigratorFor(file).MigrateAsync(CancellationToken.None);
        await using (var connection = await OpenAsync(file))
        {
            await connection.ExecuteAsync("UPDATE schema_migrations SET checksum = 'abc' WHERE version = 1");
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() => MigratorFor(file).MigrateAsync(CancellationToken.None));

        Assert.Contains(Migrator.Sqlite[0].FileName, error.Message);
        Assert.Contains("changed after it was applied", error.Message);
    }

    [Fact]
    public async Task A_database_from_a_newer_version_is_refused()
    {
        var file = _dir.File("newer.db");
        await MigratorFor(file).MigrateAsync(CancellationToken.None);
        await using (var connection = await OpenAsync(file))
        {
            await connection.ExecuteAsync("INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x', 'x')");
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() => MigratorFor(file).MigrateAsync(CancellationToken.None));

        Assert.Contains("9999_future.sql", error.Message);
        Assert.Contains("newer version", error.Message);
    }

    [Fact]
    public async Task Db_migrate_command_reports_what_it_applied_then_that_it_is_up_to_date()
    {
        using var app = new TestApp();

        var first = await app.RunAsync("db", "migrate", "--json");
        var second = await app.RunAsync("db", "migrate");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(Migrator.Sqlite.Count, first.Json().GetProperty("applied").GetArrayLength());
        Assert.Contains("is up to date", second.Stdout);
    }
}

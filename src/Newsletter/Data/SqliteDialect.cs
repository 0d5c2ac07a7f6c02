using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Quartz;

namespace Newsletter.Data;

/// <summary>SQLite: one writer at a time, statistics only when asked for, foreign keys and waiting set per connection.</summary>
public sealed class SqliteDialect : SqlDialect
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    /// <summary>SQLite locks the whole file for a write: there is no row lock to skip.</summary>
    public override string SkipLocked => "";

    public override int ConcurrentWriters => 1;

    /// <summary>
    /// Nothing: SQLite has no statistics unless asked to gather them, and plans the reads after a bulk write from the
    /// indexes alone (checked with EXPLAIN QUERY PLAN).
    /// </summary>
    public override Task RefreshStatisticsAsync(DbConnection connection, string tables, CancellationToken cancellationToken) => Task.CompletedTask;

    // wait for other writers instead of failing, enforce references, and trade a little durability on power loss
    // (never on a crash) for much faster commits under WAL. The log is copied into the file every 10,000 pages
    // (~40 MB) instead of every 1,000: a send's marks change the same few pages commit after commit, and each copy
    // wrote those pages out again, inside whichever mark's commit came at the time
    public override string SessionSettings(int busyTimeoutMs) =>
        $"PRAGMA busy_timeout = {busyTimeoutMs}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 10000;";

    public override int ParametersPerStatement => 64;

    /// <summary>
    /// From this many rows on, a write goes by one prepared single-row statement stepped per row and bound by
    /// position (<see cref="SqliteRowCopy"/>): Microsoft.Data.Sqlite binds every parameter by name at every
    /// execution, which cost more than the row.
    /// </summary>
    private const int StepFrom = 16;

    public bool StepsRows(int count) => count >= StepFrom;

    public override bool CopiesNewRows(int count) => StepsRows(count);

    public override Task CopyAsync(DbConnection connection, string table, string[] columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        // SQLite's calls return when the row is written: there is nothing to await
        SqliteRowCopy.Insert(connection, table, columns, rows, "", null, cancellationToken);
        return Task.CompletedTask;
    }

    public override void Prepare(DbCommand command) => command.Prepare();

    public override string MigrationsFolder => "Sqlite";

    // WAL lets the web pages read while the worker writes; the setting is stored in the file. Foreign keys are off
    // while migrating (SQLite changes a table's constraints only by making it again, and dropping a referenced table
    // would cascade); every reference is checked before the pass commits.
    public override async Task BeforeMigratingAsync(DbConnection connection) =>
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = OFF;");

    public override async Task<string?> CheckMigratedAsync(DbConnection connection, DbTransaction transaction) =>
        (await connection.QueryAsync("PRAGMA foreign_key_check", transaction: transaction)).FirstOrDefault() is { } broken
            ? $"a row of {((IDictionary<string, object>)broken)["table"]} refers to a row that does not exist"
            : null;

    public override async Task AfterMigratingAsync(DbConnection connection) => await connection.ExecuteAsync("PRAGMA foreign_keys = ON;");

    public override string CountMigrationTables => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";

    /// <summary>A connection of Quartz's own to the same file (not clustered: one machine).</summary>
    public override void UseAsJobStore(IPersistentStoreBuilder store, Database database) =>
        store.UseSqlite(new SqliteConnectionStringBuilder
        {
            DataSource = database.FilePath ?? throw new InvalidOperationException("the scheduler needs a database file"),
            DefaultTimeout = 30,
        }.ToString());

    public override string CannotOpenHint => "Check Database:ConnectionString, and that this user may read and write the file and its folder.";
}

using System.Data.Common;
using Npgsql;
using Quartz;

namespace Newsletter.Data;

/// <summary>
/// Every difference between the two databases the code needs, answered in one place per provider (SQLite, the
/// embedded default; PostgreSQL, for several nodes). Everything else is written once, in SQL both accept.
/// </summary>
public abstract class SqlDialect
{
    public static SqlDialect Sqlite { get; } = new SqliteDialect();

    public static SqlDialect Postgres { get; } = new PostgresDialect();

    public static SqlDialect For(DatabaseProvider provider) => provider == DatabaseProvider.Postgres ? Postgres : Sqlite;

    /// <summary>The dialect of an open connection (the helpers that are handed one, not the database).</summary>
    public static SqlDialect Of(DbConnection connection) => connection is NpgsqlConnection ? Postgres : Sqlite;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>
    /// Ends a subquery that chooses rows to claim or to renew: where writers run at once, rows another sender holds
    /// locked are skipped rather than waited for (waiting on each other's rows is how two senders deadlock).
    /// </summary>
    public abstract string SkipLocked { get; }

    /// <summary>How many write transactions are worth running at once (SQLite has one writer; PostgreSQL a server process per connection).</summary>
    public abstract int ConcurrentWriters { get; }

    /// <summary>Brings the query planner's statistics of these tables up to date after a bulk write.</summary>
    public abstract Task RefreshStatisticsAsync(DbConnection connection, string tables, CancellationToken cancellationToken);

    /// <summary>Settings every new connection gets, or null.</summary>
    public abstract string? SessionSettings(int busyTimeoutMs);

    /// <summary>How many parameters one multi-row statement binds at most.</summary>
    public abstract int ParametersPerStatement { get; }

    /// <summary>Prepares a statement that is re-used with new values, where preparing is the caller's job.</summary>
    public abstract void Prepare(DbCommand command);

    /// <summary>Whether this many rows go in faster by bulk copy than by parameters.</summary>
    public virtual bool CopiesRows(int count) => false;

    /// <summary>Whether this many rows known to be new go in faster by <see cref="CopyAsync"/> than by parameters.</summary>
    public virtual bool CopiesNewRows(int count) => CopiesRows(count);

    /// <summary>Whether rows that are almost always new are best copied in first, the conflict check left to a second try should one be there already.</summary>
    public virtual bool CopiesNewRowsFirst(int count) => false;

    /// <summary>Copies rows straight into <paramref name="table"/> (they must be new: no conflict rules apply).</summary>
    public virtual Task CopyAsync(DbConnection connection, string table, string[] columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Provider} has no bulk copy");

    /// <summary>
    /// Copies rows into a staging table like <paramref name="table"/> and returns the <c>INSERT … SELECT … suffix</c>
    /// from it into the table, to execute: the conflict rules of the suffix still apply.
    /// </summary>
    public virtual Task<DbCommand> StageAsync(DbConnection connection, DbTransaction transaction, string table, string[] columns, IEnumerable<object?[]> rows,
        string suffix, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Provider} has no bulk copy");

    /// <summary>The folder of <c>Data/Migrations</c> with this provider's numbered files.</summary>
    public abstract string MigrationsFolder { get; }

    /// <summary>Prepares a connection for a migration pass (before its transaction).</summary>
    public virtual Task BeforeMigratingAsync(DbConnection connection) => Task.CompletedTask;

    /// <summary>Inside the pass's transaction: makes nodes that migrate at once take turns.</summary>
    public virtual Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction) => Task.CompletedTask;

    /// <summary>Inside the pass's transaction, after new migrations ran: the problem they left, or null.</summary>
    public virtual Task<string?> CheckMigratedAsync(DbConnection connection, DbTransaction transaction) => Task.FromResult<string?>(null);

    /// <summary>Restores the connection after a migration pass.</summary>
    public virtual Task AfterMigratingAsync(DbConnection connection) => Task.CompletedTask;

    /// <summary>Counts the tables named <c>schema_migrations</c> (0 or 1).</summary>
    public abstract string CountMigrationTables { get; }

    /// <summary>Puts Quartz's job store in this database.</summary>
    public abstract void UseAsJobStore(IPersistentStoreBuilder store, Database database);

    /// <summary>What to check when the database cannot be opened.</summary>
    public abstract string CannotOpenHint { get; }
}

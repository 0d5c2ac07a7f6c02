using System.Data.Common;
using System.Globalization;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Quartz;

namespace Newsletter.Data;

/// <summary>PostgreSQL: many writers at once, row locks, bulk copy, statistics the planner needs fresh, a clustered scheduler.</summary>
public sealed class PostgresDialect : SqlDialect
{
    /// <summary>Any fixed number: the advisory lock every node takes around migrating the database.</summary>
    private const long MigrationLock = 0x4e65_7773_6c74;

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string SkipLocked => "FOR UPDATE SKIP LOCKED";

    public override int ConcurrentWriters => Math.Clamp(Environment.ProcessorCount, 2, 4);

    /// <summary>
    /// Autovacuum analyses a table some time after a bulk insert, but the send starts at once: on a table it has no
    /// statistics for, the planner guesses badly and reads far more rows per claimed batch than it needs.
    /// </summary>
    public override async Task RefreshStatisticsAsync(DbConnection connection, string tables, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition($"ANALYZE {tables}", cancellationToken: cancellationToken));

    public override string? SessionSettings(int busyTimeoutMs) => null;

    /// <summary>PostgreSQL takes up to 65,535 parameters and pays a round trip per statement: far bigger batches than SQLite.</summary>
    public override int ParametersPerStatement => 4_096;

    /// <summary>Npgsql prepares by itself once values are set, and refuses to prepare parameters without them.</summary>
    public override void Prepare(DbCommand command)
    {
    }

    /// <summary>From this many rows on, COPY beats parameters (it costs two more round trips).</summary>
    public const int CopyFrom = 200;

    public override bool CopiesRows(int count) => count >= CopyFrom;

    /// <summary>
    /// An <c>INSERT … SELECT … ON CONFLICT DO NOTHING</c> from a staging table checks every unique index before each
    /// row and creates the staging table in the transaction; a plain copy lets the indexes check as they insert.
    /// </summary>
    public override bool CopiesNewRowsFirst(int count) => CopiesRows(count);

    /// <summary>
    /// COPY in PostgreSQL's binary format: no text to escape on this side or to parse on the server's. Integers go
    /// as BIGINT (every integer column of the schema is one), fractions as DOUBLE PRECISION, everything else as text.
    /// </summary>
    public override async Task CopyAsync(DbConnection connection, string table, string[] columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var writer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(
            $"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(cancellationToken);
            foreach (var value in row)
            {
                switch (value)
                {
                    case null or DBNull:
                        await writer.WriteNullAsync(cancellationToken);
                        break;
                    case string text:
                        await writer.WriteAsync(text, NpgsqlDbType.Text, cancellationToken);
                        break;
                    case int or long:
                        await writer.WriteAsync(Convert.ToInt64(value, CultureInfo.InvariantCulture), NpgsqlDbType.Bigint, cancellationToken);
                        break;
                    case double number:
                        await writer.WriteAsync(number, NpgsqlDbType.Double, cancellationToken);
                        break;
                    default:
                        throw new ArgumentException($"{table}: no COPY mapping for a value of type {value.GetType().Name}");
                }
            }
        }
        await writer.CompleteAsync(cancellationToken);
    }

    public override async Task<DbCommand> StageAsync(DbConnection connection, DbTransaction transaction, string table, string[] columns, IEnumerable<object?[]> rows,
        string suffix, CancellationToken cancellationToken)
    {
        var staging = $"staging_{table}";
        var list = string.Join(", ", columns);
        // the staging table has the target's column types and nothing else (no keys, no defaults), and lives until the commit
        await using (var create = new NpgsqlCommand(
            $"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS SELECT {list} FROM {table} WITH NO DATA; TRUNCATE {staging}",
            (NpgsqlConnection)connection, (NpgsqlTransaction)transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await CopyAsync(connection, staging, columns, rows, cancellationToken);
        return new NpgsqlCommand($"INSERT INTO {table} ({list}) SELECT {list} FROM {staging} {suffix}", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
    }

    public override string MigrationsFolder => "Postgres";

    public override async Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction) =>
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@Key)", new { Key = MigrationLock }, transaction);

    public override string CountMigrationTables =>
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = current_schema()";

    /// <summary>
    /// Clustered: every node runs a scheduler, exactly one fires each trigger, and a node that dies mid-run has its
    /// job recovered by another (the job requests recovery).
    /// </summary>
    public override void UseAsJobStore(IPersistentStoreBuilder store, Database database)
    {
        store.UsePostgres(database.ConnectionString);
        store.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(5));
    }

    public override string CannotOpenHint =>
        "Check that PostgreSQL is running and that Database:ConnectionString has the right host, port, database, user and password.";
}

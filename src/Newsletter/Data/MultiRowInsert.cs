using System.Data.Common;
using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Newsletter.Data;

/// <summary>
/// Writes many rows with one statement per batch of rows (about <see cref="ParametersPerStatement"/> parameters):
/// <c>INSERT INTO t (a, b) VALUES (@p0_0, @p0_1), (@p1_0, @p1_1) … &lt;suffix&gt;</c>. One statement per row costs
/// several times more than the row itself; prepared once per batch size, the parameters are only re-valued.
/// On PostgreSQL, many rows go by COPY into a staging table and one <c>INSERT … SELECT … &lt;suffix&gt;</c>:
/// the same conflict rules and counts, without binding a parameter per value; rows known to be new go by COPY
/// straight into the table.
/// </summary>
public sealed class MultiRowInsert<T>(string table, string[] columns, Func<T, object?[]> values, string suffix = "")
{
    public const int ParametersPerStatement = 64;

    /// <summary>PostgreSQL takes up to 65,535 parameters and pays a round trip per statement: far bigger batches there.</summary>
    public const int PostgresParametersPerStatement = 4_096;

    /// <summary>From this many rows on, COPY beats parameters on PostgreSQL (it costs two more round trips).</summary>
    public const int PostgresCopyFrom = 200;

    private readonly int _sqliteRowsPerStatement = Math.Max(1, ParametersPerStatement / columns.Length);
    private readonly int _postgresRowsPerStatement = Math.Max(1, PostgresParametersPerStatement / columns.Length);

    /// <returns>The rows inserted or updated, as the database counts them.</returns>
    public async Task<int> ExecuteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        var affected = 0;
        await WriteAsync(connection, transaction, rows, "", async command => affected += await command.ExecuteNonQueryAsync(cancellationToken), cancellationToken);
        return affected;
    }

    /// <summary>Inserts the rows, skipping or updating as the suffix says, and returns <paramref name="column"/> of each row it wrote.</summary>
    public async Task<List<string>> ExecuteReturningAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, string column, CancellationToken cancellationToken)
    {
        var written = new List<string>(rows.Count);
        await WriteAsync(connection, transaction, rows, $" RETURNING {column}", async command =>
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                written.Add(reader.GetString(0));
            }
        }, cancellationToken);
        return written;
    }

    /// <summary>Many rows on PostgreSQL: one <c>INSERT … SELECT</c> from a staging table filled by COPY; otherwise a statement per batch of rows.</summary>
    private async Task WriteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, string returning, Func<DbCommand, Task> execute, CancellationToken cancellationToken)
    {
        if (connection is NpgsqlConnection postgres && rows.Count >= PostgresCopyFrom)
        {
            await using var insert = await StageAsync(postgres, (NpgsqlTransaction)transaction, rows, returning, cancellationToken);
            await execute(insert);
            return;
        }
        await ForEachStatementAsync(connection, transaction, rows, returning, execute);
    }

    /// <summary>
    /// Inserts rows the caller knows are not in the table (say, the details of parent rows this transaction just
    /// inserted). PostgreSQL takes many of them by COPY straight into the table: no staging, no conflict check per
    /// row (a row that is there after all fails the whole insert, rather than being skipped).
    /// </summary>
    public async Task InsertNewAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        if (connection is NpgsqlConnection postgres && rows.Count >= PostgresCopyFrom)
        {
            await CopyAsync(postgres, table, rows, cancellationToken);
            return;
        }
        await ForEachStatementAsync(connection, transaction, rows, "", command => command.ExecuteNonQueryAsync(cancellationToken));
    }

    private async Task ForEachStatementAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, string returning, Func<DbCommand, Task> execute)
    {
        DbCommand? full = null;
        var rowsPerStatement = connection is NpgsqlConnection ? _postgresRowsPerStatement : _sqliteRowsPerStatement;
        try
        {
            for (var start = 0; start < rows.Count; start += rowsPerStatement)
            {
                var count = Math.Min(rowsPerStatement, rows.Count - start);
                var command = count == rowsPerStatement
                    ? full ??= Create(connection, transaction, count, returning)
                    : Create(connection, transaction, count, returning);
                for (var r = 0; r < count; r++)
                {
                    var row = values(rows[start + r]);
                    for (var c = 0; c < columns.Length; c++)
                    {
                        command.Parameters[r * columns.Length + c].Value = row[c] ?? DBNull.Value;
                    }
                }
                await execute(command);
                if (command != full)
                {
                    await command.DisposeAsync();
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    /// <summary>COPYs the rows into a staging table and returns the <c>INSERT … SELECT</c> from it into the table, to execute.</summary>
    private async Task<NpgsqlCommand> StageAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<T> rows, string returning, CancellationToken cancellationToken)
    {
        var staging = $"staging_{table}";
        var list = string.Join(", ", columns);
        // the staging table has the target's column types and nothing else (no keys, no defaults), and lives until the commit
        await using (var create = new NpgsqlCommand(
            $"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS SELECT {list} FROM {table} WITH NO DATA; TRUNCATE {staging}", connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await CopyAsync(connection, staging, rows, cancellationToken);
        return new NpgsqlCommand($"INSERT INTO {table} ({list}) SELECT {list} FROM {staging} {suffix}{returning}", connection, transaction);
    }

    /// <summary>
    /// COPY in PostgreSQL's binary format: no text to escape on this side or to parse on the server's. Integers go
    /// as BIGINT (every integer column of the schema is one), fractions as DOUBLE PRECISION, everything else as text.
    /// </summary>
    private async Task CopyAsync(NpgsqlConnection connection, string into, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync($"COPY {into} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(cancellationToken);
            foreach (var value in values(row))
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

    private DbCommand Create(DbConnection connection, DbTransaction transaction, int rowCount, string returning)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ");
        for (var r = 0; r < rowCount; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Length; c++)
            {
                var name = $"@p{r}_{c}";
                sql.Append(c == 0 ? name : ", " + name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }
            sql.Append(')');
        }
        sql.Append(' ').Append(suffix).Append(returning);
        command.CommandText = sql.ToString();
        if (command is Microsoft.Data.Sqlite.SqliteCommand)
        {
            command.Prepare(); // Npgsql prepares by itself once values are set, and refuses to prepare parameters without them
        }
        return command;
    }
}

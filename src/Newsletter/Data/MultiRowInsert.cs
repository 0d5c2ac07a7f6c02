using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Newsletter.Data;

/// <summary>
/// Writes many rows with one statement per batch of rows (about <see cref="SqlDialect.ParametersPerStatement"/> parameters):
/// <c>INSERT INTO t (a, b) VALUES (@p0_0, @p0_1), (@p1_0, @p1_1) … &lt;suffix&gt;</c>. One statement per row costs
/// several times more than the row itself; prepared once per batch size, the parameters are only re-valued.
/// Where the dialect has a bulk copy (PostgreSQL), many rows go by copy into a staging table and one
/// <c>INSERT … SELECT … &lt;suffix&gt;</c>: the same conflict rules and counts, without binding a parameter per
/// value; rows known to be new go by copy straight into the table.
/// </summary>
public sealed class MultiRowInsert<T>(string table, string[] columns, Func<T, object?[]> values, string suffix = "")
{

    /// <returns>The rows inserted or updated, as the database counts them.</returns>
    public async Task<int> ExecuteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        var affected = 0;
        if (Steps(connection, rows.Count))
        {
            SqliteRowCopy.Insert(connection, table, columns, rows.Select(values), suffix, _ => affected++, cancellationToken);
            return affected;
        }
        await WriteAsync(connection, transaction, rows, "", async command => affected += await command.ExecuteNonQueryAsync(cancellationToken), cancellationToken);
        return affected;
    }

    /// <summary>Inserts the rows, skipping or updating as the suffix says, and returns <paramref name="column"/> of each row it wrote.</summary>
    public async Task<List<string>> ExecuteReturningAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, string column, CancellationToken cancellationToken)
    {
        var written = new List<string>(rows.Count);
        var at = Array.IndexOf(columns, column);
        if (Steps(connection, rows.Count) && at >= 0)
        {
            // one statement stepped per row, bound by position: what RETURNING would give is the column's value of each row it wrote
            SqliteRowCopy.Insert(connection, table, columns, rows.Select(values), suffix, row => written.Add(Convert.ToString(row[at], CultureInfo.InvariantCulture)!),
                cancellationToken);
            return written;
        }
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

    /// <summary>
    /// <see cref="ExecuteReturningAsync"/> for rows that are almost always new. Where the dialect copies in bulk and a
    /// conflict check costs (PostgreSQL), they are first copied straight into the table; only if one of them is there
    /// already (a unique key fails) does the batch go again the usual way, the rows already there skipped. All under a
    /// savepoint, so the failed copy leaves nothing behind and the transaction goes on.
    /// </summary>
    public async Task<List<string>> InsertMostlyNewAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, string column,
        CancellationToken cancellationToken)
    {
        var dialect = SqlDialect.Of(connection);
        var at = Array.IndexOf(columns, column);
        if (!dialect.CopiesNewRowsFirst(rows.Count) || at < 0)
        {
            return await ExecuteReturningAsync(connection, transaction, rows, column, cancellationToken);
        }
        // each row's values made once: copied, and the column of each read back from them
        object?[][] copied = [.. rows.Select(values)];
        const string savepoint = "rows_expected_new";
        await transaction.SaveAsync(savepoint, cancellationToken);
        try
        {
            await dialect.CopyAsync(connection, table, columns, copied, cancellationToken);
        }
        catch (DbException e) when (Database.IsUniqueViolation(e))
        {
            await transaction.RollbackAsync(savepoint, cancellationToken);
            return await ExecuteReturningAsync(connection, transaction, rows, column, cancellationToken);
        }
        await transaction.ReleaseAsync(savepoint, cancellationToken);
        return [.. copied.Select(row => Convert.ToString(row[at], CultureInfo.InvariantCulture)!)];
    }

    /// <summary>SQLite, and enough rows that binding by position pays: one statement per row (<see cref="SqliteRowCopy"/>), the same conflict rules and counts.</summary>
    private static bool Steps(DbConnection connection, int count) => SqlDialect.Of(connection) is SqliteDialect sqlite && sqlite.StepsRows(count);

    /// <summary>Many rows where the dialect copies: one <c>INSERT … SELECT</c> from a staging table; otherwise a statement per batch of rows.</summary>
    private async Task WriteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, string returning, Func<DbCommand, Task> execute, CancellationToken cancellationToken)
    {
        var dialect = SqlDialect.Of(connection);
        if (dialect.CopiesRows(rows.Count))
        {
            await using var insert = await dialect.StageAsync(connection, transaction, table, columns, rows.Select(values), suffix + returning, cancellationToken);
            await execute(insert);
            return;
        }
        await ForEachStatementAsync(connection, transaction, rows, returning, execute);
    }

    /// <summary>
    /// Inserts rows the caller knows are not in the table (say, the details of parent rows this transaction just
    /// inserted). Where the dialect copies, many of them go straight into the table: no staging, no conflict check per
    /// row (a row that is there after all fails the whole insert, rather than being skipped).
    /// </summary>
    public async Task InsertNewAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        var dialect = SqlDialect.Of(connection);
        if (dialect.CopiesNewRows(rows.Count))
        {
            await dialect.CopyAsync(connection, table, columns, rows.Select(values), cancellationToken);
            return;
        }
        await ForEachStatementAsync(connection, transaction, rows, "", command => command.ExecuteNonQueryAsync(cancellationToken));
    }

    private async Task ForEachStatementAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, string returning, Func<DbCommand, Task> execute)
    {
        DbCommand? full = null;
        var dialect = SqlDialect.Of(connection);
        var rowsPerStatement = Math.Max(1, dialect.ParametersPerStatement / columns.Length);
        try
        {
            for (var start = 0; start < rows.Count; start += rowsPerStatement)
            {
                var count = Math.Min(rowsPerStatement, rows.Count - start);
                var command = count == rowsPerStatement
                    ? full ??= Create(dialect, connection, transaction, count, returning)
                    : Create(dialect, connection, transaction, count, returning);
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

    private DbCommand Create(SqlDialect dialect, DbConnection connection, DbTransaction transaction, int rowCount, string returning)
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
        dialect.Prepare(command);
        return command;
    }
}

using System.Data.Common;
using System.Globalization;
using System.Text;
using Npgsql;

namespace Newsletter.Data;

/// <summary>
/// Writes many rows with one statement per batch of rows (about <see cref="ParametersPerStatement"/> parameters):
/// <c>INSERT INTO t (a, b) VALUES (@p0_0, @p0_1), (@p1_0, @p1_1) … &lt;suffix&gt;</c>. One statement per row costs
/// several times more than the row itself; prepared once per batch size, the parameters are only re-valued.
/// On PostgreSQL, many rows go by COPY into a staging table and one <c>INSERT … SELECT … &lt;suffix&gt;</c>:
/// the same conflict rules and counts, without binding a parameter per value.
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
        if (connection is NpgsqlConnection postgres && rows.Count >= PostgresCopyFrom)
        {
            return await CopyAsync(postgres, (NpgsqlTransaction)transaction, rows, cancellationToken);
        }
        DbCommand? full = null;
        var affected = 0;
        var rowsPerStatement = connection is Npgsql.NpgsqlConnection ? _postgresRowsPerStatement : _sqliteRowsPerStatement;
        try
        {
            for (var start = 0; start < rows.Count; start += rowsPerStatement)
            {
                var count = Math.Min(rowsPerStatement, rows.Count - start);
                var command = count == rowsPerStatement
                    ? full ??= Create(connection, transaction, count)
                    : Create(connection, transaction, count);
                for (var r = 0; r < count; r++)
                {
                    var row = values(rows[start + r]);
                    for (var c = 0; c < columns.Length; c++)
                    {
                        command.Parameters[r * columns.Length + c].Value = row[c] ?? DBNull.Value;
                    }
                }
                affected += await command.ExecuteNonQueryAsync(cancellationToken);
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
        return affected;
    }

    private async Task<int> CopyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
        var staging = $"staging_{table}";
        var list = string.Join(", ", columns);
        // the staging table has the target's column types and nothing else (no keys, no defaults), and lives until the commit
        await using (var create = new NpgsqlCommand(
            $"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS SELECT {list} FROM {table} WITH NO DATA; TRUNCATE {staging}", connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var writer = await connection.BeginTextImportAsync($"COPY {staging} ({list}) FROM STDIN", cancellationToken))
        {
            var line = new StringBuilder();
            foreach (var row in rows)
            {
                line.Clear();
                var fields = values(row);
                for (var c = 0; c < fields.Length; c++)
                {
                    if (c > 0)
                    {
                        line.Append('\t');
                    }
                    AppendCopyText(line, fields[c]);
                }
                line.Append('\n');
                await writer.WriteAsync(line, cancellationToken);
            }
        }
        await using var insert = new NpgsqlCommand($"INSERT INTO {table} ({list}) SELECT {list} FROM {staging} {suffix}", connection, transaction);
        return await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A value in COPY's text format: \N for null, backslash escapes for the characters that delimit.</summary>
    private static void AppendCopyText(StringBuilder line, object? value)
    {
        var text = value switch
        {
            null or DBNull => null,
            string s => s,
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
        if (text is null)
        {
            line.Append("\\N");
            return;
        }
        foreach (var ch in text)
        {
            _ = ch switch
            {
                '\\' => line.Append("\\\\"),
                '\t' => line.Append("\\t"),
                '\n' => line.Append("\\n"),
                '\r' => line.Append("\\r"),
                _ => line.Append(ch),
            };
        }
    }

    private DbCommand Create(DbConnection connection, DbTransaction transaction, int rowCount)
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
        sql.Append(' ').Append(suffix);
        command.CommandText = sql.ToString();
        if (command is Microsoft.Data.Sqlite.SqliteCommand)
        {
            command.Prepare(); // Npgsql prepares by itself once values are set, and refuses to prepare parameters without them
        }
        return command;
    }
}

using System.Data.Common;
using System.Text;

namespace Newsletter.Data;

/// <summary>
/// Writes many rows with one statement per batch of rows (about <see cref="ParametersPerStatement"/> parameters):
/// <c>INSERT INTO t (a, b) VALUES (@p0_0, @p0_1), (@p1_0, @p1_1) … &lt;suffix&gt;</c>. One statement per row costs
/// several times more than the row itself; prepared once per batch size, the parameters are only re-valued.
/// </summary>
public sealed class MultiRowInsert<T>(string table, string[] columns, Func<T, object?[]> values, string suffix = "")
{
    public const int ParametersPerStatement = 64;

    /// <summary>PostgreSQL takes up to 65,535 parameters and pays a round trip per statement: far bigger batches there.</summary>
    public const int PostgresParametersPerStatement = 4_096;

    private readonly int _sqliteRowsPerStatement = Math.Max(1, ParametersPerStatement / columns.Length);
    private readonly int _postgresRowsPerStatement = Math.Max(1, PostgresParametersPerStatement / columns.Length);

    /// <returns>The rows inserted or updated, as the database counts them.</returns>
    public async Task<int> ExecuteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<T> rows, CancellationToken cancellationToken)
    {
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
